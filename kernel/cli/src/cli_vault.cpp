// `rio vault`: the operator's view of the encrypted vault. Values never appear in output except
// under `get --show-values`, and never arrive on the command line (stdin or a file instead).
#include <rio/kernel/cli_command.hpp>

#include "cli_help.hpp"
#include "cli_options.hpp"
#include "suggest.hpp"

#include <rio/vault/secret_input.hpp>
#include <rio/vault/secure_json.hpp>
#include <rio/vault/vault.hpp>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <iomanip>
#include <map>
#include <ostream>

#include <unistd.h>

namespace rio::kernel {
namespace {

namespace json = boost::json;

json::array names_array(const std::vector<std::string>& names) { return json::array(names.begin(), names.end()); }

// What to do next when the vault cannot be opened: the vault's errors say what is wrong, this
// says how to fix it (the vault library stays free of CLI wording).
std::string guidance(const vault::vault& v, const sdk::error& e) {
  using vault::errc;
  const std::string key_file = v.paths().key_file.string();
  // No key and a wrong key need nothing here: the vault's own message lists the key sources in
  // the order it reads them (rio/vault/key_guidance.hpp), for the CLI and the API alike.
  if (e.code == make_error_code(errc::unsafe_key_file)) return "rio: fix it with: chmod 600 " + key_file + "\n";
  if (e.code == make_error_code(errc::legacy_format)) return "rio: import it with: rio vault import-legacy\n";
  if (e.code == make_error_code(errc::stale_key)) {
    return "rio: set COMFYVN_SECRETS_KEY to the key `rio vault rotate` printed (a copy waits in " + key_file + ".pending)\n";
  }
  return {};
}

int fail_with(const cli_io& io, const vault::vault& v, const sdk::error& e) {
  io.err << "rio: " << e.message << "\n" << guidance(v, e);
  return exit_failed;
}

bool vault_missing(const vault::vault& v) {
  std::error_code ec;
  return !std::filesystem::exists(v.paths().vault_file, ec);
}

std::string create_hint(const vault::vault& v) {
  return "rio: no vault at " + v.paths().vault_file.string() + " yet: create one with `rio vault init` (it writes a key file " +
         "unless COMFYVN_SECRETS_KEY or COMFYVN_SECRETS_PASSPHRASE is set)\n";
}

void print_warnings(const cli_io& io, const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) io.err << "rio: warning: " << w << "\n";
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "-" : out;
}

std::optional<vault::vault> open_vault(const cli_args& args, const cli_io& io) {
  auto cfg = settings_or_report(args, io);
  if (!cfg) return std::nullopt;
  vault::vault_options options;
  options.root = cfg->root;
  options.env = vault::environment::from_lookup(io.env);
  return vault::vault{std::move(options)};
}

// The subcommand's arguments (after its name) against its option table.
std::optional<cli_detail::parsed_options> parse_args(const cli_io& io, std::string_view sub, const std::vector<std::string>& rest) {
  const cli_command* c = find_command(sub, find_command("vault"));
  auto p = cli_detail::parse_options(c->options, std::span{rest}.subspan(1));
  if (!p) {
    usage_error(io, "vault " + std::string{sub}, p.error().message);
    return std::nullopt;
  }
  return std::move(*p);
}

int run_init(vault::vault& v, const cli_io& io) {
  auto r = v.init();
  if (!r) return fail_with(io, v, r.error());
  if (!r->created) {
    io.out << v.paths().vault_file.string() << " already exists (key fingerprint " << r->fingerprint
           << "); nothing changed\n";
    return exit_ok;
  }
  if (r->key_generated) io.out << "generated key file " << v.paths().key_file.string() << " (mode 0600)\n";
  io.out << "created " << v.paths().vault_file.string() << " (key fingerprint " << r->fingerprint << ", key from "
         << vault::describe(r->source) << ")\n";
  return exit_ok;
}

int run_set(vault::vault& v, const cli_io& io, const std::vector<std::string>& rest) {
  auto p = parse_args(io, "set", rest);
  if (!p) return exit_usage;
  if (p->positional.size() < 2) return usage_error(io, "vault set", "needs PROVIDER and at least one FIELD");
  auto file = p->value("--value-file");
  if (!p->has("--value-file") && ::isatty(0) == 1) io.err << "Value (input hidden, end with Enter): " << std::flush;
  auto value = p->has("--value-file") ? vault::read_secret_file(file) : vault::read_secret(0);
  if (!value) return fail_with(io, v, value.error());
  if (value->empty()) {
    io.err << "rio: vault set: the value is empty (pipe it on stdin or use --value-file); nothing stored\n";
    return exit_failed;
  }
  json::value parsed_value(vault::secure_storage());
  if (p->has("--json")) {
    std::string what;
    auto doc = vault::parse_secure(value->reveal(), what);
    if (!doc) {
      io.err << "rio: vault set: the value is not valid JSON (" << what << ")\n";
      return exit_failed;
    }
    parsed_value = std::move(*doc);
  } else {
    parsed_value = json::string_view{value->data(), value->size()};
  }
  std::vector<std::string> path(p->positional.begin() + 1, p->positional.end());
  const bool created = vault_missing(v);
  if (auto r = v.set(p->positional.front(), path, parsed_value); !r) return fail_with(io, v, r.error());
  // A first `set` creates the vault (and a key file when no key is configured): say so, as init would.
  if (created) io.err << "rio: created " << v.paths().vault_file.string() << " (no vault existed; see `rio help vault init`)\n";
  io.out << "stored " << p->positional.front();
  for (const auto& part : path) io.out << "." << part;
  io.out << " (value not shown)\n";
  return exit_ok;
}

void print_tree(const cli_io& io, const json::object& o, int depth, bool values,
                const std::vector<std::string>& overrides) {
  std::vector<std::string> keys;
  for (const auto& f : o) keys.emplace_back(f.key());
  std::sort(keys.begin(), keys.end());
  for (const auto& k : keys) {
    const auto& v = o.at(k);
    io.out << std::string(static_cast<std::size_t>(2 * depth), ' ') << k;
    if (v.is_object()) {
      io.out << "\n";
      print_tree(io, v.get_object(), depth + 1, values, {});
      continue;
    }
    if (values) {
      vault::secret text = vault::serialize_secure(v);
      io.out << " = " << text.reveal();
    } else {
      io.out << " = <hidden>";
    }
    if (std::find(overrides.begin(), overrides.end(), k) != overrides.end()) io.out << "  [environment override]";
    io.out << "\n";
  }
}

int run_get(vault::vault& v, const cli_io& io, const std::vector<std::string>& rest) {
  auto p = parse_args(io, "get", rest);
  if (!p) return exit_usage;
  if (p->positional.size() != 1) return usage_error(io, "vault get", "needs exactly one PROVIDER");
  auto view = v.get(p->positional.front());
  if (!view) return fail_with(io, v, view.error());
  print_warnings(io, view->warnings);
  const bool values = p->has("--show-values");
  if (p->has("--json")) {
    json::object out{vault::secure_storage()};
    out["provider"] = view->provider;
    out["stored_keys"] = names_array(view->stored_keys);
    out["override_keys"] = names_array(view->override_keys);
    out["present"] = view->present;
    out["fingerprint"] = view->fingerprint;
    if (values) out["values"] = json::value(view->fields, vault::secure_storage());
    io.out << vault::serialize_secure(out).reveal() << "\n";
    return exit_ok;
  }
  if (!view->present) {
    io.err << "rio: provider '" << view->provider << "' is not in the vault and has no environment overrides\n";
    if (vault_missing(v)) io.err << create_hint(v);
    else io.err << "rio: store a field with `rio vault set " << view->provider << " FIELD` (`rio vault list` shows what is there)\n";
    return exit_failed;
  }
  io.out << view->provider << " (key fingerprint " << (view->fingerprint.empty() ? "-" : view->fingerprint) << ")\n";
  print_tree(io, view->fields, 1, values, view->override_keys);
  for (const auto& variable : view->ignored_overrides) {
    io.err << "rio: warning: " << variable << " was ignored (empty, or it names a block of fields)\n";
  }
  return exit_ok;
}

int run_list(vault::vault& v, const cli_io& io, const std::vector<std::string>& rest) {
  auto p = parse_args(io, "list", rest);
  if (!p) return exit_usage;
  if (!p->positional.empty()) return usage_error(io, "vault list", "takes no arguments");
  auto listing = v.list();
  if (!listing) return fail_with(io, v, listing.error());
  print_warnings(io, listing->warnings);
  if (p->has("--json")) {
    json::array providers;
    for (const auto& s : listing->providers) {
      providers.push_back(json::object{{"provider", s.provider}, {"stored_keys", names_array(s.stored_keys)},
                                       {"override_keys", names_array(s.override_keys)}, {"present", s.present}});
    }
    io.out << json::serialize(json::object{{"providers", std::move(providers)},
                                           {"fingerprint", listing->fingerprint},
                                           {"path", v.paths().vault_file.string()}})
           << "\n";
    return exit_ok;
  }
  if (!listing->exists) {
    io.out << "no vault at " << v.paths().vault_file.string() << "\n";
    io.err << create_hint(v);
  }
  else io.out << v.paths().vault_file.string() << " (key fingerprint " << listing->fingerprint << ")\n";
  for (const auto& s : listing->providers) {
    io.out << "  " << std::left << std::setw(20) << s.provider << " keys: " << joined(s.stored_keys)
           << "  overrides: " << joined(s.override_keys) << "\n";
  }
  return exit_ok;
}

int run_unset(vault::vault& v, const cli_io& io, const std::vector<std::string>& rest) {
  auto p = parse_args(io, "unset", rest);
  if (!p) return exit_usage;
  if (p->positional.empty()) return usage_error(io, "vault unset", "needs a PROVIDER");
  std::vector<std::string> path(p->positional.begin() + 1, p->positional.end());
  if (auto r = v.unset(p->positional.front(), path); !r) return fail_with(io, v, r.error());
  io.out << "removed " << p->positional.front();
  for (const auto& part : path) io.out << "." << part;
  io.out << "\n";
  return exit_ok;
}

int run_rotate(vault::vault& v, const cli_io& io, const std::vector<std::string>& rest) {
  auto p = parse_args(io, "rotate", rest);
  if (!p) return exit_usage;
  if (!p->positional.empty()) return usage_error(io, "vault rotate", "takes no arguments");
  auto r = v.rotate();
  if (!r) return fail_with(io, v, r.error());
  print_warnings(io, r->warnings);
  io.err << "rio: rotated: key fingerprint " << r->previous_fingerprint << " -> " << r->fingerprint << "\n";
  if (r->new_key) {
    io.err << "rio: WARNING: COMFYVN_SECRETS_KEY no longer opens the vault. Set it to the key printed below;\n"
              "rio: it is shown only this once and is never logged. Until a write runs with it, a copy stays\n"
              "rio: in "
           << r->pending_key_file.string() << " (mode 0600).\n";
    io.out << r->new_key->reveal() << "\n" << std::flush;
  } else if (r->source == vault::key_source::key_file) {
    io.out << "the new key is in " << v.paths().key_file.string() << "\n";
  } else {
    io.out << (r->passphrase_changed ? "re-encrypted under COMFYVN_SECRETS_NEW_PASSPHRASE: set "
                                       "COMFYVN_SECRETS_PASSPHRASE to it\n"
                                     : "re-encrypted under a fresh salt (same passphrase)\n");
  }
  return exit_ok;
}

int run_import(vault::vault& v, const cli_io& io, const std::vector<std::string>& rest) {
  auto p = parse_args(io, "import-legacy", rest);
  if (!p) return exit_usage;
  if (!p->positional.empty()) return usage_error(io, "vault import-legacy", "takes no positional arguments");
  vault::import_options options;
  if (p->has("--from")) options.from = p->value("--from");
  if (p->has("--legacy-key-file")) options.legacy_key_file = p->value("--legacy-key-file");
  options.overwrite = p->has("--overwrite");
  auto r = v.import_legacy(options);
  if (!r) return fail_with(io, v, r.error());
  io.out << "imported " << r->providers.size() << " provider(s) (" << joined(r->providers) << ") from "
         << r->source.string() << " (" << r->format << ") into " << v.paths().vault_file.string()
         << " (key fingerprint " << r->fingerprint << ")\n";
  if (r->key_generated) io.out << "generated key file " << v.paths().key_file.string() << " (mode 0600)\n";
  for (const auto& removed : r->removed) io.out << "removed legacy file " << removed.string() << "\n";
  if (!r->dropped.empty()) io.err << "rio: warning: dropped entries that are not objects: " << joined(r->dropped) << "\n";
  return exit_ok;
}

}  // namespace

