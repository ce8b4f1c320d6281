// fork + exec for long-lived children that posix_spawn cannot set up: PR_SET_PDEATHSIG has to be
// asked for by the child itself (the benchmarks' sshd dies with them).
#include <rio/kernel/sandbox/local_process.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace rio::kernel::sandbox::detail {

namespace {

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

// In the child after a failed execve: tell the parent why. Async-signal-safe.
[[noreturn]] void report_and_exit(int fd, int err) {
  const char* data = reinterpret_cast<const char*>(&err);
  std::size_t left = sizeof err;
  while (left > 0) {
    const ssize_t n = ::write(fd, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    data += n;
    left -= static_cast<std::size_t>(n);
  }
  ::_exit(127);
}

}  // namespace

pid_t spawn_child(const child_spec& spec, int& error) {
  // Everything the child needs is made here: after fork, only async-signal-safe calls.
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    error = errno;
    return -1;
  }
  sigset_t none;
  sigemptyset(&none);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  const int max_fd = static_cast<int>(std::min(::sysconf(_SC_OPEN_MAX), 65536L));
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(report[0]);
    if (spec.own_process_group) ::setpgid(0, 0);
    if (spec.die_with_parent) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
    }
    // Default signal handling: the parent's handlers and blocked signals are not the child's.
    for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    const int null_fd = ::open("/dev/null", O_RDWR);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(spec.out_fd >= 0 ? spec.out_fd : null_fd, STDOUT_FILENO);
    ::dup2(spec.out_fd >= 0 ? spec.out_fd : null_fd, STDERR_FILENO);
    // Asio does not mark sockets close-on-exec: the child must not inherit this process's
    // descriptors. `report` is close-on-exec already, so it stays open until execve and closes
    // with it.
    close_from(STDERR_FILENO + 1, report[1], max_fd);
    ::execve(spec.exe, spec.argv, spec.envp);
    report_and_exit(report[1], errno);
  }
  ::close(report[1]);
  if (pid < 0) {
    error = errno;
    ::close(report[0]);
    return -1;
  }
  if (spec.own_process_group) ::setpgid(pid, pid);  // either side may run first
  int err = 0;
  ssize_t got = 0;
  do {
    got = ::read(report[0], &err, sizeof err);
  } while (got < 0 && errno == EINTR);
  ::close(report[0]);
  if (got == static_cast<ssize_t>(sizeof err)) {  // execve failed: the child has exited
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    error = err;
    return -1;
  }
  return pid;
}

}  // namespace rio::kernel::sandbox::detail
