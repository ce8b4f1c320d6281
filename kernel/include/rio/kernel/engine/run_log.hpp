#pragma once
// logs/remote/install/<token>.log: one line per event, `[<UTC timestamp>] run=<id> <message>`,
// appended with one write(2) per line on an O_APPEND descriptor, so lines from separate writers
// never interleave within a line. Every line is redacted, and control characters (newlines from
// remote output or from a host name included) are escaped as \n, \r, \t or \xHH: one event can
// never forge another line.

#include <rio/kernel/engine/redactor.hpp>
#include <rio/kernel/error.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace rio::kernel::engine {

/** `text` with control characters escaped (no newline survives). */
std::string escape_control(std::string_view text);

class run_log {
 public:
  /** Opens (creating 0640 and the directory) for appending. Errors: errc::io_error. */
  static result<run_log> open(const std::filesystem::path& file, std::string run_id, const redactor* redact);

  run_log(run_log&&) noexcept;
  run_log& operator=(run_log&&) noexcept;
  ~run_log();

  /** Appends one line. Write failures are remembered (see failed()), never thrown. */
  void line(std::string_view message);
  /** "[module] message". */
  void module_line(std::string_view module, std::string_view message);

  /** Observes every written line (already redacted and escaped, without the timestamp prefix). */
  void on_line(std::function<void(std::string_view)> tap) { tap_ = std::move(tap); }

  const std::filesystem::path& path() const noexcept { return path_; }
  bool failed() const noexcept { return failed_; }

 private:
  run_log(int fd, std::filesystem::path path, std::string run_id, const redactor* redact);
  int fd_ = -1;
  std::filesystem::path path_;
  std::string run_id_;
  const redactor* redact_ = nullptr;
  bool failed_ = false;
  std::function<void(std::string_view)> tap_;
};

}  // namespace rio::kernel::engine
