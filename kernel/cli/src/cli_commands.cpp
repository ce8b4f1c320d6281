// The command table: every command's name, usage operands, prose and option table. The help,
// the bash completion and the man page are all written from this table (cli_help.cpp,
// cli_completion.cpp, cli_man.cpp), and each command parses its arguments against the same
// options (cli_options.hpp), so none of them can disagree.
#include <rio/kernel/cli_command.hpp>

#include "cli_help.hpp"
#include "cli_run_options.hpp"
#include "cli_vault_commands.hpp"

#include <algorithm>
#include <iterator>

namespace rio::kernel {
namespace {

constexpr cli_option modules_options[] = {
    {.value_name = "ID", .help = "describe this module: options, steps, probes, config sync, requirements",
     .kind = value_kind::module, .positional = true},
    {.long_name = "--json", .help = "print JSON: {\"modules\":[...]} (the shape of GET /api/remote/modules), or one "
                                    "module with its requirements when ID is given"},
};

constexpr cli_option status_options[] = {
    {.value_name = "HOST", .help = "[user@]host[:port]; the hosts to show (default: every recorded host)",
     .positional = true},
    {.long_name = "--inventory", .short_name = 'i', .value_name = "FILE", .help = "the hosts of this inventory",
     .kind = value_kind::file},
    {.long_name = "--limit", .value_name = "PATTERN", .help = "with -i: only these hosts, an Ansible host pattern (web:&gpu, web:!db, web*, ~regex, web[0:2])",
     .kind = value_kind::text},
    {.long_name = "--json",
     .help = "{\"ok\",\"host\",\"status\":<manifest>,\"status_path\",\"running\"} for one host, "
             "{\"ok\",\"hosts\":[{\"host\",\"modules\":{id:state},\"updated_at\",\"status_path\"}]} otherwise"},
};

constexpr cli_option inventory_options[] = {
    {.long_name = "--inventory", .short_name = 'i', .value_name = "FILE",
     .help = "the inventory: Ansible INI, YAML or ansible-inventory JSON, or rio's simple list", .kind = value_kind::file},
    {.long_name = "--limit", .value_name = "PATTERN",
     .help = "only these hosts: an Ansible host pattern (web:&gpu, web:!db, web*, ~regex, web[0:2])",
     .kind = value_kind::text},
    {.long_name = "--json",
     .help = "{\"hosts\":[{\"name\",\"address\",\"port\",\"user\",\"identity\",\"groups\",\"line\"}]}; "
             "user and identity are null when the inventory sets none"},
};

constexpr cli_option paths_options[] = {
    {.long_name = "--json", .help = "one object: root, root_source, config, rio_config, status, logs, vault, plugins, "
                                    "plugins_source"},
};

constexpr cli_option demo_options[] = {
    {.long_name = "--online",
     .help = "use the modules' real upstream sources (GitHub, lmstudio.ai, ollama.com, your package manager): a "
             "real install of the tools into the throwaway home, and of system packages onto THIS machine through "
             "the loopback host"},
    {.long_name = "--keep", .help = "keep the scratch directory (host home, status files, logs) for inspection"},
    {.long_name = "--modules", .short_name = 'm', .value_name = "MODULES", .help = "which modules (default all)",
     .kind = value_kind::module},
};

constexpr cli_option serve_options[] = {
    {.long_name = "--host", .value_name = "ADDR",
     .help = "listen address (default 127.0.0.1). Any non-loopback address needs an API token, and then every "
             "request needs `Authorization: Bearer <token>`",
     .kind = value_kind::text},
    {.long_name = "--port", .value_name = "N", .help = "port (default 8001; 0 picks a free one)", .kind = value_kind::text},
    {.long_name = "--token-file", .value_name = "FILE",
     .help = "the API token (at least 16 characters); else $RIO_API_TOKEN. The file must be yours and readable by "
             "you alone (chmod 600), or it is refused",
     .kind = value_kind::file},
    {.long_name = "--allow-host", .value_name = "NAME",
     .help = "a further name clients may use for this server in Host (e.g. a reverse proxy's). Without it only the "
             "listen address (and localhost on loopback) is answered, so a web page cannot reach rio by DNS "
             "rebinding",
     .repeatable = true, .kind = value_kind::text},
    {.long_name = "--max-webhooks", .value_name = "N",
     .help = "webhooks that may be registered (default 32); one more is refused (409)", .kind = value_kind::text},
};

constexpr cli_option help_options[] = {
    {.value_name = "COMMAND", .help = "the command to explain (vault takes a subcommand too: rio help vault set)",
     .positional = true},
    {.long_name = "--man", .help = "print the manual page rio(1) (roff) for every command and option"},
};

constexpr cli_option completion_options[] = {
    {.value_name = "SHELL", .help = "bash (the only one so far)", .positional = true},
};

constexpr cli_option global[] = {
    {.long_name = "--root", .value_name = "DIR",
     .help = "rio's root directory (config/, data/, logs/). Default: $RIO_ROOT, else the current directory.",
     .kind = value_kind::dir},
    {.long_name = "--plugin-dir", .value_name = "DIR",
     .help = "Where installer modules (*.so) are loaded from. Default: $RIO_PLUGIN_DIR, else \"plugin_dir\" in "
             "<root>/config/rio.json, else plugins/ beside the rio binary, else <prefix>/lib/rio/plugins.",
     .kind = value_kind::dir},
    {.long_name = "--help", .short_name = 'h', .help = "Show help"},
    {.long_name = "--version", .short_name = 'V', .help = "Same as `rio version`"},
};

constexpr std::string_view verb_exit_status =
    "Exit status: 0 every host succeeded (or had nothing to do), 1 something failed, 2 bad input\n"
    "(nothing ran), 3 every host was busy with another run.\n";

// long-function: the command table, one entry per command with its prose help, read as data
std::vector<cli_command> builtin_commands() {
  return {
      {.name = "modules", .operands = "[ID]", .summary = "List the installer modules loaded from the plugin directory, or describe one",
       .description =
           "Loads every installer module from the plugin directory and lists them in registry order\n"
           "(comfyui, sillytavern, lmstudio, ollama, then others by id). A plugin that cannot be loaded\n"
           "is skipped with one line on stderr naming the file and the reason. With ID, describes that\n"
           "module: its options (types, defaults, help), install steps, detect probes, config-sync\n"
           "entries and what it needs from a host (disk, tools, root, OS).\n",
       .options = modules_options, .run = &cli_modules},
      {.name = "plan", .operands = "HOST... | -i INVENTORY  -m MODULES", .summary = "Show what an install would do on each host, changing nothing",
       .description =
           "Connects to each host, runs every module's detect probes, step checks and config-sync tests in\n"
           "ONE remote command, and prints an action per module: `install` (with the steps that would run\n"
           "and those already done) or `noop` (detected installed). The host is the truth: a lost status\n"
           "file does not cause a reinstall, and a wiped host is planned for install again. Nothing is\n"
           "written locally or remotely (a new host key is trusted for this connection only).\n",
       .options = cli_detail::plan_options(), .run = &cli_plan},
      {.name = "install", .operands = "HOST... | -i INVENTORY  -m MODULES",
       .summary = "Install modules on one host or a fleet; reruns skip what is done and resume after failures",
       .description =
           "Plans as `rio plan` does, then installs the modules in the order given. A failing step marks its\n"
           "module failed (with the reason and the stderr tail) and the run goes on with the next module; a\n"
           "rerun skips every step already done. Config sync never overwrites a file on the host. Status goes\n"
           "to <root>/data/remote/install/<host>.json after every module, the log (remote output included,\n"
           "credentials redacted) to <root>/logs/remote/install/<host>.log. Hosts run concurrently; one run\n"
           "at a time per host.\n",
       .options = cli_detail::install_options(),
       .epilogue =
           "Exit status: 0 every host succeeded (installed or noop), 1 something failed (a module, a host,\n"
           "or a host was unreachable; the others still ran), 2 bad input (nothing ran), 3 every host was\n"
           "busy with another run.\n",
       .run = &cli_install},
      {.name = "update", .operands = "HOST... | -i INVENTORY  -m MODULES [--to REF]",
       .summary = "Update installed modules in place: to --to, the host's pin, or the latest; rolled back on failure",
       .description =
           "Plans first (--dry-run stops there): per module the installed and the wanted version and the\n"
           "steps. Then saves a rollback point on the host (the commit, the virtualenv's pip freeze, the\n"
           "previous Ollama version), runs the module's update steps (git fetch and checkout of the ref;\n"
           "Ollama's install script with OLLAMA_VERSION; lms daemon upgrade) and every install step whose\n"
           "check then fails: dependencies are reinstalled only when requirements.txt or package-lock.json\n"
           "changed, under the torch guard. A checkout with local changes is refused unless --force\n"
           "(stashed first).\n"
           "A failed update is rolled back to the saved point unless --no-rollback. A --set of the module's\n"
           "ref or version option pins it for the host: later updates move within the pin (a branch: its\n"
           "newest commit; v0.3: the newest v0.3.* tag). See docs/lifecycle.md.\n",
       .options = cli_detail::verb_options(engine::run_verb::update), .epilogue = verb_exit_status, .run = &cli_update},
      {.name = "rollback", .operands = "HOST... | -i INVENTORY  -m MODULES",
       .summary = "Return modules to the point their last update saved (commit, pip freeze, version)",
       .description =
           "Plans first, then restores what the last rio update saved before it changed anything: the\n"
           "checkout's commit and branch, the virtualenv's exact pip freeze (packages the update added are\n"
           "removed), the previous Ollama version through its install script. Then every install step whose\n"
           "check fails runs. A host without a rollback point is refused with the reason.\n",
       .options = cli_detail::verb_options(engine::run_verb::rollback), .epilogue = verb_exit_status, .run = &cli_rollback},
      {.name = "repair", .operands = "HOST... | -i INVENTORY  -m MODULES",
       .summary = "Re-run every step whose check fails, also where the probes say installed",
       .description =
           "Runs every step check of every module even when its probes pass (rio install skips them\n"
           "then), and runs only the steps whose checks fail: a broken virtualenv, a deleted node_modules.\n"
           "What is fine is not touched. A module whose checks all pass is a noop.\n",
       .options = cli_detail::verb_options(engine::run_verb::repair), .epilogue = verb_exit_status, .run = &cli_repair},
      {.name = "uninstall", .operands = "HOST... | -i INVENTORY  -m MODULES [--purge]",
       .summary = "Remove what rio created for modules (never the operator's files unless --purge)",
       .description =
           "Stops what the module started, then removes what rio recorded as created while installing:\n"
           "virtualenvs, node_modules, service drop-ins, sentinels, its config copies and rollback points. A\n"
           "checkout loses its tracked files and .git; files the operator added or changed (models, outputs,\n"
           "settings) stay, and the plan names them. --purge removes those too, and runs the module's\n"
           "documented uninstall of system-wide parts (Ollama: service, binary, libraries, user, models);\n"
           "the plan lists each. The manifest records the module as uninstalled.\n",
       .options = cli_detail::verb_options(engine::run_verb::uninstall), .epilogue = verb_exit_status, .run = &cli_uninstall},
      {.name = "status", .operands = "[HOST... | -i INVENTORY]", .summary = "Show the recorded state of hosts and modules",
       .description =
           "Reads the status manifests (<root>/data/remote/install/*.json) and shows each module's state\n"
           "(installed, failed), since when, and the last reason; also whether a run is in progress or the\n"
           "last one was interrupted. Without hosts, lists every host. It changes nothing. To see what is\n"
           "really on a host, use rio plan: the host, not this file, is the truth.\n",
       .options = status_options, .run = &cli_status},
      {.name = "inventory", .operands = "-i INVENTORY [--limit PATTERN]",
       .summary = "List the hosts an inventory resolves to: address, port, user and groups",
       .description =
           "Reads the inventory as rio plan and rio install do (the format is told from the content:\n"
           "Ansible INI, YAML or ansible-inventory JSON, or rio's simple list), applies --limit, and\n"
           "lists each host with the address, port and user rio would connect with and its groups. It\n"
           "connects nowhere and changes nothing: the way to check an inventory, like Ansible's\n"
           "ansible-inventory --list and --list-hosts. See docs/inventory.md.\n",
       .options = inventory_options, .run = &cli_inventory},
      {.name = "paths", .summary = "Show where rio keeps its state (root, status, logs, vault, plugins) and why",
       .description = "The root comes from one rule: --root, else $RIO_ROOT, else the current directory when it\n"
                      "is a ComfyVN or rio root (it holds config/comfyvn.json or config/rio.json), else\n"
                      "$XDG_STATE_HOME/rio, else ~/.local/state/rio. The packaged service uses\n"
                      "RIO_ROOT=/var/lib/rio. Status files and logs live under the root unless\n"
                      "COMFYVN_REMOTE_INSTALL_STATUS_ROOT or COMFYVN_REMOTE_INSTALL_LOG_ROOT say otherwise.\n",
       .options = paths_options, .run = &cli_paths},
      {.name = "demo", .summary = "Run plan, install, rerun, update, rollback and uninstall against a throwaway loopback SSH host",
       .description =
           "Shows the whole product on this machine: starts a throwaway SSH host on 127.0.0.1 (its own\n"
           "sshd with generated keys and an isolated home under a scratch directory), then runs rio plan,\n"
           "rio install, a second rio install (every module detected: noop) and rio status over real SSH.\n"
           "Then the lifecycle: the ComfyUI upstream gets a new commit, and rio update (planned first),\n"
           "rio rollback and rio uninstall run (offline fixtures only).\n"
           "By default the modules install from offline fixture upstreams (local git repositories,\n"
           "installer scripts and stand-ins for system tools), so nothing leaves the machine.\n"
           "Needs /usr/sbin/sshd (openssh-server), ssh-keygen and git.\n",
       .options = demo_options, .run = &cli_demo},
      {.name = "vault", .operands = "<subcommand>",
       .summary = "Keep SSH credentials in the encrypted vault (init, set, get, list, rotate, ...)",
       .description =
           "Keeps credentials encrypted in <root>/config/comfyvn.secrets.json (XChaCha20-Poly1305). The key\n"
           "comes from COMFYVN_SECRETS_KEY (32 bytes as 64 hex digits or base64), else the key file\n"
           "config/comfyvn.secrets.key (mode 0600), else COMFYVN_SECRETS_PASSPHRASE (Argon2id). Every read\n"
           "and write is recorded, without values, in <root>/logs/security.log. See docs/security.md.\n"
           "`rio vault help <subcommand>` (or `rio help vault <subcommand>`) shows one subcommand.\n",
       .run = &cli_vault, .subcommands = cli_detail::vault_subcommands()},
      {.name = "serve", .summary = "Serve the REST API (/api/remote/modules, /install, /status, runs, live logs)",
       .description =
           "Serves ComfyVN's remote-installer REST API on 127.0.0.1:8001 (docs/api.md; the OpenAPI\n"
           "description is at /api/openapi.json). POST /api/remote/install and GET /api/remote/status\n"
           "answer 403 until features.enable_remote_installer is true in <root>/config/comfyvn.json (read\n"
           "again whenever the file changes). The original's security routes (/api/security: the vault's\n"
           "providers, key rotation, the audit log, sandbox rules) answer 403 until\n"
           "features.enable_security_api is true there too. Installs run in the server's event loop: other\n"
           "requests keep answering while they run; \"async\": true returns a run id at once.\n",
       .options = serve_options,
       .epilogue =
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
       .run = &cli_serve},
      {.name = "completion", .operands = "bash", .summary = "Print a bash completion script (source it, or install it as completions/rio)",
       .description =
           "Prints a bash completion script written from rio's own command and option tables: commands,\n"
           "each command's options, module ids for -m (those loaded when the script was made), files and\n"
           "directories where an option takes one. `cmake --install` puts it in\n"
           "share/bash-completion/completions/rio; to try it: source <(rio completion bash).\n",
       .options = completion_options, .run = &cli_completion},
      {.name = "version", .summary = "Print the versions of rio, its SDK ABI, Boost, libssh2 and libsodium",
       .run = &cli_detail::cli_version},
      {.name = "help", .operands = "[COMMAND [SUBCOMMAND]]", .summary = "Show this help, one command's help, or (--man) the manual page",
       .options = help_options, .run = &cli_detail::cli_help},
  };
}

}  // namespace

std::span<const cli_command> cli_commands() {
  static const std::vector<cli_command> all = builtin_commands();
  return all;
}

std::span<const cli_option> global_options() { return global; }

const cli_command* find_command(std::string_view name, const cli_command* parent) {
  auto commands = parent != nullptr ? parent->subcommands : cli_commands();
  auto it = std::find_if(commands.begin(), commands.end(), [&](const cli_command& c) { return c.name == name; });
  return it == commands.end() ? nullptr : &*it;
}

}  // namespace rio::kernel
