#include "bench_sshd.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace rio::bench {
namespace fs = std::filesystem;

namespace {

// Listener PIDs for the signal handler (plain atomics: async-signal-safe to read).
constexpr std::size_t max_registered = 64;
std::array<std::atomic<pid_t>, max_registered> registered{};

void register_pid(pid_t pid) {
  for (auto& slot : registered) {
    pid_t empty = 0;
    if (slot.compare_exchange_strong(empty, pid)) return;
  }
}

void unregister_pid(pid_t pid) {
  for (auto& slot : registered) {
    pid_t expected = pid;
    if (slot.compare_exchange_strong(expected, 0)) return;
  }
}

std::string first_line_of(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

// Fields after "pid (comm) " in /proc/<pid>/stat.
std::vector<std::string> stat_fields(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return {};
  auto close_paren = line.rfind(')');
  if (close_paren == std::string::npos || close_paren + 2 > line.size()) return {};
  std::istringstream rest(line.substr(close_paren + 2));
  std::vector<std::string> out;
  for (std::string f; rest >> f;) out.push_back(f);
  return out;
}

// The scratch directories for the signal handler: fixed buffers, set before any signal can matter.
std::array<std::array<char, 4096>, 2> scratch_for_signal{};

}  // namespace

scratch_dir::scratch_dir() : scratch_dir(fs::temp_directory_path()) {}

scratch_dir::scratch_dir(const fs::path& parent) {
  std::string templ = (parent / "rio-bench-XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed under " + parent.string());
  path_ = templ;
  for (auto& slot : scratch_for_signal) {
    if (slot[0] == '\0' && templ.size() < slot.size()) {
      std::copy(templ.begin(), templ.end(), slot.begin());
      slot_ = static_cast<int>(&slot - scratch_for_signal.data());
      break;
    }
  }
}

scratch_dir::~scratch_dir() {
  if (slot_ >= 0) scratch_for_signal[static_cast<std::size_t>(slot_)].fill('\0');
  if (keep_) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void remove_scratch_from_signal() noexcept {
  for (auto& slot : scratch_for_signal) {
    if (slot[0] != '/') continue;
    // Only async-signal-safe calls: fork, execve, waitpid.
    const pid_t pid = ::fork();
    if (pid == 0) {
      const char* argv[] = {"/bin/rm", "-rf", "--", slot.data(), nullptr};
      const char* envp[] = {nullptr};
      ::execve(argv[0], const_cast<char* const*>(argv), const_cast<char* const*>(envp));
      ::_exit(127);
    }
    if (pid > 0) {
      int status = 0;
      ::waitpid(pid, &status, 0);
    }
  }
}

void run_program(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error(argv[0] + " failed");
}

bench_keys bench_keys::generate(const fs::path& dir) {
  bench_keys k;
  k.user_key = dir / "user_ed25519";
  k.authorized_keys = dir / "authorized_keys";
  run_program({"/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "rio-bench-user", "-f", k.user_key.string()});
  std::ofstream(k.authorized_keys) << first_line_of(k.user_key.string() + ".pub") << "\n";
  return k;
}

bench_sshd::bench_sshd(sshd_settings settings) {
  fs::create_directories(settings.dir);
  log_ = settings.dir / "sshd.log";
  run_program({"/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "rio-bench-host", "-f",
               (settings.dir / "host_ed25519").string()});
  kernel::sandbox::sshd_settings s;
  s.listen_addresses = std::move(settings.listen_addresses);
  s.dir = settings.dir;
  s.host_key = settings.dir / "host_ed25519";
  s.authorized_keys = settings.authorized_keys;
  // All N connections of a round may arrive at once; the listen backlog (128) is the real
  // limit, so each instance serves at most 100 of them.
  s.max_startups = 1000;
  s.max_sessions = 10;
  s.pin_algorithms = settings.pin_algorithms;
  s.skip_login_rc = settings.skip_login_rc;
  s.session_env = std::move(settings.extra_env);
  s.homes = std::move(settings.homes);
  s.extra_config = {"PrintLastLog no", "UseDNS no", "X11Forwarding no"};
  s.log_level = settings.log_level;
  s.log = kernel::sandbox::sshd_log::file;
  s.log_file = log_;
  s.own_process_group = true;
  s.die_with_parent = true;
  auto started = kernel::sandbox::sshd_launcher::start(std::move(s));
  if (!started) throw std::runtime_error(started.error().message);
  sshd_ = std::move(*started);
  pid_ = sshd_->pid();
  register_pid(pid_);
}

bench_sshd::~bench_sshd() { stop(); }

void bench_sshd::stop() noexcept {
  if (pid_ <= 0) return;
  sshd_->stop();
  unregister_pid(pid_);
  pid_ = -1;
}

std::string bench_sshd::known_hosts_line() const { return known_hosts_lines().front(); }

std::vector<std::string> bench_sshd::known_hosts_lines() const { return sshd_->known_hosts_lines(); }

double bench_sshd::cpu_seconds() const {
  const auto f = stat_fields(pid_);
  // state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
  if (f.size() < 15) return 0.0;
  const double ticks = std::stod(f[11]) + std::stod(f[12]) + std::stod(f[13]) + std::stod(f[14]);
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::vector<pid_t> descendants_of(pid_t root) {
  std::vector<std::pair<pid_t, pid_t>> links;  // (pid, ppid)
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(name));
    const auto f = stat_fields(pid);
    if (f.size() < 2) continue;
    links.emplace_back(pid, static_cast<pid_t>(std::stol(f[1])));
  }
  std::vector<pid_t> out{root};
  for (std::size_t i = 0; i < out.size(); ++i) {
    for (const auto& [pid, ppid] : links) {
      if (ppid == out[i]) out.push_back(pid);
    }
  }
  out.erase(out.begin());
  return out;
}

void become_subreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }

bool wait_until_idle(const std::vector<pid_t>& listeners, double seconds, double& orphan_cpu) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  const pid_t self = ::getpid();
  auto is_listener = [&](pid_t p) { return std::find(listeners.begin(), listeners.end(), p) != listeners.end(); };
  for (;;) {
    bool busy = false;
    for (pid_t p : descendants_of(self)) {
      if (is_listener(p)) continue;
      busy = true;
      // Orphans re-parented to us: reap the ones that ended (never a listener, never anything else
      // this process waits for by PID, which has been reaped before we get here).
      const auto f = stat_fields(p);
      if (f.size() >= 2 && f[0] == "Z" && static_cast<pid_t>(std::stol(f[1])) == self) {
        rusage ru{};
        int status = 0;
        if (::wait4(p, &status, WNOHANG, &ru) == p) {
          orphan_cpu += static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                        static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
        }
      }
    }
    if (!busy) return true;
    if (std::chrono::steady_clock::now() >= give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
}

void kill_registered_sshd_from_signal() noexcept {
  for (auto& slot : registered) {
    const pid_t pid = slot.load();
    if (pid > 0) {
      ::kill(-pid, SIGTERM);
      ::kill(pid, SIGTERM);
    }
  }
}

}  // namespace rio::bench
