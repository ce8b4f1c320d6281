#include <rio/kernel/engine/request_builder.hpp>

#include <rio/kernel/engine/env_source.hpp>

#include <rio/vault/connection_fields.hpp>
#include <rio/vault/key_guidance.hpp>
#include <rio/vault/vault.hpp>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <pwd.h>
#include <random>
#include <set>
#include <unistd.h>

namespace rio::kernel::engine {
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

fs::path expand_local(const std::string& path, const env_lookup& env) {
  if (path == "~" || path.starts_with("~/")) {
    auto home = env ? env("HOME") : std::nullopt;
    if (home && !home->empty()) return fs::path{*home + path.substr(1)};
  }
  return fs::path{path};
}

// The provider's `env` block (merged like every connection field): exported to the host's
// commands like --env, and every value registered for redaction, since it came from the vault.
result<void> vault_env(const json::object& merged, std::vector<std::pair<std::string, std::string>>& out, redactor& redact) {
  const json::value* env = merged.if_contains("env");
  if (env == nullptr || env->is_null()) return {};
  if (!env->is_object()) return fail(errc::bad_request, "the vault's env must be an object of NAME: value");
  for (const auto& [k, v] : env->get_object()) {
    const std::string name{k};
    if (!valid_env_name(name)) return fail(errc::bad_request, "the vault's env: '" + name.substr(0, 60) + "' is not a valid variable name");
    if (v.is_null()) continue;
    if (!v.is_string()) return fail(errc::bad_request, "the vault's env." + name + " must be a string");
    const std::string_view value{v.get_string().data(), v.get_string().size()};
    redact.add(value);
    out.emplace_back(name, std::string{value});
  }
  return {};
}

}  // namespace

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

std::string local_user_name() {
  if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_name != nullptr) return pw->pw_name;
  return "root";
}

