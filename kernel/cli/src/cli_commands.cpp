#include <rio/kernel/cli_command.hpp>

#include <iterator>
#include <vector>

namespace rio::kernel {

namespace {

std::vector<cli_command> builtin_commands() {
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
      {"plan", "plan HOST... | -i INVENTORY  -m MODULES [options]",
       "Show what an install would do on each host, changing nothing",
       "Usage: rio plan HOST... | -i INVENTORY [--limit PATTERN]  -m MODULES [options]\n"
       "\n"
       "Connects to each host, runs every module's detect probes, step checks and config-sync tests in\n"
       "ONE remote command, and prints an action per module: `install` (with the steps that would run\n"
       "and those already done) or `noop` (detected installed). The host is the truth: a lost status\n"
       "file does not cause a reinstall, and a wiped host is planned for install again. Nothing is\n"
       "written locally or remotely (a new host key is trusted for this connection only).\n"
       "\n",
       &cli_plan},
      {"install", "install HOST... | -i INVENTORY  -m MODULES [options]",
       "Install modules on one host or a fleet; reruns skip what is done and resume after failures",
       "Usage: rio install HOST... | -i INVENTORY [--limit PATTERN]  -m MODULES [options]\n"
       "\n"
       "Plans as `rio plan` does, then installs the modules in the order given. A failing step marks its\n"
       "module failed (with the reason and the stderr tail) and the run goes on with the next module; a\n"
       "rerun skips every step already done. Config sync never overwrites a file on the host. Status goes\n"
       "to <root>/data/remote/install/<host>.json after every module, the log (remote output included,\n"
       "credentials redacted) to <root>/logs/remote/install/<host>.log. Hosts run concurrently; one run\n"
       "at a time per host.\n"
       "\n"
       "  --dry-run                only plan (the same as rio plan)\n"
       "  --wait[=SECONDS]         if another run holds a host, wait for it (default up to 3600 s)\n"
       "                           instead of refusing that host\n"
       "\n"
       "Exit status: 0 every host succeeded (installed or noop), 1 something failed (a module, a host,\n"
       "or a host was unreachable; the others still ran), 2 bad input (nothing ran), 3 every host was\n"
       "busy with another run.\n"
       "\n",
       &cli_install},
      {"status", "status [HOST... | -i INVENTORY] [--json]", "Show the recorded state of hosts and modules",
       "Usage: rio status [HOST... | -i INVENTORY [--limit PATTERN]] [--json]\n"
       "\n"
       "Reads the status manifests (<root>/data/remote/install/*.json) and shows each module's state\n"
       "(installed, failed), since when, and the last reason; also whether a run is in progress or the\n"
       "last one was interrupted. Without hosts, lists every host. It changes nothing. To see what is\n"
       "really on a host, use rio plan: the host, not this file, is the truth.\n"
       "\n"
       "  --json   {\"ok\",\"host\",\"status\":<manifest>,\"status_path\",\"running\"} for one host,\n"
       "           {\"ok\",\"hosts\":[{\"host\",\"modules\":{id:state},\"updated_at\",\"status_path\"}]} otherwise\n",
       &cli_status},
      {"demo", "demo [--online] [--keep] [-m MODULES]",
       "Run plan, install and the idempotent rerun against a throwaway loopback SSH host",
       "Usage: rio demo [--online] [--keep] [-m MODULES]\n"
       "\n"
       "Shows the whole product on this machine: starts a throwaway SSH host on 127.0.0.1 (its own\n"
       "sshd with generated keys and an isolated home under a scratch directory), then runs rio plan,\n"
       "rio install, a second rio install (every module detected: noop) and rio status over real SSH.\n"
       "By default the modules install from offline fixture upstreams (local git repositories,\n"
       "installer scripts and stand-ins for system tools), so nothing leaves the machine.\n"
       "Needs /usr/sbin/sshd (openssh-server), ssh-keygen and git.\n"
       "\n"
       "  --online      use the modules' real upstream sources (GitHub, lmstudio.ai, ollama.com, your\n"
       "                package manager): a real install of the tools into the throwaway home, and of\n"
       "                system packages onto THIS machine through the loopback host\n"
       "  --keep        keep the scratch directory (host home, status files, logs) for inspection\n"
       "  -m MODULES    which modules (default all)\n",
       &cli_demo},
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
      {"serve", "serve [--host ADDR] [--port N] [--token-file FILE] [--allow-host NAME] [--max-webhooks N]",
       "Serve the REST API (/api/remote/modules, /install, /status, runs, live logs)",
       "Usage: rio serve [--host ADDR] [--port N] [--token-file FILE] [--allow-host NAME]... [--max-webhooks N]\n"
       "\n"
       "Serves ComfyVN's remote-installer REST API on 127.0.0.1:8001 (docs/api.md; the OpenAPI\n"
       "description is at /api/openapi.json). POST /api/remote/install and GET /api/remote/status\n"
       "answer 403 until features.enable_remote_installer is true in <root>/config/comfyvn.json (read\n"
       "again whenever the file changes). Installs run in the server's event loop: other requests\n"
       "keep answering while they run; \"async\": true returns a run id at once.\n"
       "\n"
       "  --host ADDR        listen address (default 127.0.0.1). Any non-loopback address needs an\n"
       "                     API token, and then every request needs `Authorization: Bearer <token>`\n"
       "  --port N           port (default 8001; 0 picks a free one)\n"
       "  --token-file FILE  the API token (at least 16 characters); else $RIO_API_TOKEN. The file must\n"
       "                     be yours and readable by you alone (chmod 600), or it is refused\n"
       "  --allow-host NAME  a further name clients may use for this server in Host (e.g. a reverse\n"
       "                     proxy's); repeatable. Without it only the listen address (and localhost\n"
       "                     on loopback) is answered, so a web page cannot reach rio by DNS rebinding\n"
       "  --max-webhooks N   webhooks that may be registered (default 32); one more is refused (409)\n"
       "\n"
       "Browsers: requests with a foreign Origin are refused, and POST needs Content-Type:\n"
       "application/json, so no web page can drive rio. Module options that say where code comes\n"
       "from (URL options) take the module's upstream or a prefix listed in \"allowed_sources\" of\n"
       "<root>/config/rio.json; a request cannot name any other source.\n"
       "\n"
       "Limits: headers within 10 s, bodies up to 1 MiB within 30 s, the token checked before a body is\n"
       "read; 512 connections (fewer under a low descriptor limit), 256 per client address, the longest\n"
       "idle closed to make room; hook test payloads up to 64 KiB. Webhooks in data/webhooks.json that\n"
       "cannot be used are skipped at start, with a line on stderr.\n"
       "\n"
       "SIGINT or SIGTERM stops accepting, cancels runs in flight (each records itself as cancelled)\n"
       "and exits once they have.\n",
       &cli_serve},
  };
  return {std::begin(commands), std::end(commands)};
}

std::vector<cli_command>& table() {
  static std::vector<cli_command> all = builtin_commands();
  return all;
}

}  // namespace

std::span<const cli_command> cli_commands() { return table(); }

}  // namespace rio::kernel
