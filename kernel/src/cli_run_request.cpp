#include "cli_run_request.hpp"

#include <rio/kernel/cli_command.hpp>
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
#include <pwd.h>
#include <random>
#include <set>
#include <unistd.h>

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
    "  --env NAME=VALUE         exported to every remote command (never to rio's own environment)\n"
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

std::string local_user() {
  if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_name != nullptr) return pw->pw_name;
  return "root";
}

bool valid_env_name(std::string_view n) {
  if (n.empty() || std::isdigit(static_cast<unsigned char>(n.front()))) return false;
  return std::all_of(n.begin(), n.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

std::string new_run_id() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  std::random_device rd;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(rd()));
  return std::string{stamp} + "-" + suffix;
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
  std::vector<std::string> sets, envs;
  std::string user, port, identity, secrets, connect_timeout, parallel;
  bool strict = false, json = false, no_progress = false, wait = false, dry_run = false;
  std::string wait_seconds;
};

}  // namespace

std::optional<run_request> parse_run_request(const std::vector<std::string>& args, const settings& cfg,
                                             const module_registry& registry, const cli_io& io, bool install,
                                             int& exit_code) {
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
    } else if (take_value(args, i, "-m", v, missing) || take_value(args, i, "--modules", v, missing)) {
      if (missing) return bad(a + " needs a value");
      raw.modules.push_back(v);
    } else if (take_value(args, i, "--set", v, missing)) {
      if (missing) return bad(a + " needs a value");
      raw.sets.push_back(v);
    } else if (take_value(args, i, "--env", v, missing)) {
      if (missing) return bad(a + " needs a value");
      raw.envs.push_back(v);
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

  // Modules: trimmed, lower-cased, de-duplicated, in the order given ("all" = registry order).
  std::vector<const loaded_module*> modules;
  for (const auto& list : raw.modules) {
    std::string_view rest = list;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      std::string id{rest.substr(0, comma)};
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      id.erase(0, id.find_first_not_of(" \t"));
      id.erase(id.find_last_not_of(" \t") + 1);
      std::transform(id.begin(), id.end(), id.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (id.empty()) continue;
      if (id == "all") {
        for (const auto& m : registry.modules()) {
          if (std::find(modules.begin(), modules.end(), m.get()) == modules.end()) modules.push_back(m.get());
        }
        continue;
      }
      const loaded_module* m = registry.find(id);
      if (m == nullptr) return bad("unknown module '" + id + "' (loaded: " + [&] {
        std::string names;
        for (const auto& x : registry.modules()) names += (names.empty() ? "" : ", ") + x->id;
        return names;
      }() + ")");
      if (std::find(modules.begin(), modules.end(), m) == modules.end()) modules.push_back(m);
    }
  }
  if (raw.modules.empty()) return bad("name the modules to " + std::string{cmd} + " with -m (e.g. -m comfyui,ollama or -m all)");
  if (modules.empty()) return bad("modules list is empty");

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
  for (const auto& e : raw.envs) {
    auto eq = e.find('=');
    if (eq == std::string::npos || !valid_env_name(e.substr(0, eq))) {
      return bad("--env wants NAME=VALUE with NAME of [A-Za-z_][A-Za-z0-9_]*, got '" + e.substr(0, std::min<std::size_t>(eq, 60)) + "'");
    }
    env.emplace_back(e.substr(0, eq), e.substr(eq + 1));
    req.redact->add_if_secret_name(e.substr(0, eq), e.substr(eq + 1));
  }

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

  // Credentials from the vault: read once for the whole call (one audited read).
  json::object provider_fields;
  std::string secrets_key;
  if (!raw.secrets.empty()) {
    std::string provider = raw.secrets;
    if (auto colon = provider.find(':'); colon != std::string::npos) {
      secrets_key = provider.substr(colon + 1);
      provider.resize(colon);
    }
    vault::vault_options vo;
    vo.root = cfg.root;
    vo.env = vault::environment::from_lookup(io.env);
    vault::vault v{std::move(vo)};
    auto view = v.get(provider);
    if (!view) {
      exit_code = exit_failed;
      io.err << "rio: " << cmd << ": --secrets " << provider << ": " << view.error().message << "\n";
      return std::nullopt;
    }
    // A misspelled provider must not silently become a run without credentials (the original's trap).
    if (!view->present) return bad("--secrets: provider '" + provider + "' is not in the vault and has no environment overrides");
    provider_fields = std::move(view->fields);
  }

  std::set<std::string> seen;
  for (auto& e : entries) {
    engine::host_request hr;
    hr.name = e.name;
    hr.env = env;
    json::object ssh;
    if (e.user_set) ssh["user"] = e.where.user;
    else if (!raw.user.empty()) ssh["user"] = raw.user;
    if (e.port_set) ssh["port"] = e.where.port;
    else if (default_port) ssh["port"] = *default_port;
    if (!e.identity.empty()) ssh["identity"] = e.identity;
    else if (!raw.identity.empty()) ssh["identity"] = raw.identity;
    auto merged = vault::merge_connection_fields(provider_fields, secrets_key.empty() ? e.where.host : secrets_key,
                                                 e.where.host, ssh);
    auto creds = vault::extract_ssh_credentials(merged);
    if (!creds) return bad("host " + e.name + ": " + creds.error().message);
    hr.where = e.where;
    hr.where.user = creds->user.value_or(local_user());
    hr.where.port = creds->port.value_or(22);
    if (auto valid = ssh::validate(hr.where); !valid) return bad("host " + e.name + ": " + valid.error().message);
    if (!creds->private_key.empty()) {
      hr.auth.private_key = creds->private_key;
      req.redact->add(creds->private_key.reveal());
    }
    if (creds->identity) hr.auth.identity_files.push_back(expand_local(*creds->identity, io.env));
    if (!creds->passphrase.empty()) {
      hr.auth.passphrase = creds->passphrase;
      req.redact->add(creds->passphrase.reveal());
    }
    hr.auth.default_identities = !creds->private_key.empty() || creds->identity ? false : true;
    if (auto sock = io.env ? io.env("SSH_AUTH_SOCK") : std::nullopt; sock && !sock->empty()) hr.auth.agent_socket = fs::path{*sock};
    if (creds->connect_timeout) connect_timeout = *creds->connect_timeout;

    const std::string key = hr.where.user + "@" + hr.where.host + ":" + std::to_string(hr.where.port);
    if (!seen.insert(key).second) continue;  // the same host twice in one call runs once

    for (const loaded_module* m : modules) {
      sdk::option_values overrides;
      if (auto g = global_options.find(m->id); g != global_options.end()) overrides = g->second;
      if (auto h = e.module_options.find(m->id); h != e.module_options.end()) {
        for (const auto& [k, v] : h->second) overrides[k] = v;
      }
      auto resolved = sdk::resolve_options(m->spec(), overrides);
      if (!resolved) return bad("host " + e.name + ", module " + m->id + ": " + resolved.error().message);
      hr.modules.push_back({&m->installer(), std::move(*resolved)});
    }
    req.hosts.push_back(std::move(hr));
  }

  auto& s = req.settings;
  s.run_id = new_run_id();
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
  return req;
}

}  // namespace rio::kernel::cli_detail
