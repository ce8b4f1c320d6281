#pragma once
// Files the engine must never leave torn: status manifests. Written to a unique temp name in the
// target's directory, fsynced, renamed over the target, then the directory is fsynced, so a crash
// at any point leaves the previous file or the new one.

#include <rio/kernel/error.hpp>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace rio::kernel::engine {

/** Writes `bytes` to `target` atomically with `mode`. Errors: errc::io_error naming the file. */
result<void> write_file_atomic(const std::filesystem::path& target, std::string_view bytes, unsigned mode = 0644);

/**
 * Removes the temp files write_file_atomic(target) left behind when its process died between
 * creating and renaming them (`<target>.tmp.<pid>.<n>`, e.g. after SIGKILL). Only files whose
 * writer no longer runs are removed, and never another process's live one; call it while holding
 * the lock that serialises writers of `target`. Returns how many were removed; a file that cannot
 * be removed is left (harmless: it is never read).
 */
std::size_t remove_stale_temp_files(const std::filesystem::path& target);

/** The whole file, or nullopt when it does not exist. Errors: errc::io_error. */
result<std::optional<std::string>> read_file_if_exists(const std::filesystem::path& file);

/** Creates `dir` and its parents when missing. Errors: errc::io_error. */
result<void> ensure_directory(const std::filesystem::path& dir);

}  // namespace rio::kernel::engine
