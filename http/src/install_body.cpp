#include "install_body.hpp"

#include "api_state.hpp"

#include <rio/kernel/engine/request_builder.hpp>
#include <rio/kernel/engine/source_policy.hpp>
#include <rio/kernel/inventory.hpp>
#include <rio/kernel/ssh/remote_command.hpp>
#include <rio/kernel/ssh/target.hpp>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace rio::http::detail {
namespace json = boost::json;
namespace fs = std::filesystem;
namespace engine = kernel::engine;

namespace {

std::string trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string{s};
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The original's coercion: 1/true/yes/on and non-zero numbers are true; 0/false/no/off false;
// anything else is the default.
bool boolish(const json::value* v, bool fallback) {
  if (v == nullptr || v->is_null()) return fallback;
  if (v->is_bool()) return v->get_bool();
  if (v->is_int64()) return v->get_int64() != 0;
  if (v->is_uint64()) return v->get_uint64() != 0;
  if (v->is_double()) return v->get_double() != 0.0;
  if (v->is_string()) {
    const std::string s = lower(trimmed(v->get_string()));
    if (s == "1" || s == "true" || s == "yes" || s == "on") return true;
    if (s == "0" || s == "false" || s == "no" || s == "off") return false;
  }
  return fallback;
}

std::optional<double> number_of(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  if (v.is_string()) {
    const std::string s = trimmed(v.get_string());
    double d = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec == std::errc{} && p == s.data() + s.size() && !s.empty()) return d;
  }
  return std::nullopt;
}

const json::value* first_of(const json::object& o, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    if (const auto* v = o.if_contains(k); v != nullptr && !v->is_null()) return v;
  }
  return nullptr;
}

body_error bad(std::string message, std::string field, int status = 400) { return {status, std::move(message), std::move(field)}; }

std::optional<body_error> read_modules(const json::object& body, std::vector<std::string>& out) {
  const json::value* v = body.if_contains("modules");
  if (v == nullptr || v->is_null()) return bad("modules field is required", "modules");
  if (v->is_string()) {
    out.push_back(std::string{v->get_string()});
  } else if (v->is_array()) {
    for (const auto& item : v->get_array()) {
      if (!item.is_string()) return bad("modules must be a string or list of strings", "modules");
      out.push_back(std::string{item.get_string()});
    }
  } else if (v->is_object()) {
    for (const auto& [k, ignored] : v->get_object()) out.emplace_back(k);  // the original iterated a dict's keys
  } else {
    return bad("modules must be a string or list of strings", "modules");
  }
  bool any = std::any_of(out.begin(), out.end(), [](const std::string& s) { return !trimmed(s).empty(); });
  if (!any) return bad("modules list is empty", "modules");
  return std::nullopt;
}

// Only under ~/.ssh of the account rio runs as, or under rio's root: the request must not make
// rio read arbitrary local files as keys. Keys elsewhere belong in the vault.
std::optional<body_error> check_identity(const std::string& identity, const api_config& config) {
  std::string path = identity;
  auto home = config.env ? config.env("HOME") : std::nullopt;
  if ((path == "~" || path.starts_with("~/")) && home) path = *home + path.substr(1);
  std::error_code ec;
  fs::path resolved = fs::weakly_canonical(fs::path{path}, ec);
  if (ec || !resolved.is_absolute()) return bad("ssh.identity must be an absolute path or start with ~/", "ssh.identity");
  auto under = [&](const fs::path& dir) {
    std::error_code e2;
    fs::path base = fs::weakly_canonical(dir, e2);
    auto rel = resolved.lexically_relative(base);
    return !e2 && !rel.empty() && *rel.begin() != "..";
  };
  if ((home && under(fs::path{*home} / ".ssh")) || under(config.settings.root)) return std::nullopt;
  return bad("ssh.identity must be a file under ~/.ssh or rio's root directory; store other keys in the vault "
             "(private_key)",
             "ssh.identity");
}

