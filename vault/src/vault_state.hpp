#pragma once
// Reading the vault file and opening it with the right key. The caller holds the lock.

#include <rio/vault/audit_log.hpp>
#include <rio/vault/envelope.hpp>
#include <rio/vault/secure_json.hpp>
#include <rio/vault/vault_paths.hpp>

#include "key_sources.hpp"

#include <boost/json/object.hpp>

#include <optional>

namespace rio::vault::detail {

struct loaded_vault {
  bool exists = false;
  std::optional<envelope> sealed;
  boost::json::object data{secure_storage()};  ///< provider -> object
  std::optional<key_source> source;
  std::optional<key_candidate> opened_with;  ///< the key that opened the file
};

/**
 * Reads config/comfyvn.secrets.json. A missing file is an empty vault that needs no key.
 * Otherwise the file is parsed, the configured source's candidates are tried in order (the first
 * whose fingerprint matches the envelope's), and the plaintext must be a JSON object of objects.
 * Any failure after the file was found appends `secrets.decrypt.failed` to the audit log (error
 * code and fingerprint only) and returns the error; the file is never touched.
 */
[[nodiscard]] result<loaded_vault> load_vault(const vault_paths& paths, key_sources& keys, const audit_log& audit);

/** The plaintext of `data`: compact JSON in wiping memory. */
secret plaintext_of(const boost::json::object& data);

}  // namespace rio::vault::detail
