#include "bench_sshd.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
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

bool is_loopback_v4(const std::string& address) {
  in_addr a{};
  return ::inet_pton(AF_INET, address.c_str(), &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

// A port that was free a moment ago on `address`; a lost race shows up in sshd's log and
// start() tries again.
std::uint16_t pick_port(const std::string& address) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  ::inet_pton(AF_INET, address.c_str(), &sa.sin_addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind a port on " + address);
  }
  socklen_t len = sizeof sa;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  ::close(fd);
  return ntohs(sa.sin_port);
}

std::string first_line_of(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string read_whole(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
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

bench_sshd::bench_sshd(sshd_settings settings) : settings_(std::move(settings)) {
  const auto& addrs = settings_.listen_addresses;
  if (addrs.empty() || addrs.size() > max_listen_addresses) {
    throw std::runtime_error("an sshd instance listens on 1 to " + std::to_string(max_listen_addresses) + " addresses");
  }
  for (std::size_t i = 0; i < addrs.size(); ++i) {
    if (!is_loopback_v4(addrs[i])) throw std::runtime_error("refusing to listen on " + addrs[i] + ": loopback (127.x) only");
    if (std::find(addrs.begin(), addrs.begin() + static_cast<std::ptrdiff_t>(i), addrs[i]) != addrs.begin() + static_cast<std::ptrdiff_t>(i)) {
      throw std::runtime_error("listen address " + addrs[i] + " is given twice");
    }
  }
  if (!settings_.homes.empty() && settings_.homes.size() != addrs.size()) {
    throw std::runtime_error("sshd_settings: one home per listen address, or none");
  }
  for (const auto& h : settings_.homes) {
    const std::string text = h.string();
    if (text.empty() || text.find_first_of(" \t\n\"'") != std::string::npos) throw std::runtime_error("unusable home: " + text);
  }
  for (const auto& e : settings_.extra_env) {
    if (e.find('=') == std::string::npos || e.find_first_of(" \t\n\"'") != std::string::npos) {
      throw std::runtime_error("unusable environment entry: " + e);
    }
  }
  fs::create_directories(settings_.dir);
  log_ = settings_.dir / "sshd.log";
  // sshd's privilege-separation directory; there is no systemd here to create it.
  ::mkdir("/run/sshd", 0755);
  run_program({"/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "rio-bench-host", "-f",
               (settings_.dir / "host_ed25519").string()});
  start();
}

bench_sshd::~bench_sshd() { stop(); }

void bench_sshd::write_config() {
  const auto& d = settings_.dir;
  std::ofstream cfg(d / "sshd_config");
  // One ListenAddress line per endpoint, each with its own port (the Port line is then unused).
  for (const auto& e : endpoints_) cfg << "ListenAddress " << e.address << ":" << e.port << "\n";
  cfg << "HostKey " << (d / "host_ed25519").string() << "\n"
      << "PidFile " << (d / "sshd.pid").string() << "\n"
      << "AuthorizedKeysFile " << settings_.authorized_keys.string() << "\n";
  if (settings_.pin_algorithms) {
    // The same algorithms for every client, enforced by the server: a client that cannot
    // use them fails instead of silently negotiating something else.
    cfg << "KexAlgorithms curve25519-sha256\n"
        << "HostKeyAlgorithms ssh-ed25519\n"
        << "Ciphers aes128-ctr\n"
        << "MACs hmac-sha2-256\n";
  }
  cfg << "PermitRootLogin prohibit-password\n"
      << "PubkeyAuthentication yes\n"
      << "PasswordAuthentication no\n"
      << "KbdInteractiveAuthentication no\n"
      << "UsePAM no\n"
      << "StrictModes no\n"
      << "PrintMotd no\n"
      << "PrintLastLog no\n"
      << "UseDNS no\n"
      << "X11Forwarding no\n"
      // All N connections of a round may arrive at once; the listen backlog (128) is the real
      // limit, so each instance serves at most 100 of them.
      << "MaxStartups 1000\n"
      << "MaxSessions 10\n"
      << "LogLevel " << settings_.log_level << "\n";
  // sshd takes only the first SetEnv that applies to a connection, so every variable goes on one
  // line: globally, or in the connection's Match block (which must come after all global lines).
  std::string shlvl = settings_.skip_login_rc ? " SHLVL=1" : "";
  auto env_for = [&](const std::string& home) {
    std::string out;
    for (std::string e : settings_.extra_env) {
      for (auto at = e.find("{HOME}"); at != std::string::npos && !home.empty(); at = e.find("{HOME}", at + home.size())) {
        e.replace(at, 6, home);
      }
      out += " " + e;
    }
    return out;
  };
  if (settings_.homes.empty()) {
    const std::string env = shlvl + env_for("");
    if (!env.empty()) cfg << "SetEnv" << env << "\n";
    return;
  }
  for (std::size_t i = 0; i < endpoints_.size(); ++i) {
    cfg << "Match LocalAddress " << endpoints_[i].address << "\n"
        << "  SetEnv" << shlvl << env_for(settings_.homes[i].string()) << " HOME=" << settings_.homes[i].string() << "\n";
  }
}

namespace {

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

}  // namespace

void bench_sshd::start() {
  const std::string cfg = (settings_.dir / "sshd_config").string();
  const std::size_t want = settings_.listen_addresses.size();
  for (int attempt = 0; attempt < 5; ++attempt) {
    endpoints_.clear();
    for (const auto& a : settings_.listen_addresses) endpoints_.push_back({a, pick_port(a)});
    write_config();
    std::error_code ignored;
    fs::remove(log_, ignored);
    const std::string log_s = log_.string();
    std::array<const char*, 8> argv{"/usr/sbin/sshd", "-D", "-E", log_s.c_str(), "-f", cfg.c_str(), nullptr, nullptr};
    const pid_t parent = ::getpid();
    // fork + exec rather than posix_spawn, for PR_SET_PDEATHSIG: if the benchmark is killed
    // outright, the listener still gets SIGTERM. Only async-signal-safe calls in the child.
    const pid_t child = ::fork();
    if (child < 0) throw std::runtime_error("fork failed");
    if (child == 0) {
      ::setpgid(0, 0);
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != parent) ::_exit(127);
      int null_fd = ::open("/dev/null", O_RDWR);
      if (null_fd >= 0) {
        ::dup2(null_fd, STDIN_FILENO);
        ::dup2(null_fd, STDOUT_FILENO);
        ::dup2(null_fd, STDERR_FILENO);
      }
      ::execve(argv[0], const_cast<char* const*>(argv.data()), environ);
      ::_exit(127);
    }
    ::setpgid(child, child);
    pid_ = child;
    register_pid(pid_);

    // Ready when sshd says it listens on every endpoint. A port taken meanwhile (a lost race with
    // another program) shows as "Bind to port ... failed" or as sshd exiting: start over.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds{20};
    std::string text;
    bool exited = false;
    bool bind_failed = false;
    while (std::chrono::steady_clock::now() < give_up) {
      text = read_whole(log_);
      const std::size_t listening = count_of(text, "Server listening on");
      bind_failed = text.find("Address already in use") != std::string::npos;
      if (listening >= want && !bind_failed) return;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exited = true;
        unregister_pid(pid_);
        pid_ = -1;
        break;
      }
      if (bind_failed && listening + count_of(text, "Bind to port") >= want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    if (!exited) stop();
    if (!bind_failed) {
      throw std::runtime_error("sshd on " + settings_.listen_addresses.front() + (exited ? " exited: " : " did not start: ") + text);
    }
  }
  throw std::runtime_error("sshd could not find free ports on " + settings_.listen_addresses.front());
}

void bench_sshd::stop() noexcept {
  if (pid_ <= 0) return;
  try {
    // Session processes call setsid(), so the listener's process group does not reach them.
    for (pid_t child : descendants_of(pid_)) ::kill(child, SIGTERM);
  } catch (...) {
  }
  ::kill(pid_, SIGTERM);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  unregister_pid(pid_);
  pid_ = -1;
}

std::string bench_sshd::known_hosts_line() const { return known_hosts_lines().front(); }

std::vector<std::string> bench_sshd::known_hosts_lines() const {
  const std::string pub = first_line_of(settings_.dir / "host_ed25519.pub");
  const auto second_space = pub.find(' ', pub.find(' ') + 1);
  std::vector<std::string> out;
  for (const auto& e : endpoints_) {
    out.push_back("[" + e.address + "]:" + std::to_string(e.port) + " " + pub.substr(0, second_space));
  }
  return out;
}

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
