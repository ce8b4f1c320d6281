#pragma once
// The on-disk vault: a JSON envelope around XChaCha20-Poly1305 ciphertext.
//
//   {"version": 2, "algorithm": "xchacha20poly1305-ietf",
//    "kdf": {"algorithm": "argon2id13", "salt": b64, "opslimit": n, "memlimit": n},  (passphrase only)
//    "nonce": b64(24 bytes), "ciphertext": b64(ciphertext || 16-byte tag),
//    "fingerprint": "<16 hex>", "updated_at": "<ISO UTC>"}
//
// Every header field is bound into the AEAD's associated data, so changing the version, algorithm,
// fingerprint, timestamp or KDF parameters makes decryption fail. Version 1 is the Python
// original's Fernet envelope, which rio only imports.

#include <rio/vault/error.hpp>
#include <rio/vault/master_key.hpp>
#include <rio/vault/secret.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace rio::vault {

inline constexpr int envelope_version = 2;
inline constexpr std::string_view envelope_algorithm = "xchacha20poly1305-ietf";
inline constexpr std::string_view kdf_algorithm = "argon2id13";

struct kdf_header {
  std::string salt;  ///< raw bytes, kdf_salt_size long
  kdf_params params;
};

struct envelope {
  int version = envelope_version;
  std::string algorithm{envelope_algorithm};
  std::string nonce;       ///< raw bytes
  std::string ciphertext;  ///< raw bytes, tag included
  std::string fingerprint;
  std::string updated_at;
  std::optional<kdf_header> kdf;
};

/**
 * Parses a vault file's text. Errors name `file` and the problem: corrupt_file (empty,
 * truncated, not JSON, a field missing or malformed), legacy_format (a Fernet or plaintext vault
 * of the Python original), unsupported_version, unsupported_algorithm.
 */
[[nodiscard]] result<envelope> parse_envelope(std::string_view text, const std::filesystem::path& file);

/** The file text (indented JSON, trailing newline). */
std::string serialize_envelope(const envelope& e);

/** The associated data: every header field in a fixed, unambiguous layout. */
std::string associated_data(const envelope& e);

/** Encrypts `plaintext` under `key` with a fresh random nonce. */
[[nodiscard]] result<envelope> seal_envelope(std::string_view plaintext, const master_key& key,
                                             std::optional<kdf_header> kdf, std::string updated_at);

/** Decrypts; decrypt_failed (naming `file`) when the tag does not verify. */
[[nodiscard]] result<secret> open_envelope(const envelope& e, const master_key& key, const std::filesystem::path& file);

}  // namespace rio::vault
