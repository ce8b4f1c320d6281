#include "vault_test_support.hpp"

#include <boost/json/parse.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace rio::test {

vault::vault_options options_for(const std::filesystem::path& root, const std::map<std::string, std::string>& env,
                                 vault::event_listener* listener) {
  vault::vault_options o;
  o.root = root;
  o.env = vault::environment{env};
  o.listener = listener;
  o.kdf = vault::kdf_params::minimum();
  return o;
}

std::map<std::string, std::string> snapshot(const std::filesystem::path& dir) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec); it != std::filesystem::recursive_directory_iterator();
       ++it) {
    if (it->is_regular_file()) out[it->path().lexically_relative(dir).string()] = read_file(it->path());
  }
  return out;
}

std::vector<boost::json::object> audit_lines(const std::filesystem::path& root) {
  std::vector<boost::json::object> out;
  std::ifstream in(root / "logs" / "security.log");
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(boost::json::parse(line).as_object());
  }
  return out;
}

int run_in_child(const std::function<int()>& body) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    int code = 97;
    try {
      code = body();
    } catch (...) {
      code = 98;
    }
    std::_Exit(code);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

vault::fault_hook recording_hook(std::vector<std::string>& steps) {
  return [&steps](std::string_view step) { steps.emplace_back(step); };
}

vault::fault_hook crash_at(std::size_t n) {
  auto seen = std::make_shared<std::size_t>(0);
  return [n, seen](std::string_view) {
    if ((*seen)++ == n) std::_Exit(crash_exit_code);
  };
}

unsigned mode_of(const std::filesystem::path& file) {
  struct stat st {};
  ::stat(file.c_str(), &st);
  return st.st_mode & 07777;
}

}  // namespace rio::test
