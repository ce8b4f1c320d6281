#include "abi_test_support.hpp"

#include "temp_dir.hpp"

#include <rio/sdk/shell.hpp>

#include <cstdlib>
#include <sys/wait.h>

namespace rio::test {

process_output run_rio(const std::string& args, const std::filesystem::path& scratch) {
  const auto out_file = scratch / "stdout.txt";
  const auto err_file = scratch / "stderr.txt";
  std::string command = sdk::shell_quote(RIO_TEST_RIO_EXE) + " " + args + " >" + sdk::shell_quote(out_file.string()) +
                        " 2>" + sdk::shell_quote(err_file.string()) + " </dev/null";
  int status = std::system(command.c_str());
  process_output result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_file(out_file);
  result.err = read_file(err_file);
  return result;
}

}  // namespace rio::test
