#pragma once
// The encrypted secrets vault under <root>/config (docs/security.md). Every operation reads the
// file afresh under an flock (shared for reads, exclusive for writes), so several rio processes
// can use one vault; an operation never leaves a half-written file. A vault object is not
// thread-safe: use one per thread.

#include <rio/vault/environment.hpp>
#include <rio/vault/error.hpp>
#include <rio/vault/event_listener.hpp>
#include <rio/vault/fault_hook.hpp>
#include <rio/vault/key_source.hpp>
#include <rio/vault/master_key.hpp>
#include <rio/vault/secret.hpp>
#include <rio/vault/ssh_credentials.hpp>
#include <rio/vault/stretch_cache.hpp>
#include <rio/vault/vault_paths.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rio::vault {

struct vault_options {
  std::filesystem::path root;              ///< rio's root: config/ and logs/ live here
  environment env;                         ///< key sources and COMFYVN_SECRET_* overrides
  event_listener* listener = nullptr;      ///< not owned; may be null
  kdf_params kdf = kdf_params::moderate();  ///< Argon2id limits for new passphrase envelopes
  fault_hook fault;                        ///< tests only: crash injection before each file step
  /** Passphrase stretches shared with other vault objects (a server keeps one for its lifetime);
      null: this object stretches once for itself. */
  std::shared_ptr<stretch_cache> stretches;
};

/** One provider as a read returns it: stored fields with env overrides applied. */
struct provider_view {
  std::string provider;                    ///< the stored spelling, else as requested
  boost::json::object fields;              ///< in secure storage (secure_json.hpp)
  std::vector<std::string> stored_keys;    ///< top-level names stored in the vault, sorted
  std::vector<std::string> override_keys;  ///< top-level names replaced from the environment, sorted
  std::vector<std::string> ignored_overrides;  ///< variables that could not apply (empty, or a block)
  bool present = false;                    ///< anything stored or overridden
  std::string fingerprint;                 ///< of the key that opened the vault; empty when no file
  std::vector<std::string> warnings;       ///< e.g. the vault opened with a fallback key
};

struct provider_summary {
  std::string provider;
  std::vector<std::string> stored_keys;
  std::vector<std::string> override_keys;
  bool present = false;
};

struct vault_listing {
  bool exists = false;
  std::string fingerprint;
  std::optional<key_source> source;
  std::vector<provider_summary> providers;
  std::vector<std::string> warnings;
};

struct init_result {
  bool created = false;        ///< false: the vault already existed and is unchanged
  bool key_generated = false;  ///< a new key file was written
  key_source source = key_source::key_file;
  std::string fingerprint;
};

struct rotation_result {
  key_source source = key_source::key_file;
  std::string previous_fingerprint;
  std::string fingerprint;
  std::vector<std::string> providers;
  /** Only for key_source::environment: the new key's text, to show the operator once. A durable
      copy stays in pending_key_file until a write runs with it in COMFYVN_SECRETS_KEY. */
  std::optional<secret> new_key;
  std::filesystem::path pending_key_file;
  bool passphrase_changed = false;  ///< passphrase source: COMFYVN_SECRETS_NEW_PASSPHRASE was used
  std::vector<std::string> warnings;  ///< e.g. the audit line could not be written after the fact
};

struct import_options {
  std::optional<std::filesystem::path> from;  ///< default: config/comfyvn.secrets.json, then <root>/comfyvn.secrets.json
  bool overwrite = false;                     ///< let legacy providers replace different stored ones
  /** The Fernet key's file. Default: COMFYVN_SECRETS_KEY, else config/comfyvn.secrets.key, else
      <root>/comfyvn.secrets.key (the original's order). */
  std::optional<std::filesystem::path> legacy_key_file;
};

struct import_result {
  std::filesystem::path source;
  std::string format;                  ///< "fernet" or "plaintext"
  std::vector<std::string> providers;  ///< imported, sorted
  std::vector<std::string> dropped;    ///< top-level entries that were not objects (the original dropped them too)
  std::vector<std::filesystem::path> removed;  ///< legacy files deleted after the new vault was durable
  bool key_generated = false;
  std::string fingerprint;
};

/** The request's `secrets` block. */
struct secrets_ref {
  std::string provider;
  std::string key;  ///< entry key; empty means the host
};

class vault {
 public:
  explicit vault(vault_options options);
  ~vault();
  vault(vault&&) noexcept;
  vault& operator=(vault&&) noexcept;

  const vault_paths& paths() const noexcept;

  /** Creates the key (when no source is configured) and an empty vault; unchanged if one exists. */
  [[nodiscard]] result<init_result> init();

  /** Reads one provider (case-insensitive name) with overrides. Audited as secrets.read; fires
      on_security_secret_read. Fails closed: no audit line, no secret. */
  [[nodiscard]] result<provider_view> get(std::string_view provider);

  /** Names only: providers, their key names and override names. Audited as secrets.list. */
  [[nodiscard]] result<vault_listing> list();

  /** Sets provider.path[0]...path[n-1] = value, creating objects on the way. Audited as secrets.write. */
  [[nodiscard]] result<void> set(std::string_view provider, const std::vector<std::string>& path,
                                 const boost::json::value& value);

  /** Removes provider.path (the whole provider when `path` is empty). not_found if absent. */
  [[nodiscard]] result<void> unset(std::string_view provider, const std::vector<std::string>& path);

  /** Replaces a provider's whole payload (the original's update()). */
  [[nodiscard]] result<void> put_provider(std::string_view provider, const boost::json::object& fields);

  /** Re-encrypts under a new key with the crash-safe protocol in docs/security.md. Audited as
      secrets.key.rotated; fires on_security_key_rotated. The new key is `new_key` when given
      (the REST route's), else generated; a passphrase vault, or the current key, is refused with
      invalid_argument before anything is written. */
  [[nodiscard]] result<rotation_result> rotate(std::optional<master_key> new_key = std::nullopt);

  /** Imports the Python original's Fernet or plaintext vault and re-encrypts it. */
  [[nodiscard]] result<import_result> import_legacy(const import_options& options = {});

  /** get(ref.provider), merge_connection_fields(..., ref.key or host, host, ssh), then
      extract_ssh_credentials. With an empty provider only `ssh` is used and nothing is read. */
  [[nodiscard]] result<ssh_credentials> ssh_credentials_for(const secrets_ref& ref, std::string_view host,
                                                            const boost::json::object& ssh_overrides);

  struct impl;

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace rio::vault
