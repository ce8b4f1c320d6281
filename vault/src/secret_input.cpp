#include <rio/vault/secret_input.hpp>

#include "secure_file.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <string.h>  // explicit_bzero
#include <termios.h>
#include <unistd.h>

namespace rio::vault {
namespace {

// Restores the terminal's echo however the read ends.
class echo_off {
 public:
  explicit echo_off(int fd) noexcept : fd_(fd) {
    if (::tcgetattr(fd_, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = ::tcsetattr(fd_, TCSAFLUSH, &quiet) == 0;
  }
  echo_off(const echo_off&) = delete;
  echo_off& operator=(const echo_off&) = delete;
  ~echo_off() {
    if (active_) ::tcsetattr(fd_, TCSAFLUSH, &saved_);
  }

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

result<secret> read_all(int fd, bool one_line) {
  secret value;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, one_line ? 1 : sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::explicit_bzero(buf, sizeof buf);
      return fail(errc::io_error, std::string{"cannot read the value: "} + std::strerror(err));
    }
    if (n == 0) break;
    value.append(std::string_view{buf, static_cast<std::size_t>(n)});
    if (one_line && buf[0] == '\n') break;
  }
  ::explicit_bzero(buf, sizeof buf);
  std::string_view text = value.reveal();
  value.truncate(text.size() - (text.ends_with("\r\n") ? 2 : text.ends_with('\n') ? 1 : 0));
  return value;
}

}  // namespace

result<secret> read_secret(int fd) {
  if (::isatty(fd) == 1) {
    echo_off quiet{fd};
    return read_all(fd, true);
  }
  return read_all(fd, false);
}

result<secret> read_secret_file(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return detail::io_failure("cannot open", file, errno);
  auto value = read_all(fd, false);
  ::close(fd);
  if (!value) return fail(errc::io_error, file.string() + ": " + value.error().message);
  return value;
}

}  // namespace rio::vault
