#include <rio/http/token_file.hpp>

#include "http_error.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace rio::http {
namespace {

std::string octal_mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// Why the opened file may not hold a token, or empty.
std::string unsafe_because(const struct stat& st, const std::string& name) {
  if (!S_ISREG(st.st_mode)) return name + " is not a regular file";
  if (st.st_uid != ::geteuid()) {
    return name + " belongs to uid " + std::to_string(st.st_uid) + ", not to the user running rio (uid " + std::to_string(::geteuid()) +
           "): use a copy of your own, then run: chmod 600 " + name;
  }
  if ((st.st_mode & 077) != 0) {
    return name + " can be read or changed by other users (mode " + octal_mode(st.st_mode) + "); run: chmod 600 " + name;
  }
  return {};
}

}  // namespace

sdk::result<vault::secret> read_token_file(const std::filesystem::path& file) {
  const std::string name = file.string();
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return fail(errc::bad_token_file, "cannot read the token file " + name + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return fail(errc::bad_token_file, "cannot check the token file " + name + ": " + std::strerror(err));
  }
  if (auto why = unsafe_because(st, name); !why.empty()) {
    ::close(fd);
    return fail(errc::unsafe_token_file, "refusing the token file: " + why);
  }
  vault::secret token;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || token.size() > 64 * 1024) break;
    token.append(std::string_view{buf, static_cast<std::size_t>(n)});
  }
  ::explicit_bzero(buf, sizeof buf);
  ::close(fd);
  std::size_t keep = token.size();
  while (keep > 0 && (token.data()[keep - 1] == '\n' || token.data()[keep - 1] == '\r' || token.data()[keep - 1] == ' ')) --keep;
  token.truncate(keep);
  if (token.size() < min_token_length) {
    return fail(errc::bad_token_file, "the API token in " + name + " is shorter than " + std::to_string(min_token_length) + " characters");
  }
  return token;
}

}  // namespace rio::http
