#pragma once
// Merging a provider's stored connection fields for one host, in a documented order. Later
// sources overwrite earlier ones, one field at a time; null values are dropped at every level.
//
//   1. provider["defaults"]                              provider-wide defaults
//   2. top-level provider fields (user, port, ...)       provider-wide, WITH env overrides applied
//   3. the first object among provider["hosts"][entry key], ["hosts"][host], ["hosts"]["default"]
//   4. provider[entry key], if it is an object           (the original's flat per-host form)
//   5. provider[host], if it is an object
//   6. the request's `ssh` block
//
// The original applied the top-level fields (and so every COMFYVN_SECRET_* override) after the
// per-host blocks, so one global override silently beat every host's own value. Here a global
// value is a default that a host block refines, and only the request's ssh block beats a host.
// Finally the request-steering keys (provider, key, entry, id, record_only, probe) are removed.

#include <boost/json/object.hpp>

#include <string_view>

namespace rio::vault {

/** Top-level provider fields that take part in step 2 (every other top-level key is ignored). */
inline constexpr std::string_view connection_field_names[] = {
    "user",        "username",        "port",    "identity", "identity_file", "private_key",
    "passphrase",  "key_passphrase",  "connect_timeout",     "timeout",       "ssh_command",
    "scp_command", "env"};

/** The merged fields, in secure storage. `provider` is the payload as returned by vault::get. */
boost::json::object merge_connection_fields(const boost::json::object& provider, std::string_view entry_key,
                                            std::string_view host, const boost::json::object& ssh_overrides);

}  // namespace rio::vault
