#pragma once
// What the SSH transport needs from the vault, typed and validated. Key material and its
// passphrase are rio::vault::secret, so they are zeroed when the struct goes away.

#include <rio/vault/error.hpp>
#include <rio/vault/secret.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace rio::vault {

struct ssh_credentials {
  std::optional<std::string> user;      ///< `user`, else `username`
  std::optional<std::uint16_t> port;    ///< 1-65535
  std::optional<std::string> identity;  ///< `identity`, else `identity_file`; a local path as given ("~/" kept)
  secret private_key;                   ///< `private_key`: PEM or OpenSSH key text; empty when absent
  secret passphrase;                    ///< `passphrase`, else `key_passphrase`; empty when absent
  std::optional<std::chrono::milliseconds> connect_timeout;  ///< `connect_timeout`, else `timeout`; (0, 3600] s
};

/**
 * Extracts and validates the fields of a merged connection object (merge_connection_fields).
 * Numbers may be JSON numbers or decimal strings (env overrides are strings). Errors:
 * invalid_field naming the field and the rule it breaks, never its value:
 *   user      1-32 characters of [A-Za-z0-9_.-], optionally ending in '$', starting with a letter
 *             or '_' (so never '-': no ssh option injection)
 *   port      an integer in 1-65535 (0 is an error, not "unset" as in the original)
 *   identity  a non-empty string without NUL or newline characters
 *   private_key  text containing a "-----BEGIN ... PRIVATE KEY-----" block
 *   connect_timeout  a number of seconds in (0, 3600]
 * Unknown fields are ignored (ssh_command, scp_command and env are not the transport's business).
 */
[[nodiscard]] result<ssh_credentials> extract_ssh_credentials(const boost::json::object& merged);

/** The user-name rule above, on its own. */
bool valid_ssh_user(std::string_view user) noexcept;

}  // namespace rio::vault
