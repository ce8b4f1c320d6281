#pragma once
// The vault's shared machinery, used by vault.cpp, vault_rotate.cpp and legacy_import.cpp.

#include <rio/vault/audit_log.hpp>
#include <rio/vault/vault.hpp>

#include "file_lock.hpp"
#include "key_sources.hpp"
#include "vault_state.hpp"

#include <optional>

namespace rio::vault {

/** The key a write seals with, and the KDF header that goes with it (passphrase vaults). */
struct sealing_key {
  master_key key;
  std::optional<kdf_header> kdf;
  bool generated = false;  ///< a key file was created for it
};

struct vault::impl {
  explicit impl(vault_options o);

  vault_options options;
  vault_paths paths;
  audit_log audit;
  detail::key_sources keys;

  /** Shared lock for reads (nullopt when there is no config directory, so no vault); exclusive
      lock for writes, creating config/ 0700 and removing temp files left by a crashed writer. */
  [[nodiscard]] result<std::optional<detail::file_lock>> lock(detail::file_lock::mode m);

  /**
   * The key the next envelope is sealed with: the key that opened the vault, except that a vault
   * opened through <key>.previous (a rotation died after installing the new key) is sealed under
   * the key file, finishing the rotation, and one opened through the pending env key is refused
   * (stale_key). A new vault uses the configured source, or a freshly created key file.
   */
  [[nodiscard]] result<sealing_key> sealing_key_for(const detail::loaded_vault& loaded);

  /** Seals `data`, writes the vault atomically, then drops fallback keys it no longer needs. */
  [[nodiscard]] result<std::string> commit(const boost::json::object& data, const sealing_key& key, std::string_view step);

  /**
   * Loads the vault under `held` (a lock of mode `m`, which this may drop and take again). The
   * Python original's vault is migrated where it lies first, so its users need no import step:
   * config/comfyvn.secrets.json in its format (Fernet or plaintext), or <root>/comfyvn.secrets.json
   * when rio has no vault; and a migration a crash interrupted is finished (legacy_adopt.cpp).
   */
  [[nodiscard]] result<detail::loaded_vault> load_adopting(std::optional<detail::file_lock>& held,
                                                           detail::file_lock::mode m);

  /** import_legacy's body; the caller holds the exclusive lock. `automatic`: load_adopting's
      migration (audited as secrets.upgraded, the original's event, instead of secrets.imported). */
  [[nodiscard]] result<import_result> import_locked(const import_options& request, bool automatic);

  /** Appends an audit line; errc::audit_failed if it cannot. */
  [[nodiscard]] result<void> record(std::string_view event, const boost::json::object& fields, std::string_view timestamp);

  /** Calls the listener, swallowing what it throws. */
  void notify(std::string_view name, const boost::json::object& metadata) const;

  /** Warnings for a vault opened with a fallback key. */
  std::vector<std::string> warnings_for(const detail::loaded_vault& loaded) const;

  std::string now() const;
};

/** Sorted top-level key names. */
std::vector<std::string> sorted_keys(const boost::json::object& o);
/** A JSON array of strings. */
boost::json::array to_json_array(const std::vector<std::string>& names);
/** The stored provider name matching `provider` (exact, else case-insensitive), or nullopt. */
std::optional<std::string> find_provider(const boost::json::object& data, std::string_view provider);

}  // namespace rio::vault
