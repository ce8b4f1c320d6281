#pragma once
// libsodium plumbing shared by the vault's sources: one-time initialisation, random bytes and
// the base64/hex codecs. Internal to vault/src; nothing outside the vault includes libsodium.

#include <rio/vault/error.hpp>
#include <rio/vault/secret.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace rio::vault::detail {

/** sodium_init() exactly once per process; errc::crypto_unavailable if it fails. */
[[nodiscard]] result<void> ensure_sodium();

/** `n` random bytes from the system CSPRNG (ensure_sodium() first). */
secret random_secret(std::size_t n);
std::string random_bytes(std::size_t n);

enum class b64 { standard, urlsafe };

/** Padded base64 of non-secret bytes (nonces, salts, ciphertext). */
std::string to_base64(std::string_view bytes, b64 alphabet = b64::standard);
/** Padded base64 of secret bytes, into wiping memory (key text). */
secret to_base64_secret(std::string_view bytes, b64 alphabet);

/**
 * Decodes base64 in one alphabet; `padded` says whether '=' padding is required or forbidden.
 * The whole input must be consumed (no trailing characters). Nullopt when it does not decode.
 */
std::optional<std::string> from_base64(std::string_view text, b64 alphabet, bool padded);
/** The same for secret bytes; false when it does not decode (`out` is then empty). */
bool from_base64_secret(std::string_view text, b64 alphabet, bool padded, secret& out);

/** Lower-case hex of bytes. */
std::string to_hex(std::string_view bytes);
/** Decodes exactly even-length hex into wiping memory; false on any other character. */
bool from_hex_secret(std::string_view text, secret& out);

/** Constant-time comparison of equal-length buffers (false when the lengths differ). */
bool equal_constant_time(std::string_view a, std::string_view b) noexcept;

}  // namespace rio::vault::detail
