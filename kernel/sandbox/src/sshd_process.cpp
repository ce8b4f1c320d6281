#include "sshd_process.hpp"

#include <rio/kernel/sandbox/local_process.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string_view>
#include <vector>

extern char** environ;

namespace rio::kernel::sandbox::detail {
namespace fs = std::filesystem;

namespace {

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

void append_to(const fs::path& file, std::string_view text) {
  if (file.empty()) return;
  const int out = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (out < 0) return;
  write_all(out, text.data(), text.size());
  ::close(out);
}

std::string tail(const std::string& log) {
  std::string out = log.size() > 2000 ? log.substr(log.size() - 2000) : log;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out.empty() ? "(no output)" : out;
}

std::size_t count_of(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// Copies sshd's stderr into `out` (the log file; -1 for nowhere) until every sshd process has
// closed it (EOF) or stop() wakes it; sshd would block on a full pipe otherwise. Closes `out` and
// `log_read`. `out` is opened by the caller, so the set of open descriptors is settled when
// start() returns (tests compare it before and after).
void drain_log(int log_read, int wake_read, int out) {
  std::array<char, 4096> buf{};
  std::array<pollfd, 2> fds{pollfd{log_read, POLLIN, 0}, pollfd{wake_read, POLLIN, 0}};
  for (;;) {
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents != 0) {
      const ssize_t n = ::read(log_read, buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      if (out >= 0) write_all(out, buf.data(), static_cast<std::size_t>(n));
      continue;
    }
    if (fds[1].revents != 0) break;
  }
  if (out >= 0) ::close(out);
  ::close(log_read);
}

// This process's environment with `marker` instead of any marker it inherited, plus `extra`.
std::vector<std::string> environment_with(const std::string& marker, const std::vector<std::string>& extra) {
  const std::string name = marker.substr(0, marker.find('=') + 1);
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    if (!std::string_view{*e}.starts_with(name)) env.emplace_back(*e);
  }
  env.push_back(marker);
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Closes every descriptor from `low` on except `keep` (close_range, Linux 5.9; else one by one up
// to `max_fd`). Async-signal-safe.
void close_from(int low, int keep, int max_fd) {
  const auto range = [](unsigned first, unsigned last) {
    return first > last || ::syscall(SYS_close_range, first, last, 0U) == 0;
  };
  const auto k = static_cast<unsigned>(keep);
  if (range(static_cast<unsigned>(low), k - 1) && range(k + 1, ~0U)) return;
  for (int fd = low; fd < max_fd; ++fd) {
    if (fd != keep) ::close(fd);
  }
}

struct spawn_request {
  const char* exe;
  char* const* argv;
  char* const* envp;
  int out_fd;  ///< sshd's stdout and stderr; -1 for /dev/null
  bool own_process_group;
  bool die_with_parent;
  int max_fd;  ///< sysconf(_SC_OPEN_MAX), read before fork
};

// fork + exec rather than posix_spawn, for PR_SET_PDEATHSIG. Only async-signal-safe calls in the
// child. Returns the pid, or -1 with `error` set to errno (fork's, or exec's through a pipe).
pid_t spawn(const spawn_request& r, int& error) {
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    error = errno;
    return -1;
  }
  sigset_t none;
  sigemptyset(&none);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(report[0]);
    if (r.own_process_group) ::setpgid(0, 0);
    if (r.die_with_parent) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
    }
    // Default signal handling: rio's handlers and blocked signals are not sshd's business.
    for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    const int null_fd = ::open("/dev/null", O_RDWR);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(r.out_fd >= 0 ? r.out_fd : null_fd, STDOUT_FILENO);
    ::dup2(r.out_fd >= 0 ? r.out_fd : null_fd, STDERR_FILENO);
    // Asio does not mark sockets close-on-exec: sshd must not inherit this process's descriptors.
    // `report` is close-on-exec already, so it stays open until execve and closes with it.
    close_from(STDERR_FILENO + 1, report[1], r.max_fd);
    ::execve(r.exe, r.argv, r.envp);
    const int err = errno;
    write_all(report[1], reinterpret_cast<const char*>(&err), sizeof err);
    ::_exit(127);
  }
  ::close(report[1]);
  if (pid < 0) {
    error = errno;
    ::close(report[0]);
    return -1;
  }
  if (r.own_process_group) ::setpgid(pid, pid);  // either side may run first
  int err = 0;
  ssize_t got = 0;
  do {
    got = ::read(report[0], &err, sizeof err);
  } while (got < 0 && errno == EINTR);
  ::close(report[0]);
  if (got == static_cast<ssize_t>(sizeof err)) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    error = err;
    return -1;
  }
  return pid;
}

// What sshd's log says so far about starting on `want` addresses.
struct start_state {
  bool ready = false;
  bool port_taken = false;  // a bind failed and every address has answered: start over
};

