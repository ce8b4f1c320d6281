#include "cli_run_request.hpp"

#include <rio/kernel/cli_command.hpp>
#include <rio/kernel/engine/env_source.hpp>
#include <rio/kernel/engine/request_builder.hpp>
#include <rio/kernel/engine/run_paths.hpp>
#include <rio/kernel/inventory.hpp>
#include <rio/vault/connection_fields.hpp>
#include <rio/vault/vault.hpp>

#include <boost/json/object.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <ostream>
#include <set>

namespace rio::kernel::cli_detail {
namespace json = boost::json;
namespace fs = std::filesystem;

const char* const run_options_help =
    "Hosts (at least one):\n"
    "  HOST                     [user@]host[:port] or [user@][v6addr]:port; repeatable\n"
    "  -i, --inventory FILE     rio's host list or an Ansible INI inventory (docs/inventory.md)\n"
    "  --limit PATTERN          with -i: only these groups or hosts (comma-separated)\n"
    "\n"
    "What to run:\n"
    "  -m, --modules LIST       comma-separated module ids, or \"all\" (required; repeatable)\n"
    "  --set MODULE.OPTION=VALUE  a module option for every host (an inventory line's own value wins)\n"
    "  --env NAME=VALUE         exported to every remote command (never to rio's own environment);\n"
    "                           the value reaches the host on stdin, never in a command line there\n"
    "  --env NAME               the same with NAME's value in rio's own environment (keeps the value\n"
    "                           out of rio's command line, which every local user can read)\n"
    "  --env-file FILE          NAME=VALUE lines (# comments), exported the same way\n"
    "\n"
    "Preflight (checked inside the detect command; docs/platforms.md):\n"
    "  --min-disk [MODULE=]GIB  free disk a module needs where it installs (default 6, SillyTavern 2;\n"
    "                           0 turns the check off); repeatable\n"
    "  --skip-check NAME        do not apply a check: platform, disk, sudo, package_manager, tools,\n"
    "                           gpu_driver; repeatable\n"
    "\n"
    "Connection (a host's own user@ and :port win over these):\n"
    "  -u, --user USER          login user (default: your local user name)\n"
    "  -p, --port PORT          SSH port (default 22)\n"
    "  --identity FILE          private key file (default: ssh-agent, then ~/.ssh/id_*)\n"
    "  --secrets PROVIDER[:KEY] take user, port, key and passphrase from the vault provider (e.g.\n"
    "                           remote_installer); KEY selects hosts.<KEY> instead of the host name\n"
    "  --strict-host-keys       refuse hosts missing from known_hosts (default: record a new host's\n"
    "                           key in <root>/data/ssh/known_hosts on first use, refuse changed keys)\n"
    "  --connect-timeout SEC    connect + handshake + authentication deadline (default 10)\n"
    "  --parallel N             hosts in flight at once (default 256)\n"
    "\n"
    "Output:\n"
    "  --json                   print the API's JSON shape instead of text\n"
    "  --no-progress            no live progress line on a terminal\n";

namespace {

bool take_value(const std::vector<std::string>& args, std::size_t& i, std::string_view flag, std::string& value,
                bool& missing) {
  const std::string& a = args[i];
  if (a == flag) {
    if (i + 1 >= args.size()) {
      missing = true;
      return true;
    }
    value = args[++i];
    return true;
  }
  std::string prefix = std::string{flag} + "=";
  if (flag.starts_with("--") && a.starts_with(prefix)) {
    value = a.substr(prefix.size());
    return true;
  }
  return false;
}

std::optional<unsigned long> parse_number(std::string_view text, unsigned long max) {
  unsigned long v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size() || v > max) return std::nullopt;
  return v;
}

fs::path expand_local(const std::string& path, const env_lookup& env) {
  if (path == "~" || path.starts_with("~/")) {
    auto home = env ? env("HOME") : std::nullopt;
    if (home && !home->empty()) return fs::path{*home + path.substr(1)};
  }
  return fs::path{path};
}

struct raw_args {
  std::vector<std::string> hosts;
  std::string inventory_file, limit;
  std::vector<std::string> modules;
  std::vector<std::string> sets, envs, env_files, min_disk, skip_checks;
  std::string user, port, identity, secrets, connect_timeout, parallel;
  bool strict = false, json = false, no_progress = false, wait = false, dry_run = false;
  std::string wait_seconds;
};

// Flags that may repeat, each adding to a list: the list a flag at args[i] feeds, or nullptr.
std::vector<std::string>* repeatable_flag(const std::vector<std::string>& args, std::size_t& i, raw_args& raw,
                                          std::string& value, bool& missing) {
  const std::pair<std::string_view, std::vector<std::string>*> lists[] = {
      {"-m", &raw.modules},        {"--modules", &raw.modules}, {"--set", &raw.sets},
      {"--env-file", &raw.env_files}, {"--env", &raw.envs},       {"--min-disk", &raw.min_disk},
      {"--skip-check", &raw.skip_checks}};
  for (const auto& [flag, list] : lists) {
    if (take_value(args, i, flag, value, missing)) return list;
  }
  return nullptr;
}

}  // namespace

