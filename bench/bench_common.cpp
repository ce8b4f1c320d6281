#include "bench_common.hpp"

#include "bench_sshd.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace rio::bench {

double cpu_of(const rusage& r) {
  return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
         static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

rusage self_usage() {
  rusage r{};
  ::getrusage(RUSAGE_SELF, &r);
  return r;
}

double switches_of(const rusage& r) { return static_cast<double>(r.ru_nvcsw + r.ru_nivcsw); }

machine_cpu machine_cpu_now() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;
  std::vector<double> v;
  for (double x; v.size() < 8 && in >> x;) v.push_back(x);
  if (v.size() < 8) return {};
  // user nice system idle iowait irq softirq steal
  const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  return {(v[0] + v[1] + v[2] + v[5] + v[6]) / tick, v[6] / tick};
}

double machine_busy_seconds() { return machine_cpu_now().busy; }

long cores_online() { return std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN)); }

double machine_busy_fraction(double seconds) {
  const double busy0 = machine_busy_seconds();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  return (machine_busy_seconds() - busy0) / (seconds * static_cast<double>(cores_online()));
}

double loadavg_1m() {
  double l[3] = {0, 0, 0};
  return ::getloadavg(l, 3) > 0 ? l[0] : -1;
}

std::string now_utc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
}

std::string fmt(int decimals, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

rlim_t raise_nofile_limit() {
  rlimit nofile{};
  ::getrlimit(RLIMIT_NOFILE, &nofile);
  if (nofile.rlim_cur < nofile.rlim_max) {
    nofile.rlim_cur = nofile.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &nofile);
  }
  ::getrlimit(RLIMIT_NOFILE, &nofile);
  return nofile.rlim_cur;
}

pid_t spawn_client(const spawn_spec& spec) {
  if (spec.argv.empty()) throw std::runtime_error("spawn_client: no program");
  std::vector<char*> argv;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  auto file_or_null = [](const std::filesystem::path& p) { return p.empty() ? std::string{"/dev/null"} : p.string(); };
  const std::string in = file_or_null(spec.stdin_file);
  const std::string out = file_or_null(spec.stdout_file);
  const std::string err = file_or_null(spec.stderr_file);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, in.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  if (spec.own_process_group) {
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
  }
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), spec.env.empty() ? environ : envp.data());
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + spec.argv[0] + ": " + std::strerror(rc));
  return pid;
}

rusage wait_bounded(pid_t pid, double seconds, int& status, bool& killed) {
  using clock = std::chrono::steady_clock;
  killed = false;
  const auto give_up = clock::now() + std::chrono::duration<double>(seconds);
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  for (;;) {
    if (pidfd >= 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(give_up - clock::now()).count();
      pollfd p{pidfd, POLLIN, 0};
      if (left > 0 && ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000))) > 0) break;
    } else {
      siginfo_t info{};
      if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid) break;
      std::this_thread::sleep_for(std::chrono::milliseconds{2});
    }
    if (clock::now() >= give_up) {
      ::kill(-pid, SIGKILL);
      killed = true;
      break;
    }
  }
  if (pidfd >= 0) ::close(pidfd);
  rusage ru{};
  while (::wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
  }
  return ru;
}

