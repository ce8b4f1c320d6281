#include <rio/kernel/openssh/allow_list.hpp>

#include <unistd.h>

#include <cstdlib>

namespace rio::kernel::openssh {
namespace fs = std::filesystem;

namespace {

std::string process_path() {
  const char* p = std::getenv("PATH");
  return p != nullptr && *p != '\0' ? std::string{p} : std::string{"/usr/local/bin:/usr/bin:/bin"};
}

bool is_executable_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

}  // namespace

fs::path find_on_path(const std::string& name, const std::string& path_env) {
  if (name.empty() || name.find('/') != std::string::npos) return {};
  std::size_t start = 0;
  while (start <= path_env.size()) {
    auto colon = path_env.find(':', start);
    auto dir = path_env.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    // An empty PATH element means the current directory to execvp; a server must not run
    // whatever happens to lie in its working directory, so relative elements are skipped.
    if (!dir.empty() && dir.front() == '/') {
      fs::path candidate = fs::path{dir} / name;
      if (is_executable_file(candidate)) return candidate;
    }
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return {};
}

result<allow_list> allow_list::system_default() {
  const std::string path = process_path();
  std::vector<fs::path> found;
  for (const char* name : {"ssh", "scp"}) {
    auto p = find_on_path(name, path);
    if (!p.empty()) found.push_back(p);
  }
  if (found.empty() || found.front().filename() != "ssh") {
    return ssh::fail(ssh::errc::not_allowed, "the OpenSSH client `ssh` was not found on PATH");
  }
  return from(found);
}

result<allow_list> allow_list::from(const std::vector<fs::path>& executables) {
  allow_list list;
  for (const auto& p : executables) {
    if (!p.is_absolute()) {
      return ssh::fail(ssh::errc::bad_option, "allowed executable '" + p.string() + "' is not an absolute path");
    }
    std::error_code ec;
    auto canonical = fs::canonical(p, ec);
    if (ec || !is_executable_file(canonical)) {
      return ssh::fail(ssh::errc::bad_option, "allowed executable '" + p.string() + "' is not an executable file");
    }
    list.entries_.push_back(entry{p, canonical});
  }
  return list;
}

result<fs::path> allow_list::select(const std::string& field, const std::string& requested,
                                    const std::string& default_name) const {
  if (requested.empty()) {
    for (const auto& e : entries_) {
      if (e.path.filename() == default_name) return e.path;
    }
    return ssh::fail(ssh::errc::not_allowed, field + ": no `" + default_name + "` on the server's allow-list");
  }
  // The requested text is echoed only when it is printable, so a message cannot carry control bytes.
  auto shown = [&] {
    for (char c : requested) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return std::string{"(unprintable)"};
    }
    return "'" + requested + "'";
  };
  fs::path candidate;
  if (requested.front() == '/') {
    candidate = requested;
  } else if (requested.find('/') == std::string::npos) {
    candidate = find_on_path(requested, process_path());
  }
  std::error_code ec;
  fs::path canonical = candidate.empty() ? fs::path{} : fs::canonical(candidate, ec);
  if (!candidate.empty() && !ec) {
    for (const auto& e : entries_) {
      if (e.canonical == canonical) return e.path;
    }
  }
  return ssh::fail(ssh::errc::not_allowed,
                   field + ": " + shown() + " is not an executable on the server's allow-list");
}

}  // namespace rio::kernel::openssh
