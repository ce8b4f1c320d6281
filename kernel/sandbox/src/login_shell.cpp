#include <rio/kernel/sandbox/login_shell.hpp>

#include <glob.h>

#include <fstream>
#include <sstream>

namespace rio::kernel::sandbox::detail {
namespace fs = std::filesystem;
namespace {

struct shell_program {
  const char* name;
  const char* program;
};

// bash started under the name `sh` enters POSIX mode, like `bash --posix`; busybox picks its
// applet from the name.
constexpr shell_program shells[] = {{"dash", "/usr/bin/dash"}, {"busybox", "/usr/bin/busybox"}, {"bash-posix", "/bin/bash"}};

fs::path find_nss_wrapper() {
  glob_t g{};
  fs::path found;
  for (const char* pattern : {"/usr/lib/*/libnss_wrapper.so", "/usr/lib/libnss_wrapper.so", "/usr/lib64/libnss_wrapper.so"}) {
    if (::glob(pattern, 0, nullptr, &g) == 0 && g.gl_pathc > 0) found = g.gl_pathv[0];
    ::globfree(&g);
    if (!found.empty()) break;
  }
  return found;
}

result<std::string> read_all(const fs::path& p) {
  std::ifstream in{p, std::ios::binary};
  if (!in) return fail(errc::bad_config, "cannot read " + p.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

result<void> write_all(const fs::path& p, const std::string& text) {
  std::ofstream out{p, std::ios::binary | std::ios::trunc};
  out << text;
  if (!out.flush()) return fail(errc::bad_config, "cannot write " + p.string());
  return {};
}

}  // namespace

const std::vector<std::string>& login_shell_names() {
  static const std::vector<std::string> names{"dash", "busybox", "bash-posix"};
  return names;
}

result<std::vector<std::string>> login_shell_environment(const fs::path& dir, const std::string& user,
                                                         const std::string& shell) {
  const shell_program* chosen = nullptr;
  for (const auto& s : shells) {
    if (shell == s.name) chosen = &s;
  }
  if (chosen == nullptr) return fail(errc::bad_config, "login shell '" + shell + "': use dash, busybox or bash-posix");
  if (!fs::exists(chosen->program)) {
    return fail(errc::bad_config, std::string{"login shell '"} + shell + "': " + chosen->program + " is not installed");
  }
  const fs::path wrapper = find_nss_wrapper();
  if (wrapper.empty()) return fail(errc::bad_config, "a login shell other than the account's needs libnss_wrapper.so (apt install libnss-wrapper)");

  std::error_code ec;
  fs::create_directories(dir / "shells", ec);
  const fs::path link = dir / "shells" / "sh";
  fs::remove(link, ec);
  fs::create_symlink(chosen->program, link, ec);
  if (ec) return fail(errc::bad_config, "cannot create " + link.string() + ": " + ec.message());

  auto passwd = read_all("/etc/passwd");
  if (!passwd) return passwd.error();
  std::string out;
  bool replaced = false;
  std::istringstream lines{*passwd};
  for (std::string line; std::getline(lines, line);) {
    // name:password:uid:gid:gecos:home:shell; only the account's own line changes.
    if (line.starts_with(user + ":") && line.rfind(':') != std::string::npos) {
      line = line.substr(0, line.rfind(':') + 1) + link.string();
      replaced = true;
    }
    out += line + "\n";
  }
  if (!replaced) return fail(errc::bad_config, "account '" + user + "' is not in /etc/passwd (nss_wrapper copies it from there)");
  if (auto ok = write_all(dir / "passwd", out); !ok) return ok.error();
  auto group = read_all("/etc/group");
  if (!group) return group.error();
  if (auto ok = write_all(dir / "group", *group); !ok) return ok.error();
  return std::vector<std::string>{"LD_PRELOAD=" + wrapper.string(), "NSS_WRAPPER_PASSWD=" + (dir / "passwd").string(),
                                  "NSS_WRAPPER_GROUP=" + (dir / "group").string()};
}

}  // namespace rio::kernel::sandbox::detail