std::optional<body_error> read_ssh(const json::object& ssh, const api_config& config, engine::host_defaults& d) {
  if (const auto* v = first_of(ssh, {"user", "username"})) {
    if (!v->is_string()) return bad("ssh.user must be a string", "ssh.user");
    d.ssh["user"] = v->get_string();
  }
  if (const auto* v = ssh.if_contains("port"); v != nullptr && !v->is_null()) {
    auto n = number_of(*v);
    if (!n || std::floor(*n) != *n) return bad("SSH port must be an integer", "ssh.port");
    if (*n < 1 || *n > 65535) return bad("ssh.port must be between 1 and 65535", "ssh.port");
    d.ssh["port"] = static_cast<std::int64_t>(*n);
  }
  if (const auto* v = first_of(ssh, {"identity", "identity_file"})) {
    if (!v->is_string() || v->get_string().empty()) return bad("ssh.identity must be a non-empty string", "ssh.identity");
    if (auto e = check_identity(std::string{v->get_string()}, config)) return e;
    d.ssh["identity"] = v->get_string();
  }
  if (const auto* v = first_of(ssh, {"connect_timeout", "timeout"})) {
    auto n = number_of(*v);
    if (!n) return bad("SSH timeout must be numeric", "ssh.connect_timeout");
    // Written so that NaN fails too ("nan" passes from_chars): it used to slip through here and be
    // refused later by the vault's check, naming the host instead of this field.
    if (!(*n > 0) || *n > 3600) return bad("ssh.connect_timeout must be more than 0 and at most 3600 seconds", "ssh.connect_timeout");
    d.ssh["connect_timeout"] = *n;
  }
  // The original ran whatever program the request named, on the server. rio has its own SSH
  // transport; only the default names are accepted, so old clients that send them keep working.
  for (const auto& [key, expected] : {std::pair{"ssh_command", "ssh"}, std::pair{"scp_command", "scp"}}) {
    if (const auto* v = ssh.if_contains(key); v != nullptr && !v->is_null()) {
      if (!v->is_string() || trimmed(v->get_string()) != expected) {
        return bad(std::string{"ssh."} + key + " cannot choose a local program: rio uses its built-in SSH transport (only \"" +
                       expected + "\" is accepted)",
                   std::string{"ssh."} + key);
      }
    }
  }
  if (const auto* v = ssh.if_contains("env"); v != nullptr && !v->is_null()) {
    if (!v->is_object()) return bad("ssh.env must be an object of NAME: value", "ssh.env");
    for (const auto& [k, val] : v->get_object()) {
      const std::string name{k};
      if (!kernel::ssh::valid_env_name(name)) return bad("ssh.env: '" + name.substr(0, 60) + "' is not a valid variable name", "ssh.env");
      if (val.is_null()) continue;
      std::string text;
      if (val.is_string()) text = std::string{val.get_string()};
      else if (val.is_bool()) text = val.get_bool() ? "True" : "False";
      else if (val.is_int64()) text = std::to_string(val.get_int64());
      else if (val.is_uint64()) text = std::to_string(val.get_uint64());
      else if (val.is_double()) text = json::serialize(val);
      else return bad("ssh.env." + name + " must be a string, number or boolean", "ssh.env." + name);
      d.env.emplace_back(name, std::move(text));
    }
  }
  return std::nullopt;
}

// {"min_disk_gib": 10 | {"comfyui": 10}, "skip": ["disk", ...]}: the CLI's --min-disk and --skip-check.
std::optional<body_error> read_preflight(const json::value& v, const kernel::module_registry& registry,
                                         engine::preflight_overrides& o) {
  if (!v.is_object()) return bad("preflight must be an object with min_disk_gib and/or skip", "preflight");
  const auto& p = v.get_object();
  auto known = [&registry](const std::string& id) { return registry.find(id) != nullptr; };
  if (const auto* d = p.if_contains("min_disk_gib"); d != nullptr && !d->is_null()) {
    if (d->is_number()) {
      if (auto ok = engine::add_disk_override(o, json::serialize(*d), known); !ok) return bad("preflight." + ok.error().message, "preflight.min_disk_gib");
    } else if (d->is_object()) {
      for (const auto& [module, gib] : d->get_object()) {
        const std::string field = "preflight.min_disk_gib." + std::string{module};
        if (!gib.is_number()) return bad(field + " must be a number of GiB", field);
        if (auto ok = engine::add_disk_override(o, std::string{module} + "=" + json::serialize(gib), known); !ok) {
          return bad("preflight." + ok.error().message, field);
        }
      }
    } else {
      return bad("preflight.min_disk_gib must be a number of GiB or an object of module: GiB", "preflight.min_disk_gib");
    }
  }
  if (const auto* sk = p.if_contains("skip"); sk != nullptr && !sk->is_null()) {
    if (!sk->is_array()) return bad("preflight.skip must be a list of check names", "preflight.skip");
    for (const auto& c : sk->get_array()) {
      if (!c.is_string()) return bad("preflight.skip must be a list of check names", "preflight.skip");
      if (auto ok = engine::add_skipped_check(o, c.get_string()); !ok) return bad("preflight." + ok.error().message, "preflight.skip");
    }
  }
  return std::nullopt;
}

