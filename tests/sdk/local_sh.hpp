#pragma once
// Runs POSIX sh text locally with /bin/sh (dash on Debian), to check that generated shell does
// what it claims. Local processes only; nothing touches the network.

#include "temp_dir.hpp"

#include <rio/sdk/shell.hpp>

#include <cstdlib>
#include <string>
#include <sys/wait.h>

namespace rio::test {

struct sh_result {
  int exit_code = -1;
  std::string out;
};

inline sh_result run_sh(const std::string& script, const std::string& home = "/nonexistent-home") {
  temp_dir dir;
  auto file = dir.write("script.sh", script);
  auto out = dir.path() / "out.txt";
  std::string command = "HOME=" + sdk::shell_quote(home) + " /bin/sh " + sdk::shell_quote(file.string()) + " >" +
                        sdk::shell_quote(out.string()) + " 2>/dev/null </dev/null";
  int status = std::system(command.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out)};
}

}  // namespace rio::test
