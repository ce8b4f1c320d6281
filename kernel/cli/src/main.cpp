// Thin on purpose: every behaviour lives in rio_cli, where the tests reach it.
#include <rio/kernel/cli.hpp>

#include <boost/dll/runtime_symbol_info.hpp>

#include <iostream>

#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::error_code ec;
  auto cwd = std::filesystem::current_path(ec);
  rio::kernel::cli_io io{std::cout, std::cerr, rio::kernel::process_env(),
                         boost::dll::program_location().parent_path(), cwd, ::isatty(2) == 1};
  // Help and tables wrap to the terminal; piped output keeps the fixed default width.
  if (winsize ws{}; ::isatty(1) == 1 && ::ioctl(1, TIOCGWINSZ, &ws) == 0) io.out_columns = ws.ws_col;
  try {
    return rio::kernel::run_cli(args, io);
  } catch (const std::exception& e) {
    std::cerr << "rio: internal error: " << e.what() << "\n";
    return 1;
  }
}
