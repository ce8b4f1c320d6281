#pragma once
// Paths of the built fixtures and modules, and a way to run the real `rio` binary.

#include <rio/sdk/abi_version.hpp>

#include <filesystem>
#include <string>

namespace rio::test {

inline std::filesystem::path fixture(const std::string& name) {
  return std::filesystem::path{RIO_TEST_FIXTURE_DIR} / ("fixture-" + name + ".so");
}

inline std::filesystem::path built_module(const std::string& id) {
  return std::filesystem::path{RIO_TEST_PLUGIN_DIR} / ("rio-" + id + ".so");
}

/** "SDK ABI <major>.<minor>" of this rio, and of the wrong_abi fixture (minor + 7). */
inline std::string rio_abi_text() {
  return "SDK ABI " + std::to_string(RIO_SDK_ABI_MAJOR) + "." + std::to_string(RIO_SDK_ABI_MINOR);
}
inline std::string fixture_abi_text() {
  return "SDK ABI " + std::to_string(RIO_SDK_ABI_MAJOR) + "." + std::to_string(RIO_SDK_ABI_MINOR + 7);
}

struct process_output {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/** Runs the built rio with `args` (each single-quoted), capturing stdout and stderr. */
process_output run_rio(const std::string& args, const std::filesystem::path& scratch);

}  // namespace rio::test