result<std::vector<const loaded_module*>> select_modules(const module_registry& registry,
                                                         const std::vector<std::string>& names) {
  std::vector<const loaded_module*> out;
  auto add = [&](const loaded_module* m) {
    if (std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
  };
  for (const auto& raw : names) {
    std::string_view rest = raw;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      std::string id{rest.substr(0, comma)};
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      id.erase(0, id.find_first_not_of(" \t"));
      id.erase(id.find_last_not_of(" \t") + 1);
      std::transform(id.begin(), id.end(), id.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (id.empty()) continue;
      if (id == "all") {
        for (const auto& m : registry.modules()) add(m.get());
        continue;
      }
      const loaded_module* m = registry.find(id);
      if (m == nullptr) return fail(errc::bad_request, "unknown module '" + id + "'");
      add(m);
    }
  }
  if (out.empty()) return fail(errc::bad_request, "modules list is empty");
  return out;
}

result<vault::provider_view> read_provider(const fs::path& root, const env_lookup& env, std::string_view provider,
                                           vault::event_listener* listener) {
  vault::vault_options vo;
  vo.listener = listener;
  vo.root = root;
  vo.env = vault::environment::from_lookup(env);
  vault::vault v{std::move(vo)};
  auto view = v.get(provider);
  if (!view) return view.error();
  if (!view->present) {
    // No fingerprint: no sealed vault file at all, so the way forward is to create one.
    const std::string missing = view->fingerprint.empty() ? "; " + vault::no_vault_hint(v.paths()) : std::string{};
    return fail(errc::bad_request, "secrets provider '" + std::string{provider} +
                                       "' is not in the vault and has no environment overrides" + missing);
  }
  return std::move(*view);
}

namespace {

// Key material and passphrase (both redacted from here on), identity files, the agent.
void set_auth(ssh::auth_options& auth, const vault::ssh_credentials& creds, redactor& redact, const env_lookup& env) {
  if (!creds.private_key.empty()) {
    auth.private_key = creds.private_key;
    redact.add(creds.private_key.reveal());
  }
  if (creds.identity) auth.identity_files.push_back(expand_local(*creds.identity, env));
  if (!creds.passphrase.empty()) {
    auth.passphrase = creds.passphrase;
    redact.add(creds.passphrase.reveal());
  }
  if (creds.private_key.empty() && !creds.identity) {
    // ssh's default keys, from the HOME rio was given (the CLI's or the server's environment),
    // so an injected environment decides them as it decides everything else.
    if (auto home = env ? env("HOME") : std::nullopt; home && !home->empty()) {
      for (const char* name : {"id_ed25519", "id_ecdsa", "id_rsa"}) {
        std::error_code ec;
        fs::path key = fs::path{*home} / ".ssh" / name;
        if (fs::is_regular_file(key, ec)) auth.identity_files.push_back(key);
      }
    }
  }
  auth.default_identities = creds.private_key.empty() && auth.identity_files.empty();
  if (auto sock = env ? env("SSH_AUTH_SOCK") : std::nullopt; sock && !sock->empty()) auth.agent_socket = fs::path{*sock};
}

// Each module's options: the call's, then the inventory line's (which win), checked against the schema.
result<void> resolve_modules(host_request& hr, const inventory::host_entry& e, const host_defaults& d,
                             const std::vector<const loaded_module*>& modules) {
  for (const loaded_module* m : modules) {
    sdk::option_values overrides;
    if (auto g = d.module_options.find(m->id); g != d.module_options.end()) overrides = g->second;
    if (auto h = e.module_options.find(m->id); h != e.module_options.end()) {
      for (const auto& [k, v] : h->second) overrides[k] = v;
    }
    auto resolved = sdk::resolve_options(m->spec(), overrides);
    if (!resolved) return fail(errc::bad_request, "module " + m->id + ": " + resolved.error().message);
    const std::string& version_option = m->spec().version_option;
    hr.modules.push_back({&m->installer(), std::move(*resolved), !version_option.empty() && overrides.contains(version_option)});
  }
  return {};
}

}  // namespace

result<built_host> build_host_request(const inventory::host_entry& e, const host_defaults& d,
                                      const std::vector<const loaded_module*>& modules, redactor& redact,
                                      const env_lookup& env) {
  auto bad = [&](const std::string& what) { return fail(errc::bad_request, "host " + e.name + ": " + what); };
  built_host out;
  host_request& hr = out.request;
  hr.name = e.name;

  json::object ssh = d.ssh;
  if (e.user_set) ssh["user"] = e.where.user;
  if (e.port_set) ssh["port"] = e.where.port;
  if (!e.identity.empty()) ssh["identity"] = e.identity;
  const std::string entry_key = d.secrets_key.empty() ? e.where.host : d.secrets_key;
  auto merged = vault::merge_connection_fields(d.provider_fields, entry_key, e.where.host, ssh, d.provider_env_overrides);
  auto creds = vault::extract_ssh_credentials(merged);
  if (!creds) return bad(creds.error().message);

  // The vault's env first (every value is a secret), then the call's: a later assignment wins.
  if (auto env_ok = vault_env(merged, hr.env, redact); !env_ok) return bad(env_ok.error().message);
  for (const auto& [k, v] : d.env) {
    redact.add_if_secret_name(k, v);
    hr.env.emplace_back(k, v);
  }

  hr.where = e.where;
  hr.where.user = creds->user.value_or(local_user_name());
  hr.where.port = creds->port.value_or(22);
  if (auto valid = ssh::validate(hr.where); !valid) return bad(valid.error().message);
  // One spelling per host from here on (session keys, known_hosts, locks, records): LocalHost,
  // 127.1 and [::1] must not pass for other hosts than localhost, 127.0.0.1 and ::1.
  hr.where.host = ssh::canonical_host(hr.where.host);
  set_auth(hr.auth, *creds, redact, env);
  if (creds->connect_timeout) out.connect_timeout = *creds->connect_timeout;
  if (auto resolved = resolve_modules(hr, e, d, modules); !resolved) return bad(resolved.error().message);
  return out;
}

result<built_hosts> build_host_requests(const std::vector<inventory::host_entry>& entries, const host_defaults& defaults,
                                        const std::vector<const loaded_module*>& modules, redactor& redact,
                                        const env_lookup& env) {
  built_hosts out;
  // The same host named twice (`rio install a a`) runs once. Two aliases of one machine are two
  // hosts with their own status records (docs/inventory.md, "Aliases of one machine"); run_fleet
  // runs them one after the other, and the per-machine lock still serialises other runs.
  std::set<std::string> seen;
  for (const auto& e : entries) {
    auto built = build_host_request(e, defaults, modules, redact, env);
    if (!built) return built.error();
    const auto& t = built->request.where;
    if (!seen.insert(e.name + " " + t.user + "@" + t.host + ":" + std::to_string(t.port)).second) continue;
    out.connect_timeout = built->connect_timeout;
    out.requests.push_back(std::move(built->request));
  }
  return out;
}

}  // namespace rio::kernel::engine
