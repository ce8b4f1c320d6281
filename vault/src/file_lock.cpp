#include "file_lock.hpp"

#include "secure_file.hpp"

#include <cerrno>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace rio::vault::detail {

result<file_lock> file_lock::acquire(const std::filesystem::path& file, mode m) {
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  // A read-only config directory still allows shared reads: flock works on read-only descriptors.
  if (fd < 0 && m == mode::shared && (errno == EACCES || errno == EROFS)) {
    fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  }
  if (fd < 0) return io_failure("cannot open lock file", file, errno);
  const int op = m == mode::exclusive ? LOCK_EX : LOCK_SH;
  while (::flock(fd, op) != 0) {
    if (errno == EINTR) continue;
    int err = errno;
    ::close(fd);
    return io_failure("cannot lock", file, err);
  }
  return file_lock{fd};
}

file_lock::file_lock(file_lock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

file_lock::~file_lock() {
  // Closing the descriptor releases the flock.
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace rio::vault::detail
