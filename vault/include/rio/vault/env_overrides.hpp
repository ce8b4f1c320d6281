#pragma once
// COMFYVN_SECRET_<PROVIDER>_<FIELD> overrides, as the original defines them (the value, trimmed,
// replaces one top-level field as a string) but without its prefix collision. The original gave
// COMFYVN_SECRET_REMOTE_INSTALLER_USER to provider "remote" too, as field "installer_user". Here a
// variable belongs to exactly one provider: the known provider with the LONGEST env name that
// prefixes the variable. Known = builtin_providers, every stored provider, and the one asked for.

#include <rio/vault/environment.hpp>

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace rio::vault {

/** Providers that are known even when nothing is stored for them yet. */
inline constexpr std::string_view builtin_providers[] = {"remote_installer"};

/** The env form of a provider name: upper case, anything but A-Z and 0-9 as '_' ("a-b" -> "A_B"). */
std::string provider_env_name(std::string_view provider);

struct env_override {
  std::string field;            ///< the rest of the variable name, lower case ("user")
  std::string variable;         ///< the whole variable name
  const secret* value = nullptr;  ///< points into the environment it was found in
};

/** The overrides that belong to `provider` under the longest-known-provider rule, in name order. */
std::vector<env_override> overrides_for(const environment& env, std::string_view provider,
                                        const std::vector<std::string>& known_providers);

struct override_report {
  std::vector<std::string> applied;  ///< field names replaced, sorted
  std::vector<std::string> ignored;  ///< variable names not applied, sorted
};

/**
 * Replaces top-level fields of `fields` with the trimmed string values. A field whose stored value
 * is an object or array (hosts, defaults) is never replaced: a string cannot stand for a block,
 * so such a variable is ignored. Whitespace-only values are ignored too.
 */
override_report apply_overrides(boost::json::object& fields, const std::vector<env_override>& overrides);

}  // namespace rio::vault
