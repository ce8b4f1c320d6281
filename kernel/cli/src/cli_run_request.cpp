#include "cli_run_request.hpp"

#include "cli_options.hpp"
#include "cli_run_options.hpp"
#include "suggest.hpp"
#include <rio/kernel/cli_command.hpp>
#include <rio/kernel/engine/env_source.hpp>
#include <rio/kernel/engine/lifecycle_plan.hpp>
#include <rio/kernel/engine/request_builder.hpp>
#include <rio/kernel/engine/run_paths.hpp>
#include <rio/kernel/inventory.hpp>
#include <rio/vault/connection_fields.hpp>
#include <rio/vault/vault.hpp>

#include <boost/json/object.hpp>

#include <algorithm>
#include <charconv>
#include <map>
#include <ostream>

namespace rio::kernel::cli_detail {
namespace fs = std::filesystem;
namespace {

// Every problem below is a usage error (exit 2) except a vault that cannot be read (exit 1),
// which keeps its own code.
sdk::error usage(std::string message) { return fail(errc::bad_usage, std::move(message)); }

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

std::vector<std::string> module_ids(const module_registry& registry) {
  std::vector<std::string> ids;
  for (const auto& m : registry.modules()) ids.push_back(m->id);
  return ids;
}

// -m: the engine's selection, with the nearest loaded id suggested for an unknown one.
result<std::vector<const loaded_module*>> select_or_hint(const module_registry& registry, const std::vector<std::string>& wanted) {
  auto selected = engine::select_modules(registry, wanted);
  if (selected) return selected;
  std::string message = "-m: " + selected.error().message;
  const std::string prefix = "unknown module '";
  if (auto at = message.find(prefix); at != std::string::npos) {
    auto start = at + prefix.size();
    message += did_you_mean(message.substr(start, message.find('\'', start) - start), module_ids(registry));
  }
  std::string names;
  for (const auto& id : module_ids(registry)) names += (names.empty() ? "" : ", ") + id;
  return usage(message + " (loaded: " + names + ")");
}

// --set MODULE.OPTION=VALUE, for every host.
result<std::map<std::string, sdk::option_values>> module_overrides(const parsed_options& p, const module_registry& registry) {
  std::map<std::string, sdk::option_values> out;
  for (const auto& s : p.all("--set")) {
    auto eq = s.find('=');
    auto dot = s.find('.');
    if (eq == std::string::npos || dot == std::string::npos || dot > eq || dot == 0 || dot + 1 == eq) {
      return usage("--set wants MODULE.OPTION=VALUE, got '" + s.substr(0, 60) + "'");
    }
    std::string module = s.substr(0, dot);
    if (registry.find(module) == nullptr) {
      return usage("--set " + s.substr(0, eq) + ": unknown module '" + module + "'" + did_you_mean(module, module_ids(registry)));
    }
    out[module][s.substr(dot + 1, eq - dot - 1)] = s.substr(eq + 1);
  }
  return out;
}

// --env-file then --env, in that order, so a single --env can override a file's line.
result<std::vector<std::pair<std::string, std::string>>> remote_env(const parsed_options& p, const env_lookup& env) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& f : p.all("--env-file")) {
    auto lines = engine::env_from_file(expand_local(f, env));
    if (!lines) return usage(lines.error().message);
    out.insert(out.end(), lines->begin(), lines->end());
  }
  for (const auto& e : p.all("--env")) {
    auto assignment = engine::env_from_argument(e, env);
    if (!assignment) return usage(assignment.error().message);
    out.push_back(std::move(*assignment));
  }
  return out;
}

// --limit PATTERN matched nothing: name the nearest group or host for each pattern that did not match.
std::string limit_hint(const inventory::inventory& inv, const std::string& limit) {
  std::vector<std::string> names{"all"};
  for (const auto& h : inv.hosts) {
    names.push_back(h.name);
    names.insert(names.end(), h.groups.begin(), h.groups.end());
  }
  std::string hint;
  std::size_t pos = 0;
  while (pos <= limit.size()) {
    auto comma = std::min(limit.find(',', pos), limit.size());
    std::string one = limit.substr(pos, comma - pos);
    one.erase(0, one.find_first_not_of(" \t"));
    one.erase(one.find_last_not_of(" \t") + 1);
    // Only plain names get a suggestion: `web:!db` or `gpu*` is no misspelt name.
    const bool plain = one.find_first_of(":&!*?~[") == std::string::npos;
    if (plain && !one.empty() && std::find(names.begin(), names.end(), one) == names.end()) hint += did_you_mean(one, names);
    pos = comma + 1;
  }
  return hint;
}

