#include <rio/kernel/openssh/child_process.hpp>

#include <rio/sdk/coro.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <tuple>
#include <utility>
#include <variant>

namespace rio::kernel::openssh {
namespace asio = boost::asio;

namespace {

// Owns one descriptor until it is handed to Asio or the child.
class unique_fd {
 public:
  unique_fd() = default;
  explicit unique_fd(int fd) : fd_(fd) {}
  unique_fd(unique_fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  unique_fd& operator=(unique_fd&& other) noexcept {
    reset(std::exchange(other.fd_, -1));
    return *this;
  }
  ~unique_fd() { reset(); }
  int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// Moves a descriptor above the standard three: if rio runs with a closed stdin, pipe2 may hand
// out 0, and the child's dup2 onto 0..2 would then overwrite one end with another.
bool lift(unique_fd& fd) {
  if (fd.get() > STDERR_FILENO) return true;
  int moved = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
  if (moved < 0) return false;
  fd.reset(moved);
  return true;
}

bool make_pipe(unique_fd& read_end, unique_fd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  read_end.reset(fds[0]);
  write_end.reset(fds[1]);
  return lift(read_end) && lift(write_end);
}

bool make_socket_pair(unique_fd& parent, unique_fd& child) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return false;
  parent.reset(fds[0]);
  child.reset(fds[1]);
  return lift(parent) && lift(child);
}

// posix_spawn's two attribute objects, destroyed on every path.
struct spawn_setup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  spawn_setup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~spawn_setup() {
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
  }
  spawn_setup(const spawn_setup&) = delete;
  spawn_setup& operator=(const spawn_setup&) = delete;
};

}  // namespace

child_process::child_process(const asio::any_io_executor& executor, pid_t pid)
    : pid_(pid), out_(executor), err_(executor), in_(executor) {}

result<std::unique_ptr<child_process>> child_process::spawn(const asio::any_io_executor& executor,
                                                            const spawn_request& request) {
  auto failed = [&](const char* step, int err) {
    return ssh::fail(ssh::errc::channel_failed,
                     "cannot start " + request.executable.string() + ": " + step + ": " + std::strerror(err));
  };
  unique_fd out_read, out_write, err_read, err_write, in_parent, in_child;
  if (!make_pipe(out_read, out_write) || !make_pipe(err_read, err_write)) return failed("pipe", errno);
  if (request.stdin_stream && !make_socket_pair(in_parent, in_child)) return failed("socketpair", errno);

  spawn_setup s;
  if (request.stdin_stream) {
    posix_spawn_file_actions_adddup2(&s.actions, in_child.get(), STDIN_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&s.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  posix_spawn_file_actions_adddup2(&s.actions, out_write.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&s.actions, err_write.get(), STDERR_FILENO);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
  // Asio does not mark sockets close-on-exec; without this ssh would inherit rio's listeners.
  posix_spawn_file_actions_addclosefrom_np(&s.actions, STDERR_FILENO + 1);
#endif
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&s.attr, &none);
  // rio may ignore SIGPIPE or others; an ignored disposition would survive exec into ssh.
  posix_spawnattr_setsigdefault(&s.attr, &all);
  posix_spawnattr_setflags(&s.attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  const std::string exe = request.executable.string();
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(exe.c_str()));
  for (const auto& a : request.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : request.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, exe.c_str(), &s.actions, &s.attr, argv.data(), envp.data());
  if (rc != 0) return failed("posix_spawn", rc);
  out_write.reset();
  err_write.reset();
  in_child.reset();

  std::unique_ptr<child_process> child{new child_process(executor, pid)};
  child->out_.assign(out_read.release());
  child->err_.assign(err_read.release());
  if (request.stdin_stream) child->in_.assign(asio::local::stream_protocol{}, in_parent.release());
  // pidfd_open marks the descriptor close-on-exec itself. Without it (Linux < 5.3 or a seccomp
  // filter) wait_exit polls with a timer instead.
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd >= 0) child->pidfd_.emplace(executor, pidfd);
  return child;
}

child_process::~child_process() {
  if (exited()) return;
  signal_group(SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

bool child_process::try_reap() noexcept {
  if (status_) return true;
  siginfo_t info{};
  const int w = ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT);
  if (w == 0 && info.si_pid == 0) return false;  // still running
  // ssh ended but is not reaped yet, so its group id is still reserved: whatever it left in the
  // group (a ProxyCommand's children holding our pipes) is ended before the id can be reused.
  if (w == 0) ::kill(-pid_, SIGTERM);
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    status_ = status;
  } else if (r < 0 && errno == ECHILD) {
    // Someone else reaped it (SIGCHLD set to SIG_IGN in the process): it is gone, status unknown.
    status_ = 255 << 8;
  }
  return status_.has_value();
}

void child_process::close_stdin() noexcept {
  boost::system::error_code ignored;
  in_.shutdown(asio::socket_base::shutdown_send, ignored);
  in_.close(ignored);
}

void child_process::signal_group(int sig) noexcept {
  // Until it is reaped the process keeps its pid and group id, so this cannot hit a stranger.
  if (!exited()) ::kill(-pid_, sig);
}

asio::awaitable<void> child_process::wait_exit() {
  using namespace asio::experimental::awaitable_operators;
  auto executor = co_await asio::this_coro::executor;
  auto poll = std::chrono::milliseconds{5};
  while (!try_reap()) {
    boost::system::error_code ec;
    if (pidfd_) {
      // The pidfd becomes readable when the process ends. The timer is a backstop: Asio waits on
      // descriptors edge-triggered, and an edge consumed while no wait was queued is not repeated.
      asio::steady_timer backstop{executor, std::chrono::milliseconds{500}};
      auto outcome = co_await (pidfd_->async_wait(asio::posix::stream_descriptor::wait_read, sdk::use_nothrow) ||
                               backstop.async_wait(sdk::use_nothrow));
      ec = std::get<0>(std::visit([](auto& r) { return r; }, outcome));
      if (ec && ec != asio::error::operation_aborted) {
        pidfd_.reset();  // an unusable pidfd: fall back to polling rather than spin on the error
        continue;
      }
    } else {
      asio::steady_timer timer{executor, poll};
      std::tie(ec) = co_await timer.async_wait(sdk::use_nothrow);
      poll = std::min(poll * 2, std::chrono::milliseconds{100});
    }
    if (ec && !try_reap()) co_return;  // cancelled
  }
}

asio::awaitable<void> child_process::stop(std::chrono::milliseconds grace) {
  using namespace asio::experimental::awaitable_operators;
  if (try_reap()) co_return;
  signal_group(SIGTERM);
  asio::steady_timer timer{co_await asio::this_coro::executor, grace};
  co_await (wait_exit() || timer.async_wait(sdk::use_nothrow));
  if (try_reap()) co_return;
  signal_group(SIGKILL);
  co_await wait_exit();
  if (exited()) co_return;
  // Cancelled again while a killed process was dying: it needs no more than a moment.
  int status = 0;
  pid_t r = -1;
  while ((r = ::waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
  }
  status_ = r == pid_ ? status : 255 << 8;
}

}  // namespace rio::kernel::openssh
