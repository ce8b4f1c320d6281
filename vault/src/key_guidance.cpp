#include <rio/vault/key_guidance.hpp>

#include <rio/vault/environment.hpp>

namespace rio::vault {

std::string key_sources_hint(const vault_paths& paths) {
  return std::string{"rio unlocks the vault with the first of these that is set: "} + env_secrets_key +
         " (the key), the key file " + paths.key_file.string() + ", or " + env_secrets_passphrase +
         " (the passphrase); give it the key or passphrase the vault was sealed with";
}

std::string no_vault_hint(const vault_paths& paths) {
  return "there is no vault at " + paths.vault_file.string() + " yet: create it with `rio vault init`";
}

}  // namespace rio::vault
