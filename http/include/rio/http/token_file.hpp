#pragma once
// `rio serve --token-file FILE`: the API token, from a file only its owner can read. Like
// OpenSSH's StrictModes for private keys, a token file that others can read (any group or other
// permission bit), that belongs to someone else, or that is not a regular file is refused, not
// used with a warning: whoever can read it can drive the server.

#include <rio/sdk/error.hpp>
#include <rio/vault/secret.hpp>

#include <filesystem>

namespace rio::http {

/** At least this many characters, from the file or RIO_API_TOKEN. */
inline constexpr std::size_t min_token_length = 16;

/**
 * The token in `file`, trailing whitespace removed. The checks are made on the opened file, so a
 * swap between check and read changes nothing. Errors: errc::unsafe_token_file (the message says
 * `chmod 600 FILE`, or who owns it), errc::bad_token_file (cannot be read, too short).
 */
sdk::result<vault::secret> read_token_file(const std::filesystem::path& file);

}  // namespace rio::http
