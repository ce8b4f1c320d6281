#pragma once
// Fernet (https://github.com/fernet/spec), the format of the Python original's vault: a token is
// base64url(0x80 || 64-bit big-endian timestamp || 16-byte IV || AES-128-CBC(PKCS7 plaintext) ||
// HMAC-SHA256 over everything before it). The 32-byte key splits into the HMAC signing key (first
// 16 bytes) and the AES key (last 16). rio only reads it, to import old vaults; encryption exists
// for tests and interoperability checks against the specification's vectors.

#include <rio/vault/error.hpp>
#include <rio/vault/master_key.hpp>
#include <rio/vault/secret.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rio::vault {

/** Optional time check of the spec's "Verifying" step 3 (the original never enforced one). */
struct fernet_time_check {
  std::int64_t now = 0;          ///< seconds since the epoch
  std::int64_t ttl_seconds = 0;  ///< maximum token age
  std::int64_t max_clock_skew = 60;  ///< how far in the future a timestamp may be
};

/**
 * Verifies and decrypts a token. Errors (no path in the message; callers add it):
 * corrupt_file for bad base64, a wrong version byte or a malformed length; decrypt_failed for an
 * HMAC mismatch, bad padding, an expired or far-future timestamp; crypto_unavailable when
 * libcrypto fails.
 */
[[nodiscard]] result<secret> fernet_decrypt(std::string_view token, const master_key& key,
                                            std::optional<fernet_time_check> time_check = std::nullopt);

/** Encrypts with the given timestamp and 16-byte IV (deterministic; tests and vectors). */
[[nodiscard]] result<std::string> fernet_encrypt(std::string_view plaintext, const master_key& key,
                                                 std::uint64_t timestamp, std::string_view iv);

}  // namespace rio::vault
