#pragma once
// known_hosts text as rio hands it to libssh2, and the fingerprints shown in host-key messages.
// Kept apart from host_key_check.cpp (which needs a live session) so the fuzz target
// tests/fuzz/known_hosts_fuzz.cpp can feed it any text without a socket.

#include <libssh2.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace rio::kernel::ssh::detail {

/**
 * Adds the entries of one known_hosts file's text to `known`, line by line: blank lines,
 * comments and marker lines (@cert-authority, @revoked) are skipped, and so is every line
 * libssh2 cannot read, as OpenSSH skips what it does not understand. Returns the number of
 * lines libssh2 read without an error (it quietly ignores some, such as an unknown key type
 * without a key, and adds one entry per name of a `name1,name2` list).
 */
std::size_t add_known_hosts_text(LIBSSH2_KNOWNHOSTS* known, std::string_view text);

/** `line` with the plain names of its host field in canonical spelling (ssh::canonical_host). */
std::string canonical_host_field(std::string_view line);

/** The same for a file; a missing or unreadable file adds nothing. */
void load_known_hosts(LIBSSH2_KNOWNHOSTS* known, const std::filesystem::path& file);

/** OpenSSH's "SHA256:<unpadded base64>" fingerprint of a key blob. */
std::string fingerprint_of(const unsigned char* blob, std::size_t len);

/** The fingerprint of a key stored as base64 (libssh2_knownhost::key); "SHA256:?" if it does not decode. */
std::string fingerprint_of_base64(const char* key_b64);

}  // namespace rio::kernel::ssh::detail