// Module options: {"comfyui": {"ref": "v0.3.10"}}; validated against each schema when the
// requests are built. URL options are checked here: a request may not choose where code comes from.
std::optional<body_error> read_options(const json::value& o, const body_context& context, engine::host_defaults& d) {
  if (!o.is_object()) return bad("options must be an object of module: {option: value}", "options");
  for (const auto& [module, values] : o.get_object()) {
    const std::string field = "options." + std::string{module};
    const auto* loaded = context.registry.find(module);
    if (loaded == nullptr) return bad("options: unknown module '" + std::string{module} + "'", "options");
    if (!values.is_object()) return bad(field + " must be an object", field);
    auto& out = d.module_options[std::string{module}];
    for (const auto& [k, v] : values.get_object()) {
      if (!v.is_string() && !v.is_number() && !v.is_bool()) {
        return bad(field + "." + std::string{k} + " must be a string, number or boolean", field + "." + std::string{k});
      }
      out[std::string{k}] = v.is_string() ? std::string{v.get_string()} : v.is_bool() ? (v.get_bool() ? "true" : "false") : json::serialize(v);
    }
    if (auto ok = engine::check_requested_sources(loaded->spec(), out, context.config.settings.allowed_sources); !ok) {
      const std::string& message = ok.error().message;
      return bad(message, message.substr(0, message.find(':')));
    }
  }
  return std::nullopt;
}

// Hosts: `host` (or `hostname`), or rio's `hosts` list for a fleet.
std::optional<body_error> read_hosts(const json::object& body, const body_context& context, std::vector<std::string>& specs,
                                     bool& single_host) {
  const auto* hs = body.if_contains("hosts");
  if (hs == nullptr || hs->is_null()) {
    const json::value* h = first_of(body, {"host", "hostname"});
    if (h != nullptr && !h->is_string()) return bad("host must be a string", "host");
    std::string host = h == nullptr ? std::string{} : trimmed(h->get_string());
    if (host.empty()) return bad("host required", "host");
    specs.push_back(std::move(host));
    return std::nullopt;
  }
  if (!hs->is_array()) return bad("hosts must be a list of host names", "hosts");
  // Before anything else is read: each host costs a connection attempt and files on disk.
  if (const auto cap = context.config.settings.max_hosts_per_request; hs->get_array().size() > cap) {
    return bad("hosts: " + std::to_string(hs->get_array().size()) + " hosts in one request; at most " +
                   std::to_string(cap) + " are accepted (max_hosts_per_request in config/rio.json)",
               "hosts");
  }
  for (const auto& h : hs->get_array()) {
    if (!h.is_string() || trimmed(h.get_string()).empty()) return bad("hosts must be a list of non-empty host names", "hosts");
    specs.push_back(trimmed(h.get_string()));
  }
  if (specs.empty()) return bad("hosts list is empty", "hosts");
  single_host = false;
  return std::nullopt;
}

