#pragma once
// The environment variables the vault reads (COMFYVN_SECRETS_* key sources and
// COMFYVN_SECRET_<PROVIDER>_<FIELD> overrides), captured once. Injected, so tests never read or
// modify the real process environment. Values are kept in wiping memory: a key or passphrase
// passes through here.

#include <rio/vault/secret.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rio::vault {

/** The key sources, in the order they are consulted (docs/security.md). */
inline constexpr const char* env_secrets_key = "COMFYVN_SECRETS_KEY";
inline constexpr const char* env_secrets_passphrase = "COMFYVN_SECRETS_PASSPHRASE";
inline constexpr const char* env_secrets_new_passphrase = "COMFYVN_SECRETS_NEW_PASSPHRASE";
/** Prefix of per-provider field overrides. */
inline constexpr std::string_view env_override_prefix = "COMFYVN_SECRET_";

class environment {
 public:
  environment() = default;
  /** Exactly these variables (tests). Empty values count as unset, as in the original. */
  explicit environment(const std::map<std::string, std::string>& vars);

  /** The variables of this process whose names start with "COMFYVN_SECRET". */
  static environment process();

  /**
   * Names from this process's environment (prefix "COMFYVN_SECRET") plus the key-source names,
   * values through `lookup`. The CLI passes its injected lookup, so a test's fake environment
   * decides every value.
   */
  static environment from_lookup(const std::function<std::optional<std::string>(const char*)>& lookup);

  void set(std::string name, std::string_view value);

  /** The value, or nullptr when unset or empty. */
  const secret* find(std::string_view name) const;

  /** Every variable whose name starts with `prefix`, in name order. */
  std::vector<std::pair<std::string_view, const secret*>> with_prefix(std::string_view prefix) const;

 private:
  std::map<std::string, secret, std::less<>> vars_;
};

}  // namespace rio::vault
