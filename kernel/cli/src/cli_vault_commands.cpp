#include "cli_vault_commands.hpp"

#include <vector>

namespace rio::kernel::cli_detail {
namespace {

constexpr cli_option set_options[] = {
    {.value_name = "PROVIDER", .help = "the provider block, e.g. remote_installer", .positional = true},
    {.value_name = "FIELD", .help = "the field path under it, one or more names", .positional = true},
    {.long_name = "--json",
     .help = "parse the value as JSON (a number, a block): `echo 22 | rio vault set remote_installer defaults port "
             "--json`"},
    {.long_name = "--value-file", .value_name = "FILE", .help = "read the value from FILE instead of stdin",
     .kind = value_kind::file},
};

constexpr cli_option get_options[] = {
    {.value_name = "PROVIDER", .help = "the provider to show", .positional = true},
    {.long_name = "--show-values",
     .help = "print the values too (they end up on your terminal; the audit log still records names only)"},
    {.long_name = "--json",
     .help = "{\"provider\",\"stored_keys\",\"override_keys\",\"present\",\"fingerprint\"}, plus \"values\" with "
             "--show-values"},
};

constexpr cli_option list_options[] = {
    {.long_name = "--json", .help = "{\"providers\":[...],\"fingerprint\",\"path\"}"},
};

constexpr cli_option unset_options[] = {
    {.value_name = "PROVIDER", .help = "the provider", .positional = true},
    {.value_name = "FIELD", .help = "the field path to remove; none removes the whole provider", .positional = true},
};

constexpr cli_option import_options[] = {
    {.long_name = "--from", .value_name = "FILE", .help = "import this file instead", .kind = value_kind::file},
    {.long_name = "--legacy-key-file", .value_name = "FILE",
     .help = "the Fernet key (default: COMFYVN_SECRETS_KEY, then the key files)", .kind = value_kind::file},
    {.long_name = "--overwrite", .help = "let legacy providers replace different ones already in the vault"},
};

std::vector<cli_command> make() {
  return {
      {.name = "init", .summary = "Create an empty vault",
       .description = "Creates an empty vault. With no key configured, first writes a new key file (mode 0600).\n"},
      {.name = "set", .operands = "PROVIDER FIELD [FIELD...]", .summary = "Store a value (read from stdin or a file)",
       .description =
           "Stores a value at PROVIDER.FIELD..., creating blocks on the way, e.g.\n"
           "`rio vault set remote_installer hosts gpu.lab.local user`. The value is read from stdin (one\n"
           "trailing newline removed) or from FILE, never from the command line, so it stays out of shell\n"
           "history and the process list.\n",
       .options = set_options},
      {.name = "get", .operands = "PROVIDER", .summary = "Show a provider's fields (values hidden by default)",
       .description =
           "Shows the provider's field names, which of them come from COMFYVN_SECRET_<PROVIDER>_<FIELD>\n"
           "environment overrides, and the key fingerprint. Values stay hidden without --show-values.\n",
       .options = get_options},
      {.name = "list", .summary = "List the providers and their field names, never values",
       .description = "Lists the providers with their field names and overrides, never values.\n",
       .options = list_options},
      {.name = "unset", .operands = "PROVIDER [FIELD...]", .summary = "Remove a field or a whole provider",
       .description = "Removes a field, or the whole provider when no FIELD is given.\n", .options = unset_options},
      {.name = "rotate", .summary = "Re-encrypt the vault under a new key",
       .description =
           "Re-encrypts the vault under a new key; a crash at any point leaves it readable. With a key\n"
           "file, the new key replaces it. With COMFYVN_SECRETS_KEY, the new key is printed ONCE on stdout\n"
           "and kept in config/comfyvn.secrets.key.pending until a write runs with it: set the variable\n"
           "to it. With a passphrase, the vault is re-salted, under COMFYVN_SECRETS_NEW_PASSPHRASE if set.\n"},
      {.name = "import-legacy", .summary = "Import the Python original's vault",
       .description =
           "Imports the Python original's vault (Fernet or plaintext JSON) from config/comfyvn.secrets.json\n"
           "or <root>/comfyvn.secrets.json, re-encrypts it, and only then deletes the legacy copy.\n",
       .options = import_options},
  };
}

}  // namespace

std::span<const cli_command> vault_subcommands() {
  static const std::vector<cli_command> all = make();
  return all;
}

}  // namespace rio::kernel::cli_detail
