#pragma once
// The `rio` command line. main() only gathers the process facts and calls run_cli, so every
// command is testable with injected streams and environment.

#include <rio/kernel/settings.hpp>

#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

namespace rio::kernel {

struct cli_io {
  std::ostream& out;
  std::ostream& err;
  env_lookup env;
  std::filesystem::path exe_dir;
  std::filesystem::path cwd;
  /** Whether stderr is a terminal: long runs then show a live progress line there. */
  bool err_is_terminal = false;
  /** The terminal's width when stdout is a terminal, else 0 (help and tables then use $COLUMNS or 100). */
  std::size_t out_columns = 0;
};

/** Exit codes: 0 success, 1 the command failed, 2 the command line is wrong. */
int run_cli(const std::vector<std::string>& args, const cli_io& io);

}  // namespace rio::kernel
