#pragma once
// Turning what a caller asked for (CLI flags, an inventory line, an API request body) into
// validated host requests. One place, so the CLI and the REST API resolve modules, options and
// credentials the same way.

#include <rio/kernel/engine/host_run.hpp>
#include <rio/kernel/inventory.hpp>
#include <rio/kernel/module_registry.hpp>
#include <rio/kernel/settings.hpp>
#include <rio/vault/event_listener.hpp>
#include <rio/vault/vault.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rio::kernel::engine {

/**
 * Module ids as a request names them: trimmed, lower-cased, empty entries and duplicates dropped,
 * order kept; "all" adds every loaded module in registry order. Errors: errc::bad_request
 * "unknown module '<id>'" or "modules list is empty" (the original's messages).
 */
result<std::vector<const loaded_module*>> select_modules(const module_registry& registry,
                                                         const std::vector<std::string>& names);

/**
 * Reads one vault provider for a whole call (one audited read). Errors: errc::bad_request when
 * the provider is neither stored nor overridden from the environment (a misspelled provider
 * must not become a run without credentials); vault errors as they are.
 */
result<vault::provider_view> read_provider(const std::filesystem::path& root, const env_lookup& env,
                                           std::string_view provider, vault::event_listener* listener = nullptr);

/** What applies to every host of a call unless the host's own entry says otherwise. */
struct host_defaults {
  /** Connection fields on top of the vault's (user, port, identity, connect_timeout, ...). */
  boost::json::object ssh;
  /** Module option overrides by module id; an inventory line's own values win. */
  std::map<std::string, sdk::option_values> module_options;
  /** Exported to every remote command; secret-looking values are registered for redaction. */
  std::vector<std::pair<std::string, std::string>> env;
  /** Vault provider payload (read_provider) and the entry key; empty when no secrets are used. */
  boost::json::object provider_fields;
  /** The provider's top-level fields that environment overrides set: they beat per-host values. */
  std::vector<std::string> provider_env_overrides;
  std::string secrets_key;

  /** Takes a provider as read_provider returns it. */
  void use_provider(vault::provider_view&& view) {
    provider_fields = std::move(view.fields);
    provider_env_overrides = std::move(view.override_keys);
  }
};

struct built_host {
  host_request request;
  std::chrono::milliseconds connect_timeout{std::chrono::seconds{10}};
};

/**
 * One host: merges credentials (vault defaults and host blocks, then `defaults.ssh`, then what the
 * entry itself says), validates the target, resolves every module's options. Key material and
 * passphrases are registered with `redact`. Errors: errc::bad_request naming the host and the
 * field or option.
 */
result<built_host> build_host_request(const inventory::host_entry& entry, const host_defaults& defaults,
                                      const std::vector<const loaded_module*>& modules, redactor& redact,
                                      const env_lookup& env);

struct built_hosts {
  std::vector<host_request> requests;  ///< each user@host:port once, in the order given
  std::chrono::milliseconds connect_timeout{std::chrono::seconds{10}};
};

/** build_host_request for every entry; the same user@host:port named twice runs once. */
result<built_hosts> build_host_requests(const std::vector<inventory::host_entry>& entries, const host_defaults& defaults,
                                        const std::vector<const loaded_module*>& modules, redactor& redact,
                                        const env_lookup& env);

/** A run id: UTC time plus 32 random bits, e.g. 20261127T130509Z-69ff7c3e. */
std::string new_run_id();

/** The login user when nothing names one: the local user, as ssh does. */
std::string local_user_name();

}  // namespace rio::kernel::engine
