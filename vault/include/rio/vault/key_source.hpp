#pragma once
// Where the vault key comes from. The first configured source wins, and the others are then not
// consulted at all (a stray key file never silently replaces the key in the environment):
//   1. environment  COMFYVN_SECRETS_KEY: 32 bytes as 64 hex digits or base64 (either alphabet)
//   2. key_file     config/comfyvn.secrets.key, if it exists: the same text; must be mode 0600
//   3. passphrase   COMFYVN_SECRETS_PASSPHRASE, stretched with Argon2id (salt in the envelope)
// With none configured, the first write creates a key file.

#include <string_view>

namespace rio::vault {

enum class key_source { environment, key_file, passphrase };

/** "COMFYVN_SECRETS_KEY", "key file", "COMFYVN_SECRETS_PASSPHRASE". */
std::string_view describe(key_source source) noexcept;

}  // namespace rio::vault
