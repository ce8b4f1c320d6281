#include <rio/kernel/sandbox/sshd_process.hpp>

#include <rio/kernel/sandbox/local_process.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
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

// Copies sshd's stderr into its log file until every sshd process has closed it (EOF) or stop()
// wakes it; sshd would block on a full pipe otherwise.
void drain_log(int log_read, int wake_read, const fs::path& log_file) {
  const int out = ::open(log_file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
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

// rio's environment with `marker` instead of any marker rio itself inherited.
std::vector<std::string> environment_with(const std::string& marker) {
  const std::string name = marker.substr(0, marker.find('=') + 1);
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    if (!std::string_view{*e}.starts_with(name)) env.emplace_back(*e);
  }
  env.push_back(marker);
  return env;
}

}  // namespace

result<std::unique_ptr<sshd_process>> sshd_process::start(const fs::path& program, const fs::path& config,
                                                          const std::string& marker, const fs::path& log_file,
                                                          std::chrono::seconds ready_timeout, bool& port_taken,
                                                          const std::vector<std::string>& extra_env) {
  port_taken = false;
  int err_pipe[2];
  int wake[2];
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return fail(errc::bad_config, std::string{"pipe: "} + std::strerror(errno));
  if (::pipe2(wake, O_CLOEXEC) != 0) {
    ::close(err_pipe[0]);
    ::close(err_pipe[1]);
    return fail(errc::bad_config, std::string{"pipe: "} + std::strerror(errno));
  }

  auto env = environment_with(marker);
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string exe = program.string();
  const std::string cfg = config.string();
  std::array<const char*, 6> argv{exe.c_str(), "-D", "-e", "-f", cfg.c_str(), nullptr};
  pid_t pid = -1;
  const int rc = spawn_with_output(exe, const_cast<char* const*>(argv.data()), envp.data(), err_pipe[1], pid);
  ::close(err_pipe[1]);
  if (rc != 0) {
    for (int fd : {err_pipe[0], wake[0], wake[1]}) ::close(fd);
    return fail(errc::bad_config, "cannot start " + exe + ": " + std::strerror(rc));
  }
  std::unique_ptr<sshd_process> sshd{new sshd_process(pid, marker)};

  // sshd's own "Server listening on" line is the readiness signal; EOF means it exited.
  std::string text;
  bool ready = false;
  const auto give_up = std::chrono::steady_clock::now() + ready_timeout;
  while (!ready && std::chrono::steady_clock::now() < give_up) {
    pollfd p{err_pipe[0], POLLIN, 0};
    const int n = ::poll(&p, 1, 1000);
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;
    std::array<char, 1024> buf{};
    const ssize_t got = ::read(err_pipe[0], buf.data(), buf.size());
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    text.append(buf.data(), static_cast<std::size_t>(got));
    ready = text.find("Server listening on") != std::string::npos;
  }
  append_to(log_file, text);
  if (ready) {
    sshd->wake_read_ = wake[0];
    sshd->wake_write_ = wake[1];
    sshd->drain_ = std::thread(drain_log, err_pipe[0], wake[0], log_file);
    return sshd;
  }
  for (int fd : {err_pipe[0], wake[0], wake[1]}) ::close(fd);
  sshd->stop(true);
  port_taken = text.find("Address already in use") != std::string::npos;
  const std::string what = text.empty() && std::chrono::steady_clock::now() >= give_up
                               ? "sshd did not report listening within " + std::to_string(ready_timeout.count()) + " s"
                               : std::string{"sshd did not start"};
  return fail(errc::bad_config, what + " (log " + log_file.string() + "): " + tail(text));
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
