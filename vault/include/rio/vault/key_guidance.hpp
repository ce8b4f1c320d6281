#pragma once
// What an operator is told when the vault cannot be opened or does not exist yet: which key
// sources rio reads, in which order, and the command that creates a vault. Names of variables
// and files only; never a key, a passphrase or anything derived from one.

#include <rio/vault/vault_paths.hpp>

#include <string>

namespace rio::vault {

/** "rio unlocks the vault with the first of these that is set: COMFYVN_SECRETS_KEY (...), <key file>, COMFYVN_SECRETS_PASSPHRASE (...)" */
std::string key_sources_hint(const vault_paths& paths);

/** "there is no vault at <file> yet: create it with `rio vault init`" */
std::string no_vault_hint(const vault_paths& paths);

}  // namespace rio::vault
