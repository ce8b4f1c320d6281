// The JSON that `ansible-inventory --list` prints (and every dynamic inventory script): groups
// with `hosts` and `children` lists and `vars`, host variables under `_meta.hostvars`. This is
// how cloud and CMDB inventories reach rio. Boost.JSON keeps no positions, so errors name the
// file and the host or group instead of a line.

#include "inventory_detail.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace rio::kernel::inventory::detail {
namespace {

namespace json = boost::json;

result<std::string> text_of(std::string_view key, const json::value& v) {
  if (v.is_null()) return std::string{};
  if (v.is_string()) return std::string{v.get_string()};
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  return problem(std::string{key} + ": expected a string or an integer");
}

result<void> read_vars(tree_builder& b, const json::value& vars, const std::string& owner, bool is_host) {
  const auto* obj = vars.if_object();
  if (obj == nullptr) return vars.is_null() ? result<void>{} : problem("the vars of " + shown(owner) + " are not an object");
  for (const auto& [k, v] : *obj) {
    if (ignored_key(k, dialect::ansible) && k != "ansible_group_priority") continue;
    auto value = text_of(k, v);
    if (!value) return problem((is_host ? "host " : "group ") + shown(owner) + ": " + value.error().message);
    auto ok = is_host ? b.host_var(owner, k, std::move(*value), 0) : b.group_var(owner, k, std::move(*value), 0);
    if (!ok) return problem((is_host ? "host " : "group ") + shown(owner) + ": " + ok.error().message);
  }
  return {};
}

// One group: a list of hosts, or an object with hosts, children and vars.
result<void> read_group(tree_builder& b, const std::string& name, const json::value& body) {
  b.group(name);
  const json::array* hosts = body.if_array();
  const auto* obj = body.if_object();
  if (obj != nullptr) {
    if (auto it = obj->find("hosts"); it != obj->end()) hosts = it->value().if_array();
    if (auto it = obj->find("children"); it != obj->end() && it->value().is_array()) {
      for (const auto& c : it->value().get_array()) {
        if (!c.is_string()) return problem("group " + shown(name) + ": a child is not a string");
        if (auto ok = b.child(name, std::string{c.get_string()}, 0); !ok) return ok;
      }
    }
    if (auto it = obj->find("vars"); it != obj->end()) {
      if (auto ok = read_vars(b, it->value(), name, false); !ok) return ok;
    }
  }
  if (hosts == nullptr) return {};
  for (const auto& h : *hosts) {
    if (!h.is_string()) return problem("group " + shown(name) + ": a host is not a string");
    if (auto ok = b.host(std::string{h.get_string()}, name, 0); !ok) return ok;
  }
  return {};
}

}  // namespace

result<inventory> parse_ansible_json(std::string_view text, std::string_view source) {
  auto in_file = [&](const sdk::error& e) { return at_line(source, 0, e); };
  std::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec) return in_file(problem("not valid JSON: " + ec.message()));
  const auto* top = root.if_object();
  if (top == nullptr) return in_file(problem("a JSON inventory is an object of groups"));
  tree_builder b;
  for (const auto& [name, body] : *top) {
    if (name == "_meta") continue;
    if (auto ok = read_group(b, name, body); !ok) return in_file(ok.error());
  }
  // Host variables last: a host gets them only once it is known from a group.
  if (auto meta = top->find("_meta"); meta != top->end() && meta->value().is_object()) {
    if (auto hv = meta->value().get_object().find("hostvars"); hv != meta->value().get_object().end() && hv->value().is_object()) {
      for (const auto& [host, vars] : hv->value().get_object()) {
        if (auto ok = read_vars(b, vars, std::string{host}, true); !ok) return in_file(ok.error());
      }
    }
  }
  return b.finish(source);
}

}  // namespace rio::kernel::inventory::detail