// Hosts: arguments, or the inventory (optionally limited).
result<std::vector<inventory::host_entry>> host_entries(const parsed_options& p, const env_lookup& env) {
  std::vector<inventory::host_entry> entries;
  for (const auto& h : p.positional) {
    auto entry = inventory::parse_host_spec(h);
    if (!entry) return usage(entry.error().message);
    entries.push_back(std::move(*entry));
  }
  const std::string file = p.value("--inventory"), limit = p.value("--limit");
  if (!file.empty()) {
    auto inv = inventory::load_inventory(expand_local(file, env));
    if (!inv) return usage(inv.error().message);
    if (!limit.empty()) {
      auto selected = inventory::select_hosts(*inv, limit);
      if (!selected) return usage("--limit: " + selected.error().message + limit_hint(*inv, limit));
      inv = std::move(*selected);
    }
    for (auto& h : inv->hosts) entries.push_back(std::move(h));
  } else if (!limit.empty()) {
    return usage("--limit needs an inventory (-i FILE)");
  }
  if (entries.empty()) return usage("name at least one host, or an inventory with -i FILE");
  return entries;
}

// -u, -p, --identity: what every host connects with unless its own spec says otherwise.
result<void> connection_defaults(const parsed_options& p, engine::host_defaults& defaults) {
  if (auto port = p.value("--port"); !port.empty()) {
    auto n = parse_number(port, 65535);
    if (!n || *n == 0) return usage("--port must be an integer in 1-65535");
    defaults.ssh["port"] = static_cast<std::uint16_t>(*n);
  }
  if (auto user = p.value("--user"); !user.empty()) {
    if (!vault::valid_ssh_user(user)) return usage("--user must be 1-32 characters of [A-Za-z0-9_.-] starting with a letter or '_'");
    defaults.ssh["user"] = user;
  }
  if (auto identity = p.value("--identity"); !identity.empty()) defaults.ssh["identity"] = identity;
  return {};
}

// --secrets PROVIDER[:KEY]: the vault provider's connection fields, read once for the whole call
// (one audited read).
result<void> vault_defaults(const parsed_options& p, engine::host_defaults& defaults, const settings& cfg,
                            const cli_io& io, vault::event_listener* vault_events) {
  std::string provider = p.value("--secrets");
  if (provider.empty()) return {};
  if (auto colon = provider.find(':'); colon != std::string::npos) {
    defaults.secrets_key = provider.substr(colon + 1);
    provider.resize(colon);
  }
  auto fields = engine::read_provider(cfg.root, io.env, provider, vault_events);
  if (!fields && fields.error().code == make_error_code(errc::bad_request)) return usage("--secrets: " + fields.error().message);
  if (!fields) return fail(errc::io_error, "--secrets " + provider + ": " + fields.error().message);
  defaults.use_provider(std::move(*fields));
  return {};
}

// --connect-timeout, --parallel, --wait=SECONDS, --min-disk, --skip-check, and the run's paths.
result<void> run_settings(const parsed_options& p, run_request& req, const settings& cfg, const module_registry& registry,
                          const cli_io& io, bool install, std::chrono::milliseconds inventory_timeout) {
  auto& s = req.settings;
  s.connect_timeout = inventory_timeout;
  if (auto t = p.value("--connect-timeout"); !t.empty()) {
    auto n = parse_number(t, 3600);
    if (!n || *n == 0) return usage("--connect-timeout must be a whole number of seconds in 1-3600");
    s.connect_timeout = std::chrono::seconds{*n};
  }
  if (auto parallel = p.value("--parallel"); !parallel.empty()) {
    auto n = parse_number(parallel, 100000);
    if (!n || *n == 0) return usage("--parallel must be a positive integer");
    req.parallel = *n;
  }
  s.run_id = engine::new_run_id();
  s.paths = engine::resolve_run_paths(cfg.root, io.env);
  s.asset_root = cfg.root;
  s.known_hosts = ssh::standard_known_hosts(
      cfg.root, p.has("--strict-host-keys") ? ssh::host_key_policy::strict : ssh::host_key_policy::accept_new);
  s.dry_run = !install || p.has("--dry-run");
  s.wait_for_lock = p.has("--wait");
  if (auto w = p.value("--wait"); !w.empty()) {
    auto n = parse_number(w, 86400);
    if (!n) return usage("--wait=SECONDS must be a whole number of seconds up to 86400");
    s.lock_patience = std::chrono::seconds{*n};
  }
  s.redact = req.redact.get();
  auto loaded = [&registry](const std::string& id) { return registry.find(id) != nullptr; };
  for (const auto& d : p.all("--min-disk")) {
    if (auto ok = engine::add_disk_override(s.preflight, d, loaded); !ok) return usage("--" + ok.error().message);
  }
  for (const auto& c : p.all("--skip-check")) {
    if (auto ok = engine::add_skipped_check(s.preflight, c); !ok) return usage("--" + ok.error().message);
  }
  return {};
}

