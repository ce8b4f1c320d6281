#include "cli_run_options.hpp"

#include <iterator>
#include <vector>

namespace rio::kernel::cli_detail {
namespace {

constexpr std::string_view hosts = "Hosts (at least one)";
constexpr std::string_view what = "What to run";
constexpr std::string_view preflight = "Preflight (checked inside the detect command; docs/platforms.md)";
constexpr std::string_view connection = "Connection (a host's own user@ and :port win over these)";
constexpr std::string_view output = "Output";
constexpr std::string_view install_only = "Install only";

constexpr cli_option options[] = {
    {.value_name = "HOST", .help = "[user@]host[:port] or [user@][v6addr]:port; as many as you like",
     .section = hosts, .positional = true},
    {.long_name = "--inventory", .short_name = 'i', .value_name = "FILE",
     .help = "rio's host list or an Ansible INI inventory (docs/inventory.md)", .kind = value_kind::file,
     .section = hosts},
    {.long_name = "--limit", .value_name = "PATTERN", .help = "with -i: only these hosts, an Ansible host pattern (web:&gpu, web:!db, web*, ~regex, web[0:2])",
     .kind = value_kind::text, .section = hosts},
    {.long_name = "--modules", .short_name = 'm', .value_name = "LIST",
     .help = "comma-separated module ids, or \"all\" (required)", .repeatable = true, .kind = value_kind::module,
     .section = what},
    {.long_name = "--set", .value_name = "MODULE.OPTION=VALUE",
     .help = "a module option for every host (an inventory line's own value wins)", .repeatable = true,
     .kind = value_kind::text, .section = what},
    {.long_name = "--env", .value_name = "NAME[=VALUE]",
     .help = "exported to every remote command (never to rio's own environment); the value reaches the host on "
             "stdin, never in a command line there. NAME alone takes NAME's value from rio's own environment "
             "(keeping it out of rio's command line, which every local user can read)",
     .repeatable = true, .kind = value_kind::text, .section = what},
    {.long_name = "--env-file", .value_name = "FILE", .help = "NAME=VALUE lines (# comments), exported the same way",
     .repeatable = true, .kind = value_kind::file, .section = what},
    {.long_name = "--min-disk", .value_name = "[MODULE=]GIB",
     .help = "free disk a module needs where it installs (default 6, SillyTavern 2; 0 turns the check off)",
     .repeatable = true, .kind = value_kind::text, .section = preflight},
    {.long_name = "--skip-check", .value_name = "NAME",
     .help = "do not apply a check: platform, disk, sudo, package_manager, tools, gpu_driver", .repeatable = true,
     .kind = value_kind::text, .section = preflight},
    {.long_name = "--user", .short_name = 'u', .value_name = "USER", .help = "login user (default: your local user name)",
     .kind = value_kind::text, .section = connection},
    {.long_name = "--port", .short_name = 'p', .value_name = "PORT", .help = "SSH port (default 22)",
     .kind = value_kind::text, .section = connection},
    {.long_name = "--identity", .value_name = "FILE", .help = "private key file (default: ssh-agent, then ~/.ssh/id_*)",
     .kind = value_kind::file, .section = connection},
    {.long_name = "--secrets", .value_name = "PROVIDER[:KEY]",
     .help = "take user, port, key and passphrase from the vault provider (e.g. remote_installer); KEY selects "
             "hosts.<KEY> instead of the host name",
     .kind = value_kind::text, .section = connection},
    {.long_name = "--strict-host-keys",
     .help = "refuse hosts missing from known_hosts (default: record a new host's key in "
             "<root>/data/ssh/known_hosts on first use, refuse changed keys)",
     .section = connection},
    {.long_name = "--connect-timeout", .value_name = "SEC",
     .help = "connect + handshake + authentication deadline (default 10)", .kind = value_kind::text,
     .section = connection},
    {.long_name = "--parallel", .value_name = "N", .help = "hosts in flight at once (default 256)",
     .kind = value_kind::text, .section = connection},
    {.long_name = "--json", .help = "print the API's JSON shape instead of text", .section = output},
    {.long_name = "--no-progress", .help = "no live progress line on a terminal", .section = output},
    {.long_name = "--verbose", .short_name = 'v',
     .help = "per host, also how rio connected: key exchange, host key, cipher and MAC negotiated, authentication",
     .section = output},
    {.long_name = "--dry-run", .help = "only plan (the same as rio plan)", .section = install_only},
    {.long_name = "--wait", .value_name = "SECONDS",
     .help = "if another run holds a host, wait for it (default up to 3600 s) instead of refusing that host",
     .kind = value_kind::optional, .section = install_only},
};

constexpr std::size_t install_extras = 2;

constexpr std::string_view verb = "This verb";

constexpr cli_option update_extras[] = {
    {.long_name = "--to", .value_name = "REF", .help = "the branch, tag, version line (v0.3: its newest tag), commit or "
     "version to move to, this once (default: the host's pin, else the module's ref or version option)",
     .kind = value_kind::text, .section = verb},
    {.long_name = "--force", .help = "go ahead over local changes in a checkout: they are stashed first (git stash list)",
     .section = verb},
    {.long_name = "--no-rollback", .help = "leave a failed update as it failed (default: roll back to the saved point)",
     .section = verb},
    {.long_name = "--unpin", .help = "forget the host's pin, so the module's option (or --to) decides", .section = verb},
};
constexpr cli_option rollback_extras[] = {
    {.long_name = "--force", .help = "go ahead over local changes in a checkout: they are stashed first", .section = verb},
};
constexpr cli_option uninstall_extras[] = {
    {.long_name = "--purge", .help = "also remove what is not rio's alone: files the operator added to a checkout, models, "
     "system-wide files (Ollama's documented uninstall); the plan lists each", .section = verb},
};

std::vector<cli_option> with_extras(std::span<const cli_option> extras) {
  std::vector<cli_option> all{std::begin(options), std::end(options)};
  all.insert(all.end(), extras.begin(), extras.end());
  return all;
}

}  // namespace

std::span<const cli_option> plan_options() { return {std::begin(options), std::size(options) - install_extras}; }
std::span<const cli_option> install_options() { return options; }

std::span<const cli_option> verb_options(engine::run_verb v) {
  static const std::vector<cli_option> update = with_extras(update_extras);
  static const std::vector<cli_option> rollback = with_extras(rollback_extras);
  static const std::vector<cli_option> uninstall = with_extras(uninstall_extras);
  switch (v) {
    case engine::run_verb::update: return update;
    case engine::run_verb::rollback: return rollback;
    case engine::run_verb::uninstall: return uninstall;
    case engine::run_verb::install:
    case engine::run_verb::repair: break;
  }
  return options;
}

}  // namespace rio::kernel::cli_detail
