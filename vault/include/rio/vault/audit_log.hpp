#pragma once
// The security audit log: one JSON object per line in <root>/logs/security.log, starting with
// "event" and "timestamp" (ISO 8601 UTC with microseconds and a Z), as the original wrote it in
// CLI mode. Lines carry provider names, key names, override names, flags, paths and key
// fingerprints, never a value.

#include <rio/vault/error.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

namespace rio::vault {

/** "2024-05-01T12:00:00.123456Z". */
std::string utc_timestamp(std::chrono::system_clock::time_point when);

class audit_log {
 public:
  explicit audit_log(std::filesystem::path file) : file_(std::move(file)) {}

  /**
   * Appends {"event":event,"timestamp":timestamp, ...fields} as one line with a single
   * O_APPEND write (lines from concurrent processes never interleave). The file is created 0600
   * and its directory 0750. Errors: audit_failed naming the file.
   */
  [[nodiscard]] result<void> append(std::string_view event, std::string_view timestamp,
                                    const boost::json::object& fields) const;

  const std::filesystem::path& file() const noexcept { return file_; }

 private:
  std::filesystem::path file_;
};

}  // namespace rio::vault
