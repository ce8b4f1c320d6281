#pragma once
// Files the engine must never leave torn: status manifests. Written to a unique temp name in the
// target's directory, fsynced, renamed over the target, then the directory is fsynced, so a crash
// at any point leaves the previous file or the new one.

#include <rio/kernel/error.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace rio::kernel::engine {

/** Writes `bytes` to `target` atomically with `mode`. Errors: errc::io_error naming the file. */
result<void> write_file_atomic(const std::filesystem::path& target, std::string_view bytes, unsigned mode = 0644);

/** The whole file, or nullopt when it does not exist. Errors: errc::io_error. */
result<std::optional<std::string>> read_file_if_exists(const std::filesystem::path& file);

/** Creates `dir` and its parents when missing. Errors: errc::io_error. */
result<void> ensure_directory(const std::filesystem::path& dir);

}  // namespace rio::kernel::engine
