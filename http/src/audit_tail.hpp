#pragma once
// GET /api/security/audit's read of the security log: the last lines of a file that may be large
// (the vault appends to it forever; rio does not rotate it), so only its final bytes are read.

#include <rio/sdk/error.hpp>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace rio::http::detail {

struct audit_tail {
  bool exists = false;
  std::vector<std::string> lines;  ///< the last non-empty lines, trimmed, oldest first
  double modified = 0;             ///< the file's mtime, seconds since the epoch (the original's float)
};

/**
 * The last `limit` non-empty lines among the final `window` bytes of `file` (a first line cut by
 * the window is dropped). A missing file is `exists == false`, not an error. The file is opened
 * without following a symlink and must be a regular file: the route never reads anything else.
 */
sdk::result<audit_tail> read_audit_tail(const std::filesystem::path& file, std::size_t limit,
                                        std::size_t window = std::size_t{1} << 20);

}  // namespace rio::http::detail
