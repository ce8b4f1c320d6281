#include "secure_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <string.h>  // explicit_bzero
#include <unistd.h>

#include <algorithm>
#include <utility>

namespace rio::vault::detail {
namespace {

// Owns a file descriptor; closing is part of the happy path only where the close result matters.
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

fs::path parent_of(const fs::path& file) {
  auto dir = file.parent_path();
  return dir.empty() ? fs::path{"."} : dir;
}

}  // namespace

sdk::error io_failure(std::string_view what, const fs::path& path, int err) {
  return fail(errc::io_error, std::string{what} + " " + path.string() + ": " + std::strerror(err));
}

result<void> fsync_directory(const fs::path& dir) {
  fd_guard fd{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (fd.get() < 0) return io_failure("cannot open directory", dir, errno);
  if (::fsync(fd.get()) != 0) return io_failure("cannot fsync directory", dir, errno);
  return {};
}

void fire(const fault_hook& hook, std::string_view step) {
  if (hook) hook(step);
}

fs::path temp_path_for(const fs::path& target) { return fs::path{target.string() + ".tmp"}; }

namespace {

result<std::optional<std::string>> read_all(int raw_fd, const fs::path& file) {
  fd_guard fd{raw_fd};
  std::string text;
  char buf[8192];
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

std::string link_target(const fs::path& file) {
  std::error_code ec;
  auto target = fs::read_symlink(file, ec);
  return ec ? std::string{"?"} : target.string();
}

}  // namespace

result<std::optional<std::string>> read_file_if_exists(const fs::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>{};
    return io_failure("cannot open", file, errno);
  }
  return read_all(fd, file);
}

result<std::optional<std::string>> read_regular_file_if_exists(const fs::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>{};
    if (errno == ELOOP) {
      return fail(errc::invalid_argument, file.string() + " is a symbolic link to " + link_target(file) +
                                              "; refused: only a regular file is read here");
    }
    return io_failure("cannot open", file, errno);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(errc::invalid_argument, file.string() + " is not a regular file; refused");
  }
  return read_all(fd, file);
}

result<std::optional<secret>> read_private_file(const fs::path& file) {
  // O_NOFOLLOW: a key reached through a link is a key whoever controls the link chooses, and its
  // own mode says nothing about the link's directory (OpenSSH's StrictModes refuses such keys).
  // O_NONBLOCK: a planted FIFO must not hang the open; it is then refused as not regular.
  fd_guard fd{::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)};
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::optional<secret>{};
    if (errno == ELOOP) {
      return fail(errc::unsafe_key_file, file.string() + ": refused, it is a symbolic link (to " + link_target(file) +
                                             "); replace it by the key file itself, mode 600");
    }
    return io_failure("cannot open", file, errno);
  }
  // fstat on the open descriptor: the checked file is the file read (no check-then-open race).
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return io_failure("cannot stat", file, errno);
  if (!S_ISREG(st.st_mode)) return fail(errc::unsafe_key_file, file.string() + ": not a regular file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return fail(errc::unsafe_key_file, file.string() + ": refused, mode " + mode +
                                           " lets group or others access it; run: chmod 600 " + file.string());
  }
  secret text;
  char buf[512];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::explicit_bzero(buf, sizeof buf);
      return io_failure("cannot read", file, errno);
    }
    if (n == 0) break;
    text.append(std::string_view{buf, static_cast<std::size_t>(n)});
  }
  ::explicit_bzero(buf, sizeof buf);
  return std::optional<secret>{std::move(text)};
}

result<void> ensure_directory(const fs::path& dir, unsigned mode) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return {};
  if (!dir.parent_path().empty()) fs::create_directories(dir.parent_path(), ec);
  if (::mkdir(dir.c_str(), static_cast<mode_t>(mode)) != 0 && errno != EEXIST) {
    return io_failure("cannot create directory", dir, errno);
  }
  return {};
}

result<staged_file> stage_file(const fs::path& target, std::string_view bytes, const fault_hook& hook,
                               std::string_view step) {
  staged_file staged{temp_path_for(target), target};
  const std::string name{step};
  fire(hook, name + ".write");
  // O_EXCL|O_NOFOLLOW: never write through a planted file or link; 0600 from the first byte.
  ::unlink(staged.temp.c_str());
  fd_guard fd{::open(staged.temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)};
  if (fd.get() < 0) return io_failure("cannot create", staged.temp, errno);
  if (!write_all(fd.get(), bytes)) {
    int err = errno;
    ::unlink(staged.temp.c_str());
    return io_failure("cannot write", staged.temp, err);
  }
  fire(hook, name + ".fsync");
  if (::fsync(fd.get()) != 0 || ::close(fd.release()) != 0) {
    int err = errno;
    ::unlink(staged.temp.c_str());
    return io_failure("cannot fsync", staged.temp, err);
  }
  return staged;
}

result<void> commit_file(const staged_file& staged, const fault_hook& hook, std::string_view step) {
  const std::string name{step};
  fire(hook, name + ".rename");
  if (::rename(staged.temp.c_str(), staged.target.c_str()) != 0) {
    int err = errno;
    ::unlink(staged.temp.c_str());
    return io_failure("cannot rename into place", staged.target, err);
  }
  fire(hook, name + ".fsync_dir");
  return fsync_directory(parent_of(staged.target));
}

result<void> write_file_atomic(const fs::path& target, std::string_view bytes, const fault_hook& hook,
                               std::string_view step) {
  auto staged = stage_file(target, bytes, hook, step);
  if (!staged) return staged.error();
  return commit_file(*staged, hook, step);
}

result<void> remove_file_durably(const fs::path& file, const fault_hook& hook, std::string_view step) {
  const std::string name{step};
  fire(hook, name + ".unlink");
  if (::unlink(file.c_str()) != 0) {
    if (errno == ENOENT) return {};
    return io_failure("cannot remove", file, errno);
  }
  fire(hook, name + ".fsync_dir");
  return fsync_directory(parent_of(file));
}

scrubber::scrubber(const fs::path& file) noexcept : fd_(::open(file.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC)) {}

scrubber::~scrubber() {
  if (fd_ >= 0) ::close(fd_);
}

void scrubber::scrub() noexcept {
  struct stat st {};
  if (fd_ < 0 || ::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) return;
  static const char zeros[4096] = {};
  if (::lseek(fd_, 0, SEEK_SET) != 0) return;
  for (auto left = static_cast<std::size_t>(st.st_size); left > 0;) {
    const std::size_t n = std::min(left, sizeof zeros);
    if (!write_all(fd_, std::string_view{zeros, n})) return;
    left -= n;
  }
  (void)::fsync(fd_);
}

void remove_stale_temp(const fs::path& target) noexcept { ::unlink(temp_path_for(target).c_str()); }

}  // namespace rio::vault::detail
