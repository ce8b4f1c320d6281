#pragma once
// The vault key: 32 random bytes (or an Argon2id stretch of a passphrase), held in wiping memory.
// The AEAD key and the fingerprint are derived from it with BLAKE2b under distinct labels, so the
// fingerprint reveals nothing and the same bytes once used as a Fernet key (legacy vaults) never
// meet XChaCha20-Poly1305 directly.

#include <rio/vault/error.hpp>
#include <rio/vault/secret.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace rio::vault {

class stretch_cache;

/** Argon2id cost parameters, stored in the envelope of a passphrase vault. */
struct kdf_params {
  std::uint64_t opslimit = 0;
  std::uint64_t memlimit = 0;  ///< bytes

  /** libsodium's MODERATE limits (3 passes, 256 MiB): rio's default for new passphrase vaults. */
  static kdf_params moderate() noexcept;
  /** libsodium's INTERACTIVE limits (2 passes, 64 MiB). */
  static kdf_params interactive() noexcept;
  /** The smallest limits libsodium accepts; for tests only. */
  static kdf_params minimum() noexcept;
  /** Limits a stored envelope may ask for; larger values are refused (a tampered header could
      otherwise make every open allocate gigabytes). */
  static kdf_params ceiling() noexcept;
};

/** Salt length for Argon2id (crypto_pwhash_SALTBYTES). */
inline constexpr std::size_t kdf_salt_size = 16;

class master_key {
 public:
  static constexpr std::size_t size = 32;

  /** 32 bytes from the system CSPRNG. Errors: crypto_unavailable. */
  static result<master_key> generate();

  /**
   * Parses a key's text form, ignoring surrounding whitespace: 64 hex digits, or base64 of
   * exactly 32 bytes in the standard or URL-safe alphabet, with or without '=' padding (a Fernet
   * key from the Python original is accepted as is). `source` names where the text came from
   * (an env variable or a file) for the error message. Errors: bad_key.
   */
  static result<master_key> parse(std::string_view text, std::string_view source);

  /**
   * Stretches a passphrase with Argon2id (crypto_pwhash, ALG_ARGON2ID13). `salt` must be
   * kdf_salt_size bytes. Errors: bad_key (empty passphrase, limits out of range),
   * crypto_unavailable (out of memory).
   */
  static result<master_key> from_passphrase(std::string_view passphrase, std::string_view salt, kdf_params params,
                                            std::string_view source);

  /** The text form rio writes: URL-safe base64 with padding, 44 characters. */
  secret to_text() const;

  /** 16 hex digits of keyed BLAKE2b over a fixed label: names the key without revealing it. */
  std::string fingerprint() const;

  /** The XChaCha20-Poly1305 key (crypto_kdf subkey 1, context "riovault"). */
  secret aead_key() const;

  /** The raw 32 bytes, for the one call that needs them (Fernet's split keys). */
  std::string_view reveal() const noexcept { return bytes_.reveal(); }

  /** Constant-time equality. */
  bool same_as(const master_key& other) const noexcept;

 private:
  friend class stretch_cache;  // rebuilds keys it holds in locked memory
  explicit master_key(secret bytes) : bytes_(std::move(bytes)) {}
  secret bytes_;
};

}  // namespace rio::vault
