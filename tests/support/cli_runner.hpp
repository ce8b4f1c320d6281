#pragma once
// Runs the `rio` command line in-process with captured streams and an injected environment,
// so tests never touch the real process environment.

#include <rio/kernel/cli.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace rio::test {

using env_map = std::map<std::string, std::string>;

struct cli_run {
  int code;
  std::string out;
  std::string err;
};

/** An env_lookup over a fixed map. */
inline kernel::env_lookup fake_env(env_map vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

/** `rio <args>` with the built plugins beside a notional binary in RIO_TEST_PLUGIN_DIR/.. */
inline cli_run run_cli(const std::vector<std::string>& args, const env_map& env = {}) {
  std::ostringstream out, err;
  kernel::cli_io io{out, err, fake_env(env), std::filesystem::path{RIO_TEST_PLUGIN_DIR}.parent_path(),
                    std::filesystem::temp_directory_path()};
  int code = kernel::run_cli(args, io);
  return {code, out.str(), err.str()};
}

}  // namespace rio::test