start_state read_state(const std::string& log, std::size_t want) {
  const std::size_t listening = count_of(log, "Server listening on");
  const bool bind_failed = log.find("Address already in use") != std::string::npos;
  return {listening >= want && !bind_failed, bind_failed && listening + count_of(log, "Bind to port") >= want};
}

// The file's bytes from `offset` on.
std::string read_from(const fs::path& file, std::size_t offset) {
  std::ifstream in(file, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::size_t size_of(const fs::path& file) {
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  return ec ? 0 : static_cast<std::size_t>(size);
}

}  // namespace

result<std::unique_ptr<sshd_process>> sshd_process::start(const sshd_settings& s, const fs::path& config,
                                                          std::size_t listeners, bool& port_taken) {
  port_taken = false;
  const bool piped = s.log == sshd_log::pipe;
  int err_pipe[2] = {-1, -1};
  int wake[2] = {-1, -1};
  auto close_all = [&] {
    for (int* fd : {&err_pipe[0], &err_pipe[1], &wake[0], &wake[1]}) {
      if (*fd >= 0) ::close(*fd);
      *fd = -1;
    }
  };
  if (piped && (::pipe2(err_pipe, O_CLOEXEC) != 0 || ::pipe2(wake, O_CLOEXEC) != 0)) {
    const int err = errno;
    close_all();
    return fail(errc::bad_config, std::string{"pipe: "} + std::strerror(err));
  }

  auto env = environment_with(s.marker, s.process_env);
  auto envp = c_strings(env);
  const std::string exe = s.program.string();
  const std::string cfg = config.string();
  const std::string log = s.log_file.string();
  std::vector<std::string> args{exe, "-D", "-f", cfg};
  if (piped) {
    args.insert(args.begin() + 2, "-e");
  } else {
    args.insert(args.begin() + 2, {"-E", log});
  }
  auto argv = c_strings(args);
  const std::size_t log_start = piped ? 0 : size_of(s.log_file);
  int error = 0;
  const int max_fd = static_cast<int>(std::min(::sysconf(_SC_OPEN_MAX), 65536L));
  const pid_t pid = spawn({exe.c_str(), argv.data(), envp.data(), err_pipe[1], s.own_process_group,
                           s.die_with_parent, max_fd},
                          error);
  if (err_pipe[1] >= 0) ::close(err_pipe[1]);
  err_pipe[1] = -1;
  if (pid < 0) {
    close_all();
    return fail(errc::bad_config, "cannot start " + exe + ": " + std::strerror(error));
  }
  std::unique_ptr<sshd_process> sshd{new sshd_process(pid, s.marker)};

  // sshd's own "Server listening on" lines are the readiness signal. Through the pipe, EOF means
  // it exited; from a file (nothing to wait on), it is re-read every 10 ms and sshd's exit checked.
  std::string text;
  start_state state;
  bool exited = false;
  const auto give_up = std::chrono::steady_clock::now() + s.ready_timeout;
  while (!state.ready && !state.port_taken && !exited && std::chrono::steady_clock::now() < give_up) {
    if (piped) {
      pollfd p{err_pipe[0], POLLIN, 0};
      const int n = ::poll(&p, 1, 1000);
      if (n < 0 && errno != EINTR) break;
      if (n <= 0) continue;
      std::array<char, 1024> buf{};
      const ssize_t got = ::read(err_pipe[0], buf.data(), buf.size());
      if (got < 0 && errno == EINTR) continue;
      exited = got <= 0;
      if (got > 0) text.append(buf.data(), static_cast<std::size_t>(got));
    } else {
      text = read_from(s.log_file, log_start);
      int status = 0;
      exited = ::waitpid(pid, &status, WNOHANG) == pid;
      if (exited) sshd->pid_ = -1;  // reaped here
      if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    state = read_state(text, listeners);
  }
  if (piped) append_to(s.log_file, text);
  if (state.ready) {
    if (piped) {
      sshd->wake_read_ = wake[0];
      sshd->wake_write_ = wake[1];
      const int out = s.log_file.empty() ? -1 : ::open(s.log_file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
      sshd->drain_ = std::thread(drain_log, err_pipe[0], wake[0], out);
    }
    return sshd;
  }
  close_all();
  sshd->stop(true);
  port_taken = state.port_taken || text.find("Address already in use") != std::string::npos;
  const std::string what = text.empty() && std::chrono::steady_clock::now() >= give_up
                               ? "sshd did not report listening within " + std::to_string(s.ready_timeout.count()) + " s"
                               : std::string{"sshd did not start"};
  const std::string where = s.log_file.empty() ? std::string{} : " (log " + s.log_file.string() + ")";
  return fail(errc::bad_config, what + where + ": " + tail(text));
}

sshd_process::~sshd_process() { stop(); }

void sshd_process::stop(bool hard) {
  if (pid_ > 0) {
    end_processes(pid_, marker_, hard);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }
  if (drain_.joinable()) {
    write_all(wake_write_, "x", 1);
    drain_.join();
  }
  for (int* fd : {&wake_read_, &wake_write_}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
}

}  // namespace rio::kernel::sandbox::detail
