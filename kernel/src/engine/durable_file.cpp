#include <rio/kernel/engine/durable_file.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <limits>
#include <string_view>
#include <utility>

namespace rio::kernel::engine {
namespace fs = std::filesystem;
namespace {

sdk::error io_failure(std::string_view what, const fs::path& path, int err) {
  return fail(errc::io_error, std::string{what} + " " + path.string() + ": " + std::strerror(err));
}

class fd_guard {
 public:
  explicit fd_guard(int fd) noexcept : fd_(fd) {}
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  ~fd_guard() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Unique per process and call: two processes (or two hosts of one fleet) never share a temp file.
fs::path temp_name(const fs::path& target) {
  static std::atomic<unsigned> counter{0};
  return fs::path{target.string() + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++)};
}

}  // namespace

result<void> ensure_directory(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec && !fs::is_directory(dir)) return fail(errc::io_error, "cannot create directory " + dir.string() + ": " + ec.message());
  return {};
}

result<void> write_file_atomic(const fs::path& target, std::string_view bytes, unsigned mode) {
  const fs::path temp = temp_name(target);
  fd_guard fd{::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, static_cast<mode_t>(mode))};
  if (fd.get() < 0) return io_failure("cannot create", temp, errno);
  if (!write_all(fd.get(), bytes) || ::fsync(fd.get()) != 0 || ::close(fd.release()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return io_failure("cannot write", temp, err);
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return io_failure("cannot rename into place", target, err);
  }
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path{"."};
  fd_guard dfd{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (dfd.get() < 0 || ::fsync(dfd.get()) != 0) return io_failure("cannot fsync directory", dir, errno);
  return {};
}

std::size_t remove_stale_temp_files(const fs::path& target) {
  const std::string prefix = target.filename().string() + ".tmp.";
  std::size_t removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator{target.parent_path(), ec}) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(prefix)) continue;
    // Exactly "<pid>.<counter>", as temp_name() makes them: anything else (another host's
    // manifest whose token merely starts the same way) is not ours to touch.
    const std::string_view rest = std::string_view{name}.substr(prefix.size());
    const auto dot = rest.find('.');
    auto digits = [](std::string_view s) {
      return !s.empty() && s.size() <= 10 && s.find_first_not_of("0123456789") == std::string_view::npos;
    };
    if (dot == std::string_view::npos || !digits(rest.substr(0, dot)) || !digits(rest.substr(dot + 1))) continue;
    const long pid = std::stol(std::string{rest.substr(0, dot)});
    if (pid <= 0 || pid > std::numeric_limits<pid_t>::max() || pid == ::getpid()) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // its writer may still run
    if (::unlink(entry.path().c_str()) == 0) ++removed;
  }
  return removed;
}

result<std::optional<std::string>> read_file_if_exists(const fs::path& file) {
  fd_guard fd{::open(file.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::optional<std::string>{};
    return io_failure("cannot open", file, errno);
  }
  std::string text;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_failure("cannot read", file, errno);
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  return std::optional<std::string>{std::move(text)};
}

}  // namespace rio::kernel::engine
