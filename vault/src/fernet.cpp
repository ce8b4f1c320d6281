#include <rio/vault/fernet.hpp>

#include "sodium.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <memory>

namespace rio::vault {
namespace {

constexpr unsigned char fernet_version = 0x80;
constexpr std::size_t header_size = 1 + 8 + 16;
constexpr std::size_t mac_size = crypto_auth_hmacsha256_BYTES;
constexpr std::size_t block = 16;

using cipher_ctx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

std::string hmac(std::string_view signing_key, std::string_view data) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, bytes(signing_key), signing_key.size());
  crypto_auth_hmacsha256_update(&state, bytes(data), data.size());
  std::string mac(mac_size, '\0');
  crypto_auth_hmacsha256_final(&state, reinterpret_cast<unsigned char*>(mac.data()));
  sodium_memzero(&state, sizeof state);
  return mac;
}

sdk::error libcrypto_failed(const char* what) {
  return fail(errc::crypto_unavailable, std::string{"libcrypto: "} + what + " failed");
}

}  // namespace

result<secret> fernet_decrypt(std::string_view token, const master_key& key, std::optional<fernet_time_check> time_check) {
  if (auto ok = detail::ensure_sodium(); !ok) return ok.error();
  auto raw = detail::from_base64(token, detail::b64::urlsafe, true);
  if (!raw) return fail(errc::corrupt_file, "Fernet token is not valid URL-safe base64");
  const std::string_view data{*raw};
  if (data.size() < header_size + block + mac_size || (data.size() - header_size - mac_size) % block != 0) {
    return fail(errc::corrupt_file, "Fernet token has an impossible length (" + std::to_string(data.size()) + " bytes)");
  }
  if (static_cast<unsigned char>(data[0]) != fernet_version) {
    return fail(errc::corrupt_file, "Fernet token version byte is not 0x80");
  }
  if (time_check) {
    std::uint64_t ts = 0;
    for (std::size_t i = 1; i < 9; ++i) ts = (ts << 8) | static_cast<unsigned char>(data[i]);
    const auto stamp = static_cast<std::int64_t>(ts);
    if (stamp > time_check->now + time_check->max_clock_skew) return fail(errc::decrypt_failed, "Fernet token timestamp is in the future");
    if (stamp + time_check->ttl_seconds < time_check->now) return fail(errc::decrypt_failed, "Fernet token has expired");
  }
  const std::string_view signing_key = key.reveal().substr(0, 16);
  const std::string_view encryption_key = key.reveal().substr(16, 16);
  const std::string_view signed_part = data.substr(0, data.size() - mac_size);
  if (!detail::equal_constant_time(hmac(signing_key, signed_part), data.substr(data.size() - mac_size))) {
    return fail(errc::decrypt_failed, "Fernet HMAC does not verify (wrong key, or the token was altered)");
  }

  const std::string_view iv = data.substr(9, 16);
  const std::string_view ciphertext = data.substr(header_size, data.size() - header_size - mac_size);
  cipher_ctx ctx{EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free};
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_128_cbc(), nullptr, bytes(encryption_key), bytes(iv)) != 1) {
    return libcrypto_failed("AES-128-CBC decrypt initialisation");
  }
  secret plain = secret::zeroed(ciphertext.size() + block);
  int n1 = 0;
  int n2 = 0;
  auto* out = reinterpret_cast<unsigned char*>(plain.writable_data());
  if (EVP_DecryptUpdate(ctx.get(), out, &n1, bytes(ciphertext), static_cast<int>(ciphertext.size())) != 1) {
    return libcrypto_failed("AES-128-CBC decrypt");
  }
  // The HMAC already verified, so bad padding means the signer itself produced garbage.
  if (EVP_DecryptFinal_ex(ctx.get(), out + n1, &n2) != 1) {
    return fail(errc::decrypt_failed, "Fernet plaintext padding is invalid");
  }
  plain.truncate(static_cast<std::size_t>(n1 + n2));
  return plain;
}

result<std::string> fernet_encrypt(std::string_view plaintext, const master_key& key, std::uint64_t timestamp,
                                   std::string_view iv) {
  if (auto ok = detail::ensure_sodium(); !ok) return ok.error();
  if (iv.size() != block) return fail(errc::invalid_argument, "Fernet IV must be 16 bytes");
  std::string token(header_size, '\0');
  token[0] = static_cast<char>(fernet_version);
  for (int i = 0; i < 8; ++i) token[static_cast<std::size_t>(1 + i)] = static_cast<char>((timestamp >> (56 - 8 * i)) & 0xff);
  token.replace(9, 16, iv);

  cipher_ctx ctx{EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free};
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_cbc(), nullptr, bytes(key.reveal().substr(16, 16)), bytes(iv)) != 1) {
    return libcrypto_failed("AES-128-CBC encrypt initialisation");
  }
  std::string ciphertext(plaintext.size() + block, '\0');
  int n1 = 0;
  int n2 = 0;
  auto* out = reinterpret_cast<unsigned char*>(ciphertext.data());
  if (EVP_EncryptUpdate(ctx.get(), out, &n1, bytes(plaintext), static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out + n1, &n2) != 1) {
    return libcrypto_failed("AES-128-CBC encrypt");
  }
  ciphertext.resize(static_cast<std::size_t>(n1 + n2));
  token += ciphertext;
  token += hmac(key.reveal().substr(0, 16), token);
  return detail::to_base64(token, detail::b64::urlsafe);
}

}  // namespace rio::vault
