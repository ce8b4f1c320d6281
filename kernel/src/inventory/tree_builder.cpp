// Groups, hosts and variables of a tree-shaped inventory (Ansible YAML, ansible-inventory JSON),
// collected as the INI reader collects them and resolved by the same code (ansible_groups.cpp),
// so precedence is the same whatever format the operator exported.

#include "inventory_detail.hpp"

#include <algorithm>
#include <charconv>

namespace rio::kernel::inventory::detail {

tree_builder::tree_builder() { group("all"); }

raw_group& tree_builder::group_ref(const std::string& name) {
  auto [it, fresh] = groups_.try_emplace(name);
  if (fresh) {
    it->second.name = name;
    it->second.order = next_order_++;
  }
  return it->second;
}

void tree_builder::group(const std::string& name) { group_ref(name); }

result<void> tree_builder::child(const std::string& parent, const std::string& child, int line) {
  if (parent.empty() || child.empty()) return problem("a group with children, or a child group, has an empty name");
  if (auto ok = check_host_name(parent); !ok) return problem("group " + shown(parent) + ": " + ok.error().message);
  if (child == "all") return problem("group 'all' cannot be a child of another group");
  if (auto ok = check_host_name(child); !ok) return problem("group " + shown(child) + ": " + ok.error().message);
  group_ref(child);
  auto& children = group_ref(parent).children;
  auto same = [&](const auto& c) { return c.first == child; };
  if (std::none_of(children.begin(), children.end(), same)) children.emplace_back(child, line);
  return {};
}

result<void> tree_builder::host(const std::string& name, const std::string& group, int line) {
  // Empty names come from YAML keys that are not text ([a, b]: or ~:); no pattern could name them.
  if (name.empty()) return problem("a host of group " + shown(group) + " has an empty name");
  if (group.empty()) return problem("host " + shown(name) + " is in a group with an empty name");
  if (auto ok = check_host_name(name); !ok) return ok;
  // Group names reach patterns, messages and `rio inventory` output: one printable word.
  if (auto ok = check_host_name(group); !ok) return problem("group " + shown(group) + ": " + ok.error().message);
  if (++named_ > max_inventory_hosts) return too_many_hosts();
  auto [it, fresh] = host_index_.try_emplace(name, hosts_.size());
  if (fresh) hosts_.push_back(raw_host{name, line, {}, {}});
  raw_group& g = group_ref(group);
  auto& direct = hosts_[it->second].groups;
  if (group != "all" && std::find(direct.begin(), direct.end(), group) == direct.end()) {
    direct.push_back(group);
    g.hosts.push_back(name);
  }
  return {};
}

result<void> tree_builder::group_var(const std::string& group, std::string_view key, std::string value, int line) {
  if (key == "ansible_group_priority") {
    int priority = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), priority);
    if (value.empty() || ec != std::errc{} || end != value.data() + value.size()) {
      return problem("ansible_group_priority: " + shown(value) + " is not an integer");
    }
    group_ref(group).priority = priority;
    return {};
  }
  auto s = make_setting(key, std::move(value), line, dialect::ansible);
  if (!s) return s.error();
  if (*s) group_ref(group).vars[(*s)->key] = std::move(**s);
  return {};
}

result<void> tree_builder::host_var(const std::string& host, std::string_view key, std::string value, int line) {
  auto s = make_setting(key, std::move(value), line, dialect::ansible);
  if (!s) return s.error();
  auto it = host_index_.find(host);
  if (*s && it != host_index_.end()) hosts_[it->second].vars[(*s)->key] = std::move(**s);
  return {};
}

result<inventory> tree_builder::finish(std::string_view source) {
  return resolve_ansible(std::move(hosts_), std::move(groups_), source);
}

}  // namespace rio::kernel::inventory::detail
