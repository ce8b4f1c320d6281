#include <rio/vault/audit_log.hpp>

#include "secure_file.hpp"

#include <boost/json/serialize.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include <fcntl.h>
#include <unistd.h>

namespace rio::vault {

std::string utc_timestamp(std::chrono::system_clock::time_point when) {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(when.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char text[96];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(micros % 1'000'000));
  return text;
}

result<void> audit_log::append(std::string_view event, std::string_view timestamp,
                               const boost::json::object& fields) const {
  boost::json::object record;
  record["event"] = event;
  record["timestamp"] = timestamp;
  for (const auto& field : fields) record[field.key()] = field.value();
  std::string line = boost::json::serialize(record);
  line += '\n';

  if (auto dir = detail::ensure_directory(file_.parent_path(), 0750); !dir) {
    return fail(errc::audit_failed, "audit log " + file_.string() + ": " + dir.error().message);
  }
  int fd = ::open(file_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return fail(errc::audit_failed, "cannot open audit log " + file_.string() + ": " + std::strerror(errno));
  ssize_t n;
  do {
    n = ::write(fd, line.data(), line.size());
  } while (n < 0 && errno == EINTR);
  const int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(line.size())) {
    return fail(errc::audit_failed, "cannot append to audit log " + file_.string() + ": " +
                                        (n < 0 ? std::strerror(err) : "short write"));
  }
  return {};
}

}  // namespace rio::vault
