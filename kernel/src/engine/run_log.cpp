#include <rio/kernel/engine/run_log.hpp>

#include <rio/kernel/engine/durable_file.hpp>
#include <rio/kernel/engine/status_manifest.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <utility>

namespace rio::kernel::engine {

std::string escape_control(std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

result<run_log> run_log::open(const std::filesystem::path& file, std::string run_id, const redactor* redact) {
  if (auto dir = ensure_directory(file.parent_path()); !dir) return dir.error();
  int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
  if (fd < 0) return fail(errc::io_error, "cannot open log " + file.string() + ": " + std::strerror(errno));
  return run_log{fd, file, std::move(run_id), redact};
}

run_log::run_log(int fd, std::filesystem::path path, std::string run_id, const redactor* redact)
    : fd_(fd), path_(std::move(path)), run_id_(std::move(run_id)), redact_(redact) {}

run_log::run_log(run_log&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)),
      path_(std::move(o.path_)),
      run_id_(std::move(o.run_id_)),
      redact_(o.redact_),
      failed_(o.failed_),
      tap_(std::move(o.tap_)) {}

run_log& run_log::operator=(run_log&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
    path_ = std::move(o.path_);
    run_id_ = std::move(o.run_id_);
    redact_ = o.redact_;
    failed_ = o.failed_;
    tap_ = std::move(o.tap_);
  }
  return *this;
}

run_log::~run_log() {
  if (fd_ >= 0) ::close(fd_);
}

void run_log::line(std::string_view message) {
  // Redact first, escape second: a secret split by an escape could not be found afterwards.
  std::string body = "run=" + run_id_ + " " + escape_control(redact_ ? redact_->apply(message) : std::string{message});
  std::string text = "[" + utc_timestamp() + "] " + body + "\n";
  // One write per line on O_APPEND: the kernel places it atomically at the end of the file.
  std::string_view rest = text;
  while (!rest.empty() && fd_ >= 0) {
    ssize_t n = ::write(fd_, rest.data(), rest.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      failed_ = true;
      break;
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  if (tap_) tap_(body);
}

void run_log::module_line(std::string_view module, std::string_view message) {
  std::string text = "[";
  text += module;
  text += "] ";
  text += message;
  line(text);
}

}  // namespace rio::kernel::engine
