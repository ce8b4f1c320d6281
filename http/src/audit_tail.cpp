#include "audit_tail.hpp"

#include "http_error.hpp"
#include "text_util.hpp"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <algorithm>
#include <deque>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace rio::http::detail {
namespace {

// Closes the descriptor on every path out.
struct descriptor {
  int fd;
  ~descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

sdk::error unreadable(const std::filesystem::path& file, const std::string& why) {
  return fail(errc::unreadable_file, "cannot read the security log " + file.string() + ": " + why);
}

sdk::result<std::string> read_at(int fd, const std::filesystem::path& file, off_t offset, std::size_t size) {
  std::string chunk(size, '\0');
  std::size_t got = 0;
  while (got < size) {
    const ssize_t n = ::pread(fd, chunk.data() + got, size - got, offset + static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return unreadable(file, std::strerror(errno));
    if (n == 0) break;  // truncated meanwhile
    got += static_cast<std::size_t>(n);
  }
  chunk.resize(got);
  return chunk;
}

}  // namespace

sdk::result<audit_tail> read_audit_tail(const std::filesystem::path& file, std::size_t limit, std::size_t window) {
  audit_tail out;
  descriptor d{::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)};
  if (d.fd < 0 && errno == ENOENT) return out;
  if (d.fd < 0) return unreadable(file, errno == ELOOP ? "it is a symbolic link" : std::strerror(errno));
  struct stat st {};
  if (::fstat(d.fd, &st) != 0) return unreadable(file, std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return unreadable(file, "not a regular file");
  out.exists = true;
  out.modified = static_cast<double>(st.st_mtim.tv_sec) + static_cast<double>(st.st_mtim.tv_nsec) / 1e9;
  const auto size = static_cast<std::size_t>(st.st_size);
  const std::size_t take = std::min(size, window);
  auto chunk = read_at(d.fd, file, static_cast<off_t>(size - take), take);
  if (!chunk) return chunk.error();
  std::string_view text = *chunk;
  if (take < size) {  // the window starts inside a line: drop it (all of it when no newline follows)
    const auto nl = text.find('\n');
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
  }
  std::deque<std::string> kept;
  for (std::size_t start = 0; start < text.size();) {
    const auto nl = text.find('\n', start);
    const auto line = trim_space(text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
    if (!line.empty()) kept.emplace_back(line);
    if (kept.size() > limit) kept.pop_front();
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  out.lines.assign(kept.begin(), kept.end());
  return out;
}

}  // namespace rio::http::detail
