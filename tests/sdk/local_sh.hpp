#pragma once
// Runs POSIX sh text locally with /bin/sh (dash on Debian), to check that generated shell does
// what it claims. Local processes only; nothing touches the network.

#include "temp_dir.hpp"

#include <rio/sdk/shell.hpp>

#include <cstdlib>
#include <optional>
#include <string>
#include <sys/wait.h>

namespace rio::test {

struct sh_result {
  int exit_code = -1;
  std::string out;
};

/**
 * With `input`, stdin reads it from a file; without, stdin is /dev/null. `shell` is the command
 * line that reads the script file (e.g. "busybox sh", "bash --posix").
 */
inline sh_result run_sh(const std::string& script, const std::string& home = "/nonexistent-home",
                        const std::optional<std::string>& input = std::nullopt, const std::string& shell = "/bin/sh") {
  temp_dir dir;
  auto file = dir.write("script.sh", script);
  auto out = dir.path() / "out.txt";
  const std::string in = input ? dir.write("stdin.bin", *input).string() : std::string{"/dev/null"};
  std::string command = "HOME=" + sdk::shell_quote(home) + " " + shell + " " + sdk::shell_quote(file.string()) + " >" +
                        sdk::shell_quote(out.string()) + " 2>/dev/null <" + sdk::shell_quote(in);
  int status = std::system(command.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out)};
}

}  // namespace rio::test
