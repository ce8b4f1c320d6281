#include <rio/vault/master_key.hpp>

#include "sodium.hpp"

#include <sodium.h>

#include <cctype>

namespace rio::vault {
namespace {

static_assert(master_key::size == crypto_kdf_KEYBYTES);
static_assert(master_key::size == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kdf_salt_size == crypto_pwhash_SALTBYTES);

constexpr char kdf_context[crypto_kdf_CONTEXTBYTES + 1] = "riovault";
constexpr std::uint64_t aead_subkey_id = 1;
constexpr std::string_view fingerprint_label = "rio.vault.fingerprint.v1";

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool decode_any_base64(std::string_view text, secret& out) {
  for (auto alphabet : {detail::b64::standard, detail::b64::urlsafe}) {
    for (bool padded : {true, false}) {
      if (detail::from_base64_secret(text, alphabet, padded, out)) return true;
    }
  }
  return false;
}

}  // namespace

kdf_params kdf_params::moderate() noexcept {
  return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
}
kdf_params kdf_params::interactive() noexcept {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}
kdf_params kdf_params::minimum() noexcept { return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN}; }
kdf_params kdf_params::ceiling() noexcept {
  return {crypto_pwhash_OPSLIMIT_SENSITIVE * 4, crypto_pwhash_MEMLIMIT_SENSITIVE};
}

result<master_key> master_key::generate() {
  if (auto ok = detail::ensure_sodium(); !ok) return ok.error();
  return master_key{detail::random_secret(size)};
}

result<master_key> master_key::parse(std::string_view text, std::string_view source) {
  if (auto ok = detail::ensure_sodium(); !ok) return ok.error();
  text = trim(text);
  secret bytes;
  const bool decoded = text.size() == 2 * size ? detail::from_hex_secret(text, bytes) : decode_any_base64(text, bytes);
  if (!decoded || bytes.size() != size) {
    // The length is safe to report; the characters are not.
    return fail(errc::bad_key, std::string{source} + ": not a vault key (expected 32 bytes as 64 hex digits or " +
                                   "base64, got " + std::to_string(text.size()) + " characters that do not decode to 32 bytes)");
  }
  return master_key{std::move(bytes)};
}

result<master_key> master_key::from_passphrase(std::string_view passphrase, std::string_view salt, kdf_params params,
                                               std::string_view source) {
  if (auto ok = detail::ensure_sodium(); !ok) return ok.error();
  if (passphrase.empty()) return fail(errc::bad_key, std::string{source} + ": the passphrase is empty");
  if (salt.size() != kdf_salt_size) return fail(errc::bad_key, std::string{source} + ": Argon2id salt must be 16 bytes");
  const auto ceiling = kdf_params::ceiling();
  if (params.opslimit < crypto_pwhash_OPSLIMIT_MIN || params.opslimit > ceiling.opslimit ||
      params.memlimit < crypto_pwhash_MEMLIMIT_MIN || params.memlimit > ceiling.memlimit) {
    return fail(errc::bad_key, std::string{source} + ": Argon2id limits out of range (opslimit " +
                                   std::to_string(params.opslimit) + ", memlimit " + std::to_string(params.memlimit) + ")");
  }
  secret bytes = secret::zeroed(size);
  if (crypto_pwhash(reinterpret_cast<unsigned char*>(bytes.writable_data()), size, passphrase.data(), passphrase.size(),
                    reinterpret_cast<const unsigned char*>(salt.data()), params.opslimit,
                    static_cast<std::size_t>(params.memlimit), crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return fail(errc::crypto_unavailable, std::string{source} + ": Argon2id ran out of memory (memlimit " +
                                              std::to_string(params.memlimit) + " bytes)");
  }
  return master_key{std::move(bytes)};
}

secret master_key::to_text() const { return detail::to_base64_secret(bytes_.reveal(), detail::b64::urlsafe); }

std::string master_key::fingerprint() const {
  unsigned char digest[crypto_generichash_BYTES_MIN];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(fingerprint_label.data()),
                     fingerprint_label.size(), reinterpret_cast<const unsigned char*>(bytes_.data()), bytes_.size());
  return detail::to_hex(std::string_view{reinterpret_cast<const char*>(digest), 8});
}

secret master_key::aead_key() const {
  secret sub = secret::zeroed(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  crypto_kdf_derive_from_key(reinterpret_cast<unsigned char*>(sub.writable_data()), sub.size(), aead_subkey_id,
                             kdf_context, reinterpret_cast<const unsigned char*>(bytes_.data()));
  return sub;
}

bool master_key::same_as(const master_key& other) const noexcept {
  return detail::equal_constant_time(bytes_.reveal(), other.bytes_.reveal());
}

}  // namespace rio::vault
