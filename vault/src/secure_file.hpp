#pragma once
// Durable, private file operations. Temp files are created 0600 with O_EXCL in the target's
// directory, written, fsynced, renamed over the target, and the directory is fsynced, so a crash
// leaves either the old file or the new one, never a mix.

#include <rio/vault/error.hpp>
#include <rio/vault/fault_hook.hpp>
#include <rio/vault/secret.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace rio::vault::detail {

namespace fs = std::filesystem;

void fire(const fault_hook& hook, std::string_view step);

/** The temp name used for `target` ("<target>.tmp"); stale ones are removed under the lock. */
fs::path temp_path_for(const fs::path& target);

/** The whole file, or nullopt when it does not exist. Errors: io_error. */
[[nodiscard]] result<std::optional<std::string>> read_file_if_exists(const fs::path& file);

/**
 * The same, but `file` itself must be a regular file, not a symbolic link (O_NOFOLLOW, checked on
 * the open descriptor). Errors: invalid_argument naming the link and its target, io_error.
 */
[[nodiscard]] result<std::optional<std::string>> read_regular_file_if_exists(const fs::path& file);

/**
 * A key file's contents in wiping memory, or nullopt when it does not exist. Refuses
 * (unsafe_key_file) a file that is not regular or has any group/other permission bit set.
 */
[[nodiscard]] result<std::optional<secret>> read_private_file(const fs::path& file);

/** Creates `dir` (and parents) when missing, the last component with `mode`. Errors: io_error. */
[[nodiscard]] result<void> ensure_directory(const fs::path& dir, unsigned mode);

/** A written and fsynced temp file waiting to be renamed over its target. */
struct staged_file {
  fs::path temp;
  fs::path target;
};

/** Writes `bytes` to temp_path_for(target) (0600, O_EXCL) and fsyncs it. Step names: `<step>.write`, `<step>.fsync`. */
[[nodiscard]] result<staged_file> stage_file(const fs::path& target, std::string_view bytes, const fault_hook& hook,
                                             std::string_view step);

/** Renames the temp over the target and fsyncs the directory. Steps: `<step>.rename`, `<step>.fsync_dir`. */
[[nodiscard]] result<void> commit_file(const staged_file& staged, const fault_hook& hook, std::string_view step);

/** stage_file + commit_file; the temp is removed if anything fails. */
[[nodiscard]] result<void> write_file_atomic(const fs::path& target, std::string_view bytes, const fault_hook& hook,
                                             std::string_view step);

/** fsync(2) of a directory, so a rename or link in it is durable. Errors: io_error. */
[[nodiscard]] result<void> fsync_directory(const fs::path& dir);

/** Unlinks `file` (missing is fine) and fsyncs its directory. Steps: `<step>.unlink`, `<step>.fsync_dir`. */
[[nodiscard]] result<void> remove_file_durably(const fs::path& file, const fault_hook& hook, std::string_view step);

/**
 * Best effort against plaintext lingering in freed blocks: opens `file` now, and scrub() later
 * overwrites that inode with zeros and fsyncs it, even after the path was renamed over or
 * unlinked. (Copy-on-write file systems and SSDs may keep old blocks regardless.)
 */
class scrubber {
 public:
  explicit scrubber(const fs::path& file) noexcept;
  scrubber(const scrubber&) = delete;
  scrubber& operator=(const scrubber&) = delete;
  ~scrubber();
  void scrub() noexcept;

 private:
  int fd_ = -1;
};

/** Removes a temp file left by a crashed writer; call only while holding the exclusive lock. */
void remove_stale_temp(const fs::path& target) noexcept;

/** "<what> <path>: <strerror(errno)>" as an io_error. */
sdk::error io_failure(std::string_view what, const fs::path& path, int err);

}  // namespace rio::vault::detail
