#include "sshd_process.hpp"

#include <rio/kernel/sandbox/local_process.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

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


// `program -D [-e | -E log] -f config`.
std::vector<std::string> sshd_args(const sshd_settings& s, const fs::path& config) {
  std::vector<std::string> args{s.program.string(), "-D"};
  if (s.log == sshd_log::pipe) {
    args.emplace_back("-e");
  } else {
    args.insert(args.end(), {"-E", s.log_file.string()});
  }
  args.insert(args.end(), {"-f", config.string()});
  return args;
}

struct wait_outcome {
  std::string log;  // what sshd logged while starting
  start_state state;
  bool reaped = false;     // sshd exited and was reaped here (file mode)
  bool timed_out = false;  // neither ready nor gone by ready_timeout
};

// sshd's own "Server listening on" lines are the readiness signal. Through the pipe (`log_fd`),
// EOF means it exited; from a file (log_fd -1, nothing to wait on) the file is re-read every
// 10 ms from `log_start` and sshd's exit checked.
wait_outcome wait_until_listening(pid_t pid, int log_fd, const sshd_settings& s, std::size_t log_start,
                                  std::size_t listeners) {
  wait_outcome out;
  bool exited = false;
  const auto give_up = std::chrono::steady_clock::now() + s.ready_timeout;
  while (!out.state.ready && !out.state.port_taken && !exited && std::chrono::steady_clock::now() < give_up) {
    if (log_fd >= 0) {
      pollfd p{log_fd, POLLIN, 0};
      const int n = ::poll(&p, 1, 1000);
      if (n < 0 && errno != EINTR) break;
      if (n <= 0) continue;
      std::array<char, 1024> buf{};
      const ssize_t got = ::read(log_fd, buf.data(), buf.size());
      if (got < 0 && errno == EINTR) continue;
      exited = got <= 0;
      if (got > 0) out.log.append(buf.data(), static_cast<std::size_t>(got));
    } else {
      out.log = read_from(s.log_file, log_start);
      int status = 0;
      exited = out.reaped = ::waitpid(pid, &status, WNOHANG) == pid;
      if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    out.state = read_state(out.log, listeners);
  }
  out.timed_out = !out.state.ready && !out.state.port_taken && !exited;
  return out;
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
  auto args = sshd_args(s, config);
  auto envp = c_strings(env);
  auto argv = c_strings(args);
  const std::size_t log_start = piped ? 0 : size_of(s.log_file);
  int error = 0;
  const pid_t pid = spawn_child({argv[0], argv.data(), envp.data(), err_pipe[1], s.own_process_group, s.die_with_parent},
                                error);
  if (err_pipe[1] >= 0) ::close(err_pipe[1]);
  err_pipe[1] = -1;
  if (pid < 0) {
    close_all();
    return fail(errc::bad_config, "cannot start " + args[0] + ": " + std::strerror(error));
  }
  std::unique_ptr<sshd_process> sshd{new sshd_process(pid, s.marker)};

  auto waited = wait_until_listening(pid, err_pipe[0], s, log_start, listeners);
  if (waited.reaped) sshd->pid_ = -1;
  if (piped) append_to(s.log_file, waited.log);
  if (waited.state.ready) {
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
  const std::string& text = waited.log;
  port_taken = waited.state.port_taken || text.find("Address already in use") != std::string::npos;
  const bool silent = text.empty() && waited.timed_out;
  const std::string what = silent ? "sshd did not report listening within " + std::to_string(s.ready_timeout.count()) + " s"
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
