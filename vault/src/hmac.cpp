#include <rio/vault/hmac.hpp>

#include "sodium.hpp"

#include <sodium.h>

namespace rio::vault {

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  // HMAC needs no randomness; initialisation only selects implementations, so its result can wait.
  (void)detail::ensure_sodium();
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  sodium_memzero(&state, sizeof state);
  char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return hex;
}

}  // namespace rio::vault