std::optional<run_request> parse_run_request(const std::vector<std::string>& args, const settings& cfg,
                                             const module_registry& registry, const cli_io& io, bool install,
                                             int& exit_code, vault::event_listener* vault_events) {
  const char* cmd = install ? "install" : "plan";
  auto bad = [&](const std::string& message) -> std::optional<run_request> {
    exit_code = usage_error(io, std::string{cmd} + ": " + message);
    return std::nullopt;
  };

  raw_args raw;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    bool missing = false;
    std::string v;
    if (take_value(args, i, "-i", raw.inventory_file, missing) || take_value(args, i, "--inventory", raw.inventory_file, missing) ||
        take_value(args, i, "--limit", raw.limit, missing) || take_value(args, i, "-u", raw.user, missing) ||
        take_value(args, i, "--user", raw.user, missing) || take_value(args, i, "-p", raw.port, missing) ||
        take_value(args, i, "--port", raw.port, missing) || take_value(args, i, "--identity", raw.identity, missing) ||
        take_value(args, i, "--secrets", raw.secrets, missing) ||
        take_value(args, i, "--connect-timeout", raw.connect_timeout, missing) ||
        take_value(args, i, "--parallel", raw.parallel, missing)) {
      if (missing) return bad(a + " needs a value");
    } else if (auto* list = repeatable_flag(args, i, raw, v, missing)) {
      if (missing) return bad(a + " needs a value");
      list->push_back(v);
    } else if (a == "--strict-host-keys") {
      raw.strict = true;
    } else if (a == "--json") {
      raw.json = true;
    } else if (a == "--no-progress") {
      raw.no_progress = true;
    } else if (install && a == "--dry-run") {
      raw.dry_run = true;
    } else if (install && (a == "--wait" || a.starts_with("--wait="))) {
      raw.wait = true;
      if (a.size() > 7) raw.wait_seconds = a.substr(7);
    } else if (a.starts_with("-") && !a.starts_with("[")) {
      return bad("unknown option '" + a + "'");
    } else {
      raw.hosts.push_back(a);
    }
  }

  if (raw.modules.empty()) return bad("name the modules to " + std::string{cmd} + " with -m (e.g. -m comfyui,ollama or -m all)");
  auto selected_modules = engine::select_modules(registry, raw.modules);
  if (!selected_modules) {
    std::string names;
    for (const auto& x : registry.modules()) names += (names.empty() ? "" : ", ") + x->id;
    return bad(selected_modules.error().message + " (loaded: " + names + ")");
  }
  const std::vector<const loaded_module*>& modules = *selected_modules;

  // Global option overrides: MODULE.OPTION=VALUE.
  std::map<std::string, sdk::option_values> global_options;
  for (const auto& s : raw.sets) {
    auto eq = s.find('=');
    auto dot = s.find('.');
    if (eq == std::string::npos || dot == std::string::npos || dot > eq || dot == 0 || dot + 1 == eq) {
      return bad("--set wants MODULE.OPTION=VALUE, got '" + s.substr(0, 60) + "'");
    }
    std::string module = s.substr(0, dot);
    if (registry.find(module) == nullptr) return bad("--set " + s.substr(0, eq) + ": unknown module '" + module + "'");
    global_options[module][s.substr(dot + 1, eq - dot - 1)] = s.substr(eq + 1);
  }

  run_request req;
  req.redact = std::make_unique<engine::redactor>();
  req.json = raw.json;
  req.progress = !raw.no_progress && !raw.json;

  std::vector<std::pair<std::string, std::string>> env;
  for (const auto& f : raw.env_files) {
    auto lines = engine::env_from_file(expand_local(f, io.env));
    if (!lines) return bad(lines.error().message);
    env.insert(env.end(), lines->begin(), lines->end());
  }
  for (const auto& e : raw.envs) {
    auto assignment = engine::env_from_argument(e, io.env);
    if (!assignment) return bad(assignment.error().message);
    env.push_back(std::move(*assignment));
  }
  for (const auto& [name, value] : env) req.redact->add_if_secret_name(name, value);

  std::optional<std::uint16_t> default_port;
  if (!raw.port.empty()) {
    auto p = parse_number(raw.port, 65535);
    if (!p || *p == 0) return bad("--port must be an integer in 1-65535");
    default_port = static_cast<std::uint16_t>(*p);
  }
  if (!raw.user.empty() && !vault::valid_ssh_user(raw.user)) {
    return bad("--user must be 1-32 characters of [A-Za-z0-9_.-] starting with a letter or '_'");
  }
  std::chrono::milliseconds connect_timeout{std::chrono::seconds{10}};
  if (!raw.connect_timeout.empty()) {
    auto t = parse_number(raw.connect_timeout, 3600);
    if (!t || *t == 0) return bad("--connect-timeout must be a whole number of seconds in 1-3600");
    connect_timeout = std::chrono::seconds{*t};
  }
  if (!raw.parallel.empty()) {
    auto n = parse_number(raw.parallel, 100000);
    if (!n || *n == 0) return bad("--parallel must be a positive integer");
    req.parallel = *n;
  }

  // Hosts: arguments, or the inventory (optionally limited).
  std::vector<inventory::host_entry> entries;
  for (const auto& h : raw.hosts) {
    auto entry = inventory::parse_host_spec(h);
    if (!entry) return bad(entry.error().message);
    entries.push_back(std::move(*entry));
  }
  if (!raw.inventory_file.empty()) {
    auto inv = inventory::load_inventory(expand_local(raw.inventory_file, io.env));
    if (!inv) return bad(inv.error().message);
    if (!raw.limit.empty()) {
      auto selected = inventory::select_hosts(*inv, raw.limit);
      if (!selected) return bad(selected.error().message);
      inv = std::move(*selected);
    }
    for (auto& h : inv->hosts) entries.push_back(std::move(h));
  } else if (!raw.limit.empty()) {
    return bad("--limit needs an inventory (-i FILE)");
  }
  if (entries.empty()) return bad("name at least one host, or an inventory with -i FILE");

  engine::host_defaults defaults;
  defaults.env = std::move(env);
  defaults.module_options = std::move(global_options);
  if (!raw.user.empty()) defaults.ssh["user"] = raw.user;
  if (default_port) defaults.ssh["port"] = *default_port;
  if (!raw.identity.empty()) defaults.ssh["identity"] = raw.identity;
  if (!raw.secrets.empty()) {
    std::string provider = raw.secrets;
    if (auto colon = provider.find(':'); colon != std::string::npos) {
      defaults.secrets_key = provider.substr(colon + 1);
      provider.resize(colon);
    }
    // Read once for the whole call (one audited read).
    auto fields = engine::read_provider(cfg.root, io.env, provider, vault_events);
    if (!fields && fields.error().code == make_error_code(errc::bad_request)) return bad("--secrets: " + fields.error().message);
    if (!fields) {
      exit_code = exit_failed;
      io.err << "rio: " << cmd << ": --secrets " << provider << ": " << fields.error().message << "\n";
      return std::nullopt;
    }
    defaults.use_provider(std::move(*fields));
  }

  auto built = engine::build_host_requests(entries, defaults, modules, *req.redact, io.env);
  if (!built) return bad(built.error().message);
  req.hosts = std::move(built->requests);
  if (raw.connect_timeout.empty()) connect_timeout = built->connect_timeout;

  auto& s = req.settings;
  s.run_id = engine::new_run_id();
  s.paths = engine::resolve_run_paths(cfg.root, io.env);
  s.asset_root = cfg.root;
  s.known_hosts = ssh::standard_known_hosts(cfg.root, raw.strict ? ssh::host_key_policy::strict : ssh::host_key_policy::accept_new);
  s.connect_timeout = connect_timeout;
  s.dry_run = !install || raw.dry_run;
  s.wait_for_lock = raw.wait;
  if (!raw.wait_seconds.empty()) {
    auto w = parse_number(raw.wait_seconds, 86400);
    if (!w) return bad("--wait=SECONDS must be a whole number of seconds up to 86400");
    s.lock_patience = std::chrono::seconds{*w};
  }
  s.redact = req.redact.get();
  auto loaded = [&registry](const std::string& id) { return registry.find(id) != nullptr; };
  for (const auto& d : raw.min_disk) {
    if (auto ok = engine::add_disk_override(s.preflight, d, loaded); !ok) return bad("--" + ok.error().message);
  }
  for (const auto& c : raw.skip_checks) {
    if (auto ok = engine::add_skipped_check(s.preflight, c); !ok) return bad("--" + ok.error().message);
  }
  return req;
}

}  // namespace rio::kernel::cli_detail