// `secrets` (or the original's `credentials`): the vault provider whose fields fill the
// connection, read once for every host of the call.
std::optional<body_error> read_secrets(const json::object& body, const body_context& context, engine::host_defaults& d) {
  const json::value* secrets = first_of(body, {"secrets", "credentials"});
  if (secrets != nullptr && !secrets->is_object()) return bad("secrets must be an object", "secrets");
  if (secrets == nullptr || secrets->get_object().empty()) return std::nullopt;
  const auto& so = secrets->get_object();
  const json::value* provider = so.if_contains("provider");
  if (provider == nullptr || !provider->is_string() || trimmed(provider->get_string()).empty()) {
    return bad("secrets.provider required", "secrets.provider");
  }
  if (const json::value* key = first_of(so, {"key", "entry", "id"})) {
    if (!key->is_string()) return bad("secrets.key must be a string", "secrets.key");
    d.secrets_key = trimmed(key->get_string());
  }
  const std::string name = trimmed(provider->get_string());
  auto fields = context.read_provider ? context.read_provider(name)
                                      : engine::read_provider(context.config.settings.root, context.config.env, name, context.vault_events);
  if (!fields) return bad(fields.error().message, "secrets.provider");
  d.use_provider(std::move(*fields));
  return std::nullopt;
}

// One host request per spec; the connect timeout the requests settled on comes back too.
std::optional<body_error> build_hosts(const std::vector<std::string>& specs, const engine::host_defaults& defaults,
                                      const std::vector<const kernel::loaded_module*>& modules, const body_context& context,
                                      install_call& call, std::chrono::milliseconds& connect_timeout) {
  std::vector<kernel::inventory::host_entry> entries;
  for (const auto& spec : specs) {
    auto entry = kernel::inventory::parse_host_spec(spec);
    if (!entry) return bad(entry.error().message, call.single_host ? "host" : "hosts");
    entries.push_back(std::move(*entry));
  }
  auto built = engine::build_host_requests(entries, defaults, modules, *call.redact, context.config.env);
  if (!built) return bad(built.error().message, call.single_host ? "host" : "hosts");
  call.hosts = std::move(built->requests);
  connect_timeout = built->connect_timeout;
  return std::nullopt;
}

}  // namespace

std::variant<install_call, body_error> read_install_body(const json::object& body, const body_context& context) {
  install_call call;
  std::vector<std::string> host_specs;
  if (auto e = read_hosts(body, context, host_specs, call.single_host)) return *e;

  std::vector<std::string> module_names;
  if (auto e = read_modules(body, module_names)) return *e;
  auto modules = engine::select_modules(context.registry, module_names);
  if (!modules) return bad(modules.error().message, "modules");

  engine::host_defaults defaults;
  bool record_only = boolish(body.if_contains("record_only"), false);
  bool probe = boolish(body.if_contains("probe"), true);
  if (const auto* s = body.if_contains("ssh"); s != nullptr && !s->is_null()) {
    if (!s->is_object()) return bad("ssh must be an object", "ssh");
    if (auto e = read_ssh(s->get_object(), context.config, defaults)) return *e;
    record_only = record_only || boolish(s->get_object().if_contains("record_only"), false);
    if (const auto* p = s->get_object().if_contains("probe")) probe = boolish(p, probe);
  }
  if (const auto* o = body.if_contains("options"); o != nullptr && !o->is_null()) {
    if (auto e = read_options(*o, context, defaults)) return *e;
  }
  call.redact = std::make_unique<engine::redactor>();
  if (auto e = read_secrets(body, context, defaults)) return *e;
  std::chrono::milliseconds connect_timeout{};
  if (auto e = build_hosts(host_specs, defaults, *modules, context, call, connect_timeout)) return *e;

  auto& s = call.settings;
  s.run_id = engine::new_run_id();
  s.paths = context.paths;
  s.asset_root = context.config.settings.root;
  s.known_hosts = kernel::ssh::standard_known_hosts(context.config.settings.root);
  s.connect_timeout = connect_timeout;
  s.dry_run = boolish(body.if_contains("dry_run"), false);
  s.probe = probe;
  s.record_only = record_only;
  s.redact = call.redact.get();
  if (const auto* p = body.if_contains("preflight"); p != nullptr && !p->is_null()) {
    if (auto e = read_preflight(*p, context.registry, s.preflight)) return *e;
  }
  call.async = boolish(body.if_contains("async"), false);
  return call;
}

}  // namespace rio::http::detail