int cli_vault(const cli_args& args, const cli_io& io) {
  const auto& rest = args.rest;
  const cli_command* self = find_command("vault");
  std::vector<std::string> names;
  for (const auto& c : self->subcommands) names.emplace_back(c.name);
  if (rest.empty()) return usage_error(io, "vault", "needs a subcommand (init, set, get, list, unset, rotate, import-legacy)");
  const std::string& sub = rest.front();
  if (sub == "help") return cli_detail::show_help(io, "vault", rest.size() > 1 ? std::string_view{rest[1]} : std::string_view{});
  if (find_command(sub, self) == nullptr) {
    return usage_error(io, "vault", "unknown subcommand '" + sub + "'" + cli_detail::did_you_mean(sub, names));
  }
  if (sub == "init" && rest.size() > 1) return usage_error(io, "vault init", "takes no arguments");
  auto v = open_vault(args, io);
  if (!v) return exit_failed;
  if (sub == "init") return run_init(*v, io);
  if (sub == "set") return run_set(*v, io, rest);
  if (sub == "get") return run_get(*v, io, rest);
  if (sub == "list") return run_list(*v, io, rest);
  if (sub == "unset") return run_unset(*v, io, rest);
  if (sub == "rotate") return run_rotate(*v, io, rest);
  return run_import(*v, io, rest);
}

}  // namespace rio::kernel