namespace {

// ---- the launcher: messages over a socketpair, strings as u32 length + bytes

int launcher_fd = -1;
pid_t launcher_child = -1;

bool write_all(int fd, const void* data, std::size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

bool read_all(int fd, void* data, std::size_t n) {
  char* p = static_cast<char*>(data);
  while (n > 0) {
    const ssize_t r = ::read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

bool write_strings(int fd, const std::vector<std::string>& v) {
  const auto count = static_cast<std::uint32_t>(v.size());
  if (!write_all(fd, &count, sizeof count)) return false;
  for (const auto& s : v) {
    const auto len = static_cast<std::uint32_t>(s.size());
    if (!write_all(fd, &len, sizeof len) || !write_all(fd, s.data(), s.size())) return false;
  }
  return true;
}

bool read_strings(int fd, std::vector<std::string>& v) {
  std::uint32_t count = 0;
  if (!read_all(fd, &count, sizeof count)) return false;
  v.assign(count, {});
  for (auto& s : v) {
    std::uint32_t len = 0;
    if (!read_all(fd, &len, sizeof len)) return false;
    s.resize(len);
    if (len > 0 && !read_all(fd, s.data(), len)) return false;
  }
  return true;
}

// Request: argv, env, {stdin, stdout, stderr, own group, limit}.
[[noreturn]] void launcher_main(int fd) {
  for (;;) {
    std::vector<std::string> argv, env, rest;
    if (!read_strings(fd, argv) || !read_strings(fd, env) || !read_strings(fd, rest) || rest.size() != 5) ::_exit(0);
    spawn_spec spec;
    spec.argv = std::move(argv);
    spec.env = std::move(env);
    spec.stdin_file = rest[0];
    spec.stdout_file = rest[1];
    spec.stderr_file = rest[2];
    spec.own_process_group = rest[3] == "1";
    const double limit = std::stod(rest[4]);
    launch_outcome out;
    const auto t0 = std::chrono::steady_clock::now();
    try {
      out.pid = spawn_client(spec);
    } catch (...) {
      out.pid = -1;
    }
    if (!write_all(fd, &out.pid, sizeof out.pid)) ::_exit(0);
    if (out.pid > 0) {
      out.usage = wait_bounded(out.pid, limit, out.status, out.killed);
      out.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    if (!write_all(fd, &out, sizeof out)) ::_exit(0);
  }
}

std::atomic<pid_t> client_group{0};
std::array<std::atomic<pid_t>, 8> child_groups{};
// Messages built before any signal can arrive: the handler may not allocate.
std::array<char, 160> interrupted_message{};
std::array<char, 160> time_limit_message{};

extern "C" void on_fatal_signal(int sig) {
  kill_registered_sshd_from_signal();
  if (pid_t g = client_group.load(); g > 0) ::kill(-g, SIGKILL);
  for (auto& slot : child_groups) {
    if (pid_t g = slot.load(); g > 0) {
      ::kill(-g, SIGKILL);
      ::waitpid(g, nullptr, 0);  // reaped here, not left to init as a zombie
    }
  }
  remove_scratch_from_signal();
  const char* msg = sig == SIGALRM ? time_limit_message.data() : interrupted_message.data();
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg, std::strlen(msg));
  ::_exit(128 + sig);
}

}  // namespace

void start_launcher() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) throw std::runtime_error("socketpair failed");
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) throw std::runtime_error("fork failed");
  if (child == 0) {
    ::close(fds[0]);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(0);
    launcher_main(fds[1]);
  }
  ::close(fds[1]);
  launcher_fd = fds[0];
  launcher_child = child;
}

pid_t launcher_pid() { return launcher_child; }

void stop_launcher() noexcept {
  if (launcher_fd >= 0) ::close(launcher_fd);  // the helper reads EOF and exits
  launcher_fd = -1;
  if (launcher_child > 0) {
    int status = 0;
    while (::waitpid(launcher_child, &status, 0) < 0 && errno == EINTR) {
    }
  }
  launcher_child = -1;
}

launch_outcome launch(const spawn_spec& spec, double limit_s) {
  if (launcher_fd < 0) throw std::runtime_error("launch: start_launcher() was not called");
  const std::vector<std::string> rest{spec.stdin_file.string(), spec.stdout_file.string(), spec.stderr_file.string(),
                                      spec.own_process_group ? "1" : "0", fmt(3, limit_s)};
  if (!write_strings(launcher_fd, spec.argv) || !write_strings(launcher_fd, spec.env) ||
      !write_strings(launcher_fd, rest)) {
    throw std::runtime_error("the launcher process is gone");
  }
  pid_t pid = -1;
  if (!read_all(launcher_fd, &pid, sizeof pid)) throw std::runtime_error("the launcher process is gone");
  if (pid > 0 && spec.own_process_group) set_client_group(pid);
  launch_outcome out;
  const bool ok = read_all(launcher_fd, &out, sizeof out);
  set_client_group(0);
  if (!ok) throw std::runtime_error("the launcher process is gone");
  if (out.pid <= 0) throw std::runtime_error("cannot start " + spec.argv.front());
  return out;
}

void install_signal_handlers(const char* bench_name, int time_limit_s) {
  std::snprintf(interrupted_message.data(), interrupted_message.size(), "%s: interrupted, stopped (sshd instances killed)\n",
                bench_name);
  std::snprintf(time_limit_message.data(), time_limit_message.size(),
                "%s: time limit reached, stopped (sshd instances killed)\n", bench_name);
  struct sigaction sa{};
  sa.sa_handler = on_fatal_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGALRM}) ::sigaction(sig, &sa, nullptr);
  ::alarm(static_cast<unsigned>(time_limit_s));
}

void set_client_group(pid_t group) { client_group = group; }

void register_child_group(pid_t group) {
  for (auto& slot : child_groups) {
    pid_t empty = 0;
    if (slot.compare_exchange_strong(empty, group)) return;
  }
}

void unregister_child_group(pid_t group) {
  for (auto& slot : child_groups) {
    pid_t expected = group;
    if (slot.compare_exchange_strong(expected, 0)) return;
  }
}

std::optional<int> non_negative_int(const std::string& s) {
  try {
    std::size_t used = 0;
    const int v = std::stoi(s, &used);
    if (used == s.size() && v >= 0) return v;
  } catch (...) {
  }
  return std::nullopt;
}

}  // namespace rio::bench
