#pragma once
// A local process started with posix_spawn (argv, never a shell) in its own session, with its
// stdout and stderr as pipes and its stdin a socket (or /dev/null), all driven by Asio on the
// caller's executor. Waiting for its exit uses a pidfd, so nothing blocks the executor.

#include <rio/kernel/ssh/error.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rio::kernel::openssh {

struct spawn_request {
  std::filesystem::path executable;  ///< absolute; also argv[0]
  std::vector<std::string> args;     ///< argv[1..]
  std::vector<std::string> env;      ///< the child's whole environment ("NAME=value"); nothing is inherited
  bool stdin_stream = false;         ///< a socket the parent writes to; otherwise stdin is /dev/null
};

class child_process {
 public:
  /**
   * Starts the process. It gets a new session (no controlling terminal, so nothing it starts can
   * prompt on rio's terminal) and therefore its own process group; default signal dispositions;
   * and no descriptor of rio's except its three standard streams.
   * Errors: ssh::errc::channel_failed naming the executable and errno.
   */
  [[nodiscard]] static result<std::unique_ptr<child_process>> spawn(const boost::asio::any_io_executor& executor,
                                                      const spawn_request& request);

  /** Kills the process group and reaps the process if it still runs (a blocking last resort). */
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  boost::asio::posix::stream_descriptor& stdout_pipe() noexcept { return out_; }
  boost::asio::posix::stream_descriptor& stderr_pipe() noexcept { return err_; }
  /** Writes reach the child's stdin; a socket (not a pipe) so a write after the child died
   *  fails with EPIPE instead of raising SIGPIPE in rio. Closed when stdin_stream was false. */
  boost::asio::local::stream_protocol::socket& stdin_socket() noexcept { return in_; }
  /** Ends the child's stdin (EOF), e.g. once everything it should read was written. */
  void close_stdin() noexcept;

  pid_t pid() const noexcept { return pid_; }
  /** Whether the process ended and was reaped. */
  bool exited() const noexcept { return status_.has_value(); }
  /** The waitpid status; only meaningful once exited(). */
  int wait_status() const noexcept { return status_.value_or(0); }

  /**
   * Waits for the process to end and reaps it. Returns at once when it already has; returns
   * early, with exited() still false, when the wait is cancelled.
   */
  boost::asio::awaitable<void> wait_exit();

  /** Sends `sig` to the process group: ssh and whatever it started (ProxyCommand, ProxyJump). */
  void signal_group(int sig) noexcept;

  /** SIGTERM to the group, up to `grace` for the exit, then SIGKILL; always reaps. */
  boost::asio::awaitable<void> stop(std::chrono::milliseconds grace);

 private:
  child_process(const boost::asio::any_io_executor& executor, pid_t pid);
  bool try_reap() noexcept;

  pid_t pid_;
  std::optional<int> status_;
  boost::asio::posix::stream_descriptor out_;
  boost::asio::posix::stream_descriptor err_;
  boost::asio::local::stream_protocol::socket in_;
  std::optional<boost::asio::posix::stream_descriptor> pidfd_;  ///< absent on kernels before 5.3
};

}  // namespace rio::kernel::openssh
