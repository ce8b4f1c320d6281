#include <rio/kernel/cli_command.hpp>

namespace rio::kernel {

std::span<const cli_command> cli_commands() {
  static constexpr cli_command commands[] = {
      {"modules", "modules [--json]", "List the installer modules loaded from the plugin directory",
       "Usage: rio modules [--json]\n"
       "\n"
       "Loads every installer module from the plugin directory and lists them in registry order\n"
       "(comfyui, sillytavern, lmstudio, ollama, then others by id). A plugin that cannot be loaded\n"
       "is skipped with one line on stderr naming the file and the reason.\n"
       "\n"
       "  --json   Print {\"modules\":[...]}, the shape of GET /api/remote/modules\n",
       &cli_modules},
      {"vault", "vault <subcommand>", "Keep SSH credentials in the encrypted vault (init, set, get, list, rotate, ...)",
       "Usage: rio vault <subcommand> [options]      (`rio vault help <subcommand>` shows one)\n"
       "\n"
       "Keeps credentials encrypted in <root>/config/comfyvn.secrets.json (XChaCha20-Poly1305). The key\n"
       "comes from COMFYVN_SECRETS_KEY (32 bytes as 64 hex digits or base64), else the key file\n"
       "config/comfyvn.secrets.key (mode 0600), else COMFYVN_SECRETS_PASSPHRASE (Argon2id). Every read\n"
       "and write is recorded, without values, in <root>/logs/security.log. See docs/security.md.\n"
       "\n"
       "rio vault init\n"
       "  Creates an empty vault. With no key configured, first writes a new key file (mode 0600).\n"
       "\n"
       "rio vault set PROVIDER FIELD [FIELD...] [--json] [--value-file FILE]\n"
       "  Stores a value at PROVIDER.FIELD..., creating blocks on the way, e.g.\n"
       "  `rio vault set remote_installer hosts gpu.lab.local user`. The value is read from stdin (one\n"
       "  trailing newline removed) or from FILE, never from the command line, so it stays out of shell\n"
       "  history and the process list.\n"
       "  --json             Parse the value as JSON (a number, a block): `echo 22 | rio vault set\n"
       "                     remote_installer defaults port --json`\n"
       "  --value-file FILE  Read the value from FILE instead of stdin\n"
       "\n"
       "rio vault get PROVIDER [--show-values] [--json]\n"
       "  Shows the provider's field names, which of them come from COMFYVN_SECRET_<PROVIDER>_<FIELD>\n"
       "  environment overrides, and the key fingerprint. Values stay hidden without --show-values.\n"
       "  --show-values      Print the values too (they end up on your terminal; the audit log still\n"
       "                     records names only)\n"
       "  --json             {\"provider\",\"stored_keys\",\"override_keys\",\"present\",\"fingerprint\"},\n"
       "                     plus \"values\" with --show-values\n"
       "\n"
       "rio vault list [--json]\n"
       "  Lists the providers with their field names and overrides, never values.\n"
       "\n"
       "rio vault unset PROVIDER [FIELD...]\n"
       "  Removes a field, or the whole provider when no FIELD is given.\n"
       "\n"
       "rio vault rotate\n"
       "  Re-encrypts the vault under a new key; a crash at any point leaves it readable. With a key\n"
       "  file, the new key replaces it. With COMFYVN_SECRETS_KEY, the new key is printed ONCE on stdout\n"
       "  and kept in config/comfyvn.secrets.key.pending until a write runs with it: set the variable\n"
       "  to it. With a passphrase, the vault is re-salted, under COMFYVN_SECRETS_NEW_PASSPHRASE if set.\n"
       "\n"
       "rio vault import-legacy [--from FILE] [--legacy-key-file FILE] [--overwrite]\n"
       "  Imports the Python original's vault (Fernet or plaintext JSON) from config/comfyvn.secrets.json\n"
       "  or <root>/comfyvn.secrets.json, re-encrypts it, and only then deletes the legacy copy.\n"
       "  --from FILE             Import this file instead\n"
       "  --legacy-key-file FILE  The Fernet key (default: COMFYVN_SECRETS_KEY, then the key files)\n"
       "  --overwrite             Let legacy providers replace different ones already in the vault\n",
       &cli_vault},
  };
  return commands;
}

}  // namespace rio::kernel
