#pragma once
// HMAC-SHA256 for signing outgoing webhooks: the cryptography stays in the vault library.

#include <string>
#include <string_view>

namespace rio::vault {

/** Lower-case hex HMAC-SHA256 of `message` under `key` (any length). */
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

}  // namespace rio::vault
