#pragma once
// The bytes of an upload, produced in chunks so a large file or tree is never held in memory:
// a regular file as it is, a directory as a POSIX ustar stream (what `tar -x` reads on the host).

#include <rio/kernel/ssh/error.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace rio::kernel::ssh {

class upload_source {
 public:
  /**
   * Opens `local`: a regular file, or a directory whose entries are regular files and
   * directories (symlinks and special files are refused, naming the path, so nothing outside the
   * tree leaks into the upload). Errors: errc::upload_failed.
   */
  static result<std::unique_ptr<upload_source>> open(const std::filesystem::path& local);

  virtual ~upload_source() = default;

  /** Fills `out`; returns the bytes written, 0 at the end. Errors: errc::upload_failed. */
  virtual result<std::size_t> read(std::span<char> out) = 0;

  /** Whether the source is a directory (tar stream). */
  virtual bool is_directory() const noexcept = 0;

  /** Payload bytes (file contents), for reports. */
  virtual std::uint64_t payload_bytes() const noexcept = 0;
};

}  // namespace rio::kernel::ssh
