#pragma once
// Reading a secret value that an operator types or pipes in, without a stream buffer keeping a
// copy and without echoing it on a terminal. The CLI uses this for `rio vault set`.

#include <rio/vault/error.hpp>
#include <rio/vault/secret.hpp>

#include <filesystem>

namespace rio::vault {

/**
 * Reads from descriptor `fd`. On a terminal, echo is switched off for the duration and one line
 * is read; otherwise everything up to end of file. One trailing "\n" or "\r\n" is removed.
 * Errors: io_error.
 */
[[nodiscard]] result<secret> read_secret(int fd);

/** The same for a file's contents. Errors: io_error naming the file. */
[[nodiscard]] result<secret> read_secret_file(const std::filesystem::path& file);

}  // namespace rio::vault
