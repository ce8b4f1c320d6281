#pragma once
// The last thing a forked test child does: exec `exe` with `args` (argv[0] is `exe`) and exactly
// the environment `env`; exit 127 if exec fails. Only async-signal-safe work after this point
// would be safer, but the tests fork from a single thread, so building the arrays here is fine.

#include <unistd.h>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace rio::test {

[[noreturn]] inline void exec_child(const std::string& exe, const std::vector<std::string>& args,
                                    const std::map<std::string, std::string>& env) {
  std::vector<std::string> storage{exe};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_storage;
  for (const auto& [k, v] : env) env_storage.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_storage) envp.push_back(s.data());
  envp.push_back(nullptr);
  ::execve(exe.c_str(), argv.data(), envp.data());
  std::_Exit(127);
}

}  // namespace rio::test