// The verb's switches; --to must be a valid value of every selected module's version option.
result<void> verb_settings(const parsed_options& p, engine::run_verb verb, const std::vector<const loaded_module*>& modules,
                           engine::verb_options& out) {
  out.verb = verb;
  out.to = p.value("--to");
  out.force = p.has("--force");
  out.no_rollback = p.has("--no-rollback");
  out.unpin = p.has("--unpin");
  out.purge = p.has("--purge");
  if (!p.has("--to")) return {};
  for (const loaded_module* m : modules) {
    if (auto problem = engine::target_problem(m->spec(), out.to); !problem.empty()) return usage("--to: " + problem);
  }
  return {};
}

result<run_request> build(const parsed_options& p, const settings& cfg, const module_registry& registry, const cli_io& io,
                          bool install, engine::run_verb verb, vault::event_listener* vault_events) {
  const std::string cmd = install ? engine::to_string(verb) : "plan";
  if (!p.has("--modules")) return usage("name the modules to " + cmd + " with -m (e.g. -m comfyui,ollama or -m all)");
  auto modules = select_or_hint(registry, p.all("--modules"));
  if (!modules) return modules.error();
  engine::host_defaults defaults;
  auto overrides = module_overrides(p, registry);
  if (!overrides) return overrides.error();
  defaults.module_options = std::move(*overrides);

  run_request req;
  req.redact = std::make_unique<engine::redactor>();
  req.json = p.has("--json");
  req.progress = !p.has("--no-progress") && !req.json;
  req.verbose = p.has("--verbose");
  auto env = remote_env(p, io.env);
  if (!env) return env.error();
  for (const auto& [name, value] : *env) req.redact->add_if_secret_name(name, value);
  defaults.env = std::move(*env);
  // Numbers and the user are checked before the hosts, so a typo there is reported first.
  if (auto ok = connection_defaults(p, defaults); !ok) return ok.error();
  auto entries = host_entries(p, io.env);
  if (!entries) return entries.error();
  if (auto ok = vault_defaults(p, defaults, cfg, io, vault_events); !ok) return ok.error();

  auto built = engine::build_host_requests(*entries, defaults, *modules, *req.redact, io.env);
  if (!built) return usage(built.error().message);
  req.hosts = std::move(built->requests);
  if (auto ok = run_settings(p, req, cfg, registry, io, install, built->connect_timeout); !ok) return ok.error();
  if (auto ok = verb_settings(p, verb, *modules, req.settings.lifecycle); !ok) return ok.error();
  return req;
}

}  // namespace

std::optional<run_request> parse_run_request(const std::vector<std::string>& args, const settings& cfg,
                                             const module_registry& registry, const cli_io& io, bool install,
                                             engine::run_verb verb, int& exit_code, vault::event_listener* vault_events) {
  const char* cmd = install ? engine::to_string(verb) : "plan";
  auto parsed = parse_options(install ? verb_options(verb) : plan_options(), args);
  auto req = parsed ? build(*parsed, cfg, registry, io, install, verb, vault_events) : result<run_request>{parsed.error()};
  if (req) return std::move(*req);
  if (req.error().code == make_error_code(errc::bad_usage)) {
    exit_code = usage_error(io, cmd, req.error().message);
  } else {
    exit_code = exit_failed;
    io.err << "rio: " << cmd << ": " << req.error().message << "\n";
  }
  return std::nullopt;
}

}  // namespace rio::kernel::cli_detail
