#pragma once
// Paths of the built fixtures and modules, and a way to run the real `rio` binary.

#include <filesystem>
#include <string>

namespace rio::test {

inline std::filesystem::path fixture(const std::string& name) {
  return std::filesystem::path{RIO_TEST_FIXTURE_DIR} / ("fixture-" + name + ".so");
}

inline std::filesystem::path built_module(const std::string& id) {
  return std::filesystem::path{RIO_TEST_PLUGIN_DIR} / ("rio-" + id + ".so");
}

struct process_output {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/** Runs the built rio with `args` (each single-quoted), capturing stdout and stderr. */
process_output run_rio(const std::string& args, const std::filesystem::path& scratch);

}  // namespace rio::test
