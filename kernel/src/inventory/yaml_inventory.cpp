// Ansible's YAML inventory (plugins/inventory/yaml.py): top-level keys are groups; a group has
// `hosts` (pattern -> vars), `vars` and `children` (name -> group). yaml-cpp reads the text; it
// reports errors by throwing, which is caught here and nowhere else.

#include "inventory_detail.hpp"

#include <yaml-cpp/yaml.h>

namespace rio::kernel::inventory::detail {
namespace {

int line_of(const YAML::Node& n) { return n.Mark().line + 1; }

// A variable's value as text; rio only reads scalars (null is empty: no user).
result<std::string> scalar_of(std::string_view key, const YAML::Node& v) {
  if (v.IsNull()) return std::string{};
  if (!v.IsScalar()) return problem(std::string{key} + ": expected a single value, not a list or mapping");
  return v.Scalar();
}

class yaml_reader {
 public:
  result<void> group(const std::string& name, const YAML::Node& body);
  result<inventory> finish(std::string_view source) { return b_.finish(source); }

 private:
  result<void> vars(const std::string& group, const YAML::Node& vars, const std::string* host);
  result<void> hosts(const std::string& group, const YAML::Node& hosts);
  tree_builder b_;
  int depth_ = 0;
  std::size_t visits_ = 0;  ///< group bodies read, aliases (*name) counted each time
};

result<void> yaml_reader::vars(const std::string& group, const YAML::Node& vars, const std::string* host) {
  if (vars.IsNull()) return {};
  if (!vars.IsMap()) return problem("the vars of " + shown(host ? *host : group) + " are not a mapping");
  for (const auto& kv : vars) {
    const std::string key = kv.first.Scalar();
    if (ignored_key(key, dialect::ansible) && key != "ansible_group_priority") continue;
    auto value = scalar_of(key, kv.second);
    if (!value) return at_line("", line_of(kv.second), value.error());
    auto ok = host ? b_.host_var(*host, key, std::move(*value), line_of(kv.first))
                   : b_.group_var(group, key, std::move(*value), line_of(kv.first));
    if (!ok) return at_line("", line_of(kv.first), ok.error());
  }
  return {};
}

result<void> yaml_reader::hosts(const std::string& group, const YAML::Node& hosts) {
  if (hosts.IsScalar()) return hosts.Scalar().empty() ? result<void>{} : b_.host(hosts.Scalar(), group, line_of(hosts));
  if (!hosts.IsMap()) return at_line("", line_of(hosts), problem("'hosts' of group " + shown(group) + " is not a mapping"));
  for (const auto& kv : hosts) {
    const int line = line_of(kv.first);
    auto pattern = split_pattern(kv.first.Scalar());
    if (!pattern) return at_line("", line, pattern.error());
    auto names = pattern_names(*pattern);
    if (!names) return at_line("", line, names.error());
    for (const auto& name : *names) {
      if (auto ok = b_.host(name, group, line); !ok) return at_line("", line, ok.error());
      if (pattern->port) {
        if (auto ok = b_.host_var(name, "ansible_port", std::to_string(*pattern->port), line); !ok) return at_line("", line, ok.error());
      }
      if (auto ok = vars(group, kv.second, &name); !ok) return ok;
    }
  }
  return {};
}

result<void> yaml_reader::group(const std::string& name, const YAML::Node& body) {
  b_.group(name);
  // Ansible skips a group that is not a mapping (with a warning); so does rio, silently.
  if (!body.IsMap()) return {};
  // A children chain this deep is a cycle or an attack on the stack, not an inventory.
  if (++depth_ > 100) return at_line("", line_of(body), problem("groups are nested more than 100 levels deep"));
  // YAML aliases let a short file name one group body millions of times (each *a under two
  // children doubles the work); real inventories stay far below this.
  if (++visits_ > max_inventory_hosts) {
    return at_line("", line_of(body), problem("the inventory reads more than " + std::to_string(max_inventory_hosts) +
                                                  " group definitions (YAML aliases repeat them)"));
  }
  for (const auto& kv : body) {
    const std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (key == "vars") {
      if (auto ok = vars(name, v, nullptr); !ok) return ok;
    } else if (key == "hosts" && !v.IsNull()) {
      if (auto ok = hosts(name, v); !ok) return ok;
    } else if (key == "children" && v.IsMap()) {
      for (const auto& c : v) {
        const std::string child = c.first.Scalar();
        if (auto ok = b_.child(name, child, line_of(c.first)); !ok) return at_line("", line_of(c.first), ok.error());
        if (auto ok = group(child, c.second); !ok) return ok;
      }
    }
  }
  --depth_;
  return {};
}

// at_line("", ...) above leaves ": " in front of the message; the file name goes there.
sdk::error in_file(std::string_view source, const sdk::error& e) {
  std::string m = e.message;
  return fail(errc::bad_config, std::string{source} + (m.starts_with(":") ? m : ": " + m));
}

}  // namespace

result<inventory> parse_ansible_yaml(std::string_view text, std::string_view source) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string{text});
  } catch (const YAML::Exception& e) {
    return fail(errc::bad_config, std::string{source} + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg);
  }
  if (root.IsNull()) return inventory{};
  if (!root.IsMap()) return fail(errc::bad_config, std::string{source} + ": a YAML inventory is a mapping of groups");
  yaml_reader r;
  try {
    for (const auto& kv : root) {
      if (auto ok = r.group(kv.first.Scalar(), kv.second); !ok) return in_file(source, ok.error());
    }
  } catch (const YAML::Exception& e) {
    return fail(errc::bad_config, std::string{source} + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return r.finish(source);
}

}  // namespace rio::kernel::inventory::detail
