#pragma once
// Merging a provider's stored connection fields for one host, in a documented order. Later
// sources overwrite earlier ones, one field at a time; null values are dropped at every level.
//
//   1. provider["defaults"]                              provider-wide defaults
//   2. top-level provider fields (user, port, ...) as stored in the vault
//   3. the first object among provider["hosts"][entry key], ["hosts"][host], ["hosts"]["default"]
//   4. provider[entry key], if it is an object           (the original's flat per-host form)
//   5. provider[host], if it is an object
//   6. top-level fields set by COMFYVN_SECRET_<PROVIDER>_<FIELD> environment overrides
//   7. the request's `ssh` block
//
// Step 6 is the specification's rule ("override fields at runtime") and the original's: an
// operator's environment beats every stored value, per-host ones included. A field stored at the
// top level (step 2) is a provider-wide default that a host block refines; the original applied
// stored top-level fields after the host blocks too, so one stored `user` silently beat every
// host's own, which rio does not copy (docs/security.md, "original | rio").
// Finally the request-steering keys (provider, key, entry, id, record_only, probe) are removed.

#include <boost/json/object.hpp>

#include <span>
#include <string>
#include <string_view>

namespace rio::vault {

/** Top-level provider fields that take part in step 2 (every other top-level key is ignored). */
inline constexpr std::string_view connection_field_names[] = {
    "user",        "username",        "port",    "identity", "identity_file", "private_key",
    "passphrase",  "key_passphrase",  "connect_timeout",     "timeout",       "ssh_command",
    "scp_command", "env"};

/**
 * The merged fields, in secure storage. `provider` is the payload as returned by vault::get, and
 * `env_overrides` its override_keys: the top-level names the environment set (step 6).
 */
boost::json::object merge_connection_fields(const boost::json::object& provider, std::string_view entry_key,
                                            std::string_view host, const boost::json::object& ssh_overrides,
                                            std::span<const std::string> env_overrides = {});

}  // namespace rio::vault
