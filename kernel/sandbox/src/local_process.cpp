#include <rio/kernel/sandbox/local_process.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>

extern char** environ;

namespace rio::kernel::sandbox::detail {
namespace fs = std::filesystem;

namespace {

bool safe_path_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view{"._/+@,=-"}.find(c) != std::string_view::npos;
}

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

int spawn_with_output(const std::string& exe, char* const* argv, char* const* envp, int out_fd, pid_t& pid) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDERR_FILENO);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
  // Asio does not mark sockets close-on-exec: children must not inherit rio's descriptors.
  posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
#endif
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  const int rc = ::posix_spawn(&pid, exe.c_str(), &actions, &attr, argv, envp);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  return rc;
}

result<local_run> run_local(const fs::path& program, const std::vector<std::string>& args,
                            const std::vector<std::string>& env) {
  const std::string exe = program.string();
  auto failed = [&](const char* step, int err) {
    return fail(errc::bad_config, "cannot run " + exe + ": " + step + ": " + std::strerror(err));
  };
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return failed("pipe", errno);

  std::vector<std::string> argv_strings{exe};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  auto argv = c_strings(argv_strings);
  auto envp = c_strings(env);
  pid_t pid = -1;
  const int rc = spawn_with_output(exe, argv.data(), env.empty() ? environ : envp.data(), out[1], pid);
  ::close(out[1]);
  if (rc != 0) {
    ::close(out[0]);
    return failed("posix_spawn", rc);
  }

  local_run run;
  std::array<char, 4096> buf{};
  for (;;) {
    const ssize_t n = ::read(out[0], buf.data(), buf.size());
    if (n > 0) {
      run.output.append(buf.data(), static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
  ::close(out[0]);
  int status = 0;
  pid_t r = -1;
  while ((r = ::waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
  }
  if (r == pid && WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  return run;
}

result<std::string> run_checked(const std::string& what, const fs::path& program, const std::vector<std::string>& args,
                                const std::vector<std::string>& env) {
  auto run = run_local(program, args, env);
  if (!run) return run.error();
  if (run->exit_code != 0) {
    std::string output = run->output;
    while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
    return fail(errc::bad_config, what + " failed (" + program.filename().string() + " exit " +
                                      std::to_string(run->exit_code) + "): " + output);
  }
  return std::move(run->output);
}

fs::path find_program(std::string_view name) {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH"); path != nullptr) {
    std::string_view rest{path};
    while (!rest.empty()) {
      const auto colon = rest.find(':');
      dirs.emplace_back(rest.substr(0, colon));
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
  }
  for (const char* d : {"/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"}) dirs.emplace_back(d);
  for (const auto& d : dirs) {
    if (d.empty() || d.front() != '/') continue;  // never resolve against the working directory
    const fs::path candidate = fs::path{d} / name;
    if (::access(candidate.c_str(), X_OK) == 0 && fs::is_regular_file(candidate)) return candidate;
  }
  return {};
}

bool is_safe_path(const fs::path& path) {
  const std::string text = path.string();
  return !text.empty() && std::all_of(text.begin(), text.end(), safe_path_char);
}

result<fs::path> prepare_directory(const fs::path& dir, std::string_view what) {
  std::error_code ec;
  if (dir.empty()) return fail(errc::bad_config, std::string{what} + ": no directory given");
  const fs::path abs = fs::absolute(dir, ec).lexically_normal();
  if (ec) return fail(errc::bad_config, std::string{what} + " '" + dir.string() + "' is not a usable path");
  std::string text = abs.string();
  while (text.size() > 1 && text.back() == '/') text.pop_back();
  for (char c : text) {
    if (!safe_path_char(c)) {
      return fail(errc::bad_config, std::string{what} + " " + text +
                                        ": use a path of letters, digits and . _ / + @ , = - only (it is written "
                                        "unquoted into sshd_config, PATH, shell stubs and file:// URLs)");
    }
  }
  if (fs::exists(abs, ec)) {
    if (!fs::is_directory(abs, ec)) {
      return fail(errc::bad_config, std::string{what} + " " + text + " is not a directory");
    }
    if (!fs::is_empty(abs, ec)) {
      return fail(errc::bad_config, std::string{what} + " " + text +
                                        " is not empty: give a new or empty directory (a sandbox never reuses one)");
    }
  } else if (!fs::create_directories(abs, ec) || ec) {
    return fail(errc::bad_config, "cannot create " + std::string{what} + " " + text + ": " + ec.message());
  }
  fs::permissions(abs, fs::perms::owner_all, fs::perm_options::replace, ec);
  return fs::path{text};
}

std::string random_token() {
  std::array<unsigned char, 12> bytes{};
  if (::getrandom(bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size())) {
    // Unique enough to tell this sandbox's processes from others': pid and time.
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    return std::to_string(::getpid()) + "-" + std::to_string(now);
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += hex[b >> 4];
    out += hex[b & 0xf];
  }
  return out;
}

result<void> write_file(const fs::path& file, std::string_view text, unsigned mode) {
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return fail(errc::bad_config, "cannot write " + file.string());
  }
  if (::chmod(file.c_str(), static_cast<mode_t>(mode)) != 0) {
    return fail(errc::bad_config, "cannot chmod " + file.string() + ": " + std::strerror(errno));
  }
  return {};
}

}  // namespace rio::kernel::sandbox::detail
