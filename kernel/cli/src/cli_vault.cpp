// `rio vault`: the operator's view of the encrypted vault. Values never appear in output except
// under `get --show-values`, and never arrive on the command line (stdin or a file instead).
#include <rio/kernel/cli_command.hpp>

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

// The subcommand's section of the table's help text ("rio vault <name>" up to the blank line).
std::string_view section_of(std::string_view name) {
  auto commands = cli_commands();
  auto it = std::find_if(commands.begin(), commands.end(), [](const cli_command& c) { return c.name == "vault"; });
  std::string_view help = it->help;
  std::string head = "\nrio vault " + std::string{name};
  for (auto pos = help.find(head); pos != std::string_view::npos; pos = help.find(head, pos + 1)) {
    std::size_t after = pos + head.size();
    if (after < help.size() && help[after] != ' ' && help[after] != '\n') continue;
    auto end = help.find("\n\n", pos + 1);
    return help.substr(pos + 1, end == std::string_view::npos ? std::string_view::npos : end - pos - 1);
  }
  return help;
}

json::array names_array(const std::vector<std::string>& names) { return json::array(names.begin(), names.end()); }

int fail_with(const cli_io& io, const sdk::error& e) {
  io.err << "rio: " << e.message << "\n";
  return exit_failed;
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

// Splits `rest` (after the subcommand) into positionals and flags; flags in `with_value` take one.
struct parsed {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;
};

std::optional<parsed> parse_args(const cli_io& io, std::string_view sub, const std::vector<std::string>& rest,
                                 std::initializer_list<std::string_view> flags,
                                 std::initializer_list<std::string_view> with_value) {
  parsed p;
  for (std::size_t i = 1; i < rest.size(); ++i) {
    const std::string& a = rest[i];
    if (!a.starts_with("--")) {
      p.positional.push_back(a);
    } else if (std::find(flags.begin(), flags.end(), a) != flags.end()) {
      p.options[a] = "";
    } else if (std::find(with_value.begin(), with_value.end(), a) != with_value.end()) {
      if (i + 1 >= rest.size()) {
        usage_error(io, "vault " + std::string{sub} + ": " + a + " needs an argument");
        return std::nullopt;
      }
      p.options[a] = rest[++i];
    } else {
      usage_error(io, "vault " + std::string{sub} + ": unknown option '" + a + "'");
      return std::nullopt;
    }
  }
  return p;
}

int run_init(vault::vault& v, const cli_io& io) {
  auto r = v.init();
  if (!r) return fail_with(io, r.error());
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
  auto p = parse_args(io, "set", rest, {"--json"}, {"--value-file"});
  if (!p) return exit_usage;
  if (p->positional.size() < 2) return usage_error(io, "vault set: needs PROVIDER and at least one FIELD");
  auto file = p->options.find("--value-file");
  if (file == p->options.end() && ::isatty(0) == 1) io.err << "Value (input hidden, end with Enter): " << std::flush;
  auto value = file != p->options.end() ? vault::read_secret_file(file->second) : vault::read_secret(0);
  if (!value) return fail_with(io, value.error());
  if (value->empty()) {
    io.err << "rio: vault set: the value is empty (pipe it on stdin or use --value-file); nothing stored\n";
    return exit_failed;
  }
  json::value parsed_value(vault::secure_storage());
  if (p->options.contains("--json")) {
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
  if (auto r = v.set(p->positional.front(), path, parsed_value); !r) return fail_with(io, r.error());
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
  auto p = parse_args(io, "get", rest, {"--show-values", "--json"}, {});
  if (!p) return exit_usage;
  if (p->positional.size() != 1) return usage_error(io, "vault get: needs exactly one PROVIDER");
  auto view = v.get(p->positional.front());
  if (!view) return fail_with(io, view.error());
  print_warnings(io, view->warnings);
  const bool values = p->options.contains("--show-values");
  if (p->options.contains("--json")) {
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
  auto p = parse_args(io, "list", rest, {"--json"}, {});
  if (!p) return exit_usage;
  if (!p->positional.empty()) return usage_error(io, "vault list: takes no arguments");
  auto listing = v.list();
  if (!listing) return fail_with(io, listing.error());
  print_warnings(io, listing->warnings);
  if (p->options.contains("--json")) {
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
  if (!listing->exists) io.out << "no vault at " << v.paths().vault_file.string() << "\n";
  else io.out << v.paths().vault_file.string() << " (key fingerprint " << listing->fingerprint << ")\n";
  for (const auto& s : listing->providers) {
    io.out << "  " << std::left << std::setw(20) << s.provider << " keys: " << joined(s.stored_keys)
           << "  overrides: " << joined(s.override_keys) << "\n";
  }
  return exit_ok;
}

int run_unset(vault::vault& v, const cli_io& io, const std::vector<std::string>& rest) {
  auto p = parse_args(io, "unset", rest, {}, {});
  if (!p) return exit_usage;
  if (p->positional.empty()) return usage_error(io, "vault unset: needs a PROVIDER");
  std::vector<std::string> path(p->positional.begin() + 1, p->positional.end());
  if (auto r = v.unset(p->positional.front(), path); !r) return fail_with(io, r.error());
  io.out << "removed " << p->positional.front();
  for (const auto& part : path) io.out << "." << part;
  io.out << "\n";
  return exit_ok;
}

int run_rotate(vault::vault& v, const cli_io& io, const std::vector<std::string>& rest) {
  auto p = parse_args(io, "rotate", rest, {}, {});
  if (!p) return exit_usage;
  if (!p->positional.empty()) return usage_error(io, "vault rotate: takes no arguments");
  auto r = v.rotate();
  if (!r) return fail_with(io, r.error());
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
  auto p = parse_args(io, "import-legacy", rest, {"--overwrite"}, {"--from", "--legacy-key-file"});
  if (!p) return exit_usage;
  if (!p->positional.empty()) return usage_error(io, "vault import-legacy: takes no positional arguments");
  vault::import_options options;
  if (auto it = p->options.find("--from"); it != p->options.end()) options.from = it->second;
  if (auto it = p->options.find("--legacy-key-file"); it != p->options.end()) options.legacy_key_file = it->second;
  options.overwrite = p->options.contains("--overwrite");
  auto r = v.import_legacy(options);
  if (!r) return fail_with(io, r.error());
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
  if (rest.empty()) return usage_error(io, "vault: needs a subcommand (init, set, get, list, unset, rotate, import-legacy)");
  const std::string& sub = rest.front();
  const bool asks_help = std::any_of(rest.begin() + 1, rest.end(), [](const std::string& a) { return a == "--help" || a == "-h"; });
  if (sub == "help" || asks_help) {
    std::string_view topic = sub == "help" ? (rest.size() > 1 ? std::string_view{rest[1]} : std::string_view{}) : sub;
    std::string_view text = section_of(topic);
    io.out << text << (text.ends_with('\n') ? "" : "\n");
    return exit_ok;
  }
  static const std::vector<std::string> known = {"init", "set", "get", "list", "unset", "rotate", "import-legacy"};
  if (std::find(known.begin(), known.end(), sub) == known.end()) {
    return usage_error(io, "vault: unknown subcommand '" + sub + "'");
  }
  if (sub == "init" && rest.size() > 1) return usage_error(io, "vault init: takes no arguments");
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
