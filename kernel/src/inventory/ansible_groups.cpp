// The Ansible group hierarchy: [group:children] edges, cycle detection, and the variable
// precedence Ansible uses: all < groups by depth (a child beats its parent; equal depths by
// ansible_group_priority, then name) < the host's own line.

#include "inventory_detail.hpp"

#include <algorithm>
#include <deque>
#include <set>

namespace rio::kernel::inventory::detail {
namespace {

using parent_edges = std::map<std::string, std::vector<std::pair<std::string, int>>>;  // child -> (parent, line)

// Walks parents backwards from a group that Kahn's algorithm could not place: every such group
// still has an unplaced parent, so the walk must come back to a group it has seen.
sdk::error describe_cycle(const std::set<std::string>& unplaced, const parent_edges& parents,
                          const std::map<std::string, raw_group>& groups, std::string_view source) {
  auto start = std::min_element(unplaced.begin(), unplaced.end(), [&](const auto& a, const auto& b) {
    return groups.at(a).order < groups.at(b).order;
  });
  std::vector<std::string> path{*start};
  std::vector<int> lines;  // lines[i]: the entry making path[i + 1] a parent of path[i]
  while (true) {
    const auto& edges = parents.at(path.back());
    auto up = std::find_if(edges.begin(), edges.end(), [&](const auto& e) { return unplaced.count(e.first) != 0; });
    lines.push_back(up->second);
    auto seen = std::find(path.begin(), path.end(), up->first);
    if (seen != path.end()) {
      // path runs child -> parent; print parent -> child, as the file writes it.
      std::vector<std::string> cycle(seen, path.end());
      std::string text = *seen;
      for (auto it = cycle.rbegin(); it != cycle.rend(); ++it) text += " -> " + *it;
      int line = *std::max_element(lines.begin() + (seen - path.begin()), lines.end());
      return at_line(source, line, problem("[group:children] entries form a cycle: " + text));
    }
    path.push_back(up->first);
  }
}

// Depth below `all` (all = 0, top-level groups = 1, their children = 2...), or a cycle error.
result<std::map<std::string, int>> group_depths(const std::map<std::string, raw_group>& groups, std::string_view source) {
  parent_edges parents;
  std::map<std::string, int> pending;  // remaining unplaced parents
  for (const auto& [name, g] : groups) pending.try_emplace(name, 0);
  for (const auto& [name, g] : groups) {
    for (const auto& [child, line] : g.children) {
      parents[child].emplace_back(name, line);
      ++pending[child];
    }
  }
  std::map<std::string, int> depth;
  std::deque<std::string> ready;
  for (const auto& [name, count] : pending) {
    if (count == 0) {
      ready.push_back(name);
      depth[name] = name == "all" ? 0 : 1;
    }
  }
  while (!ready.empty()) {
    std::string name = std::move(ready.front());
    ready.pop_front();
    for (const auto& [child, line] : groups.at(name).children) {
      depth[child] = std::max(depth[child], depth[name] + 1);
      if (--pending[child] == 0) ready.push_back(child);
    }
  }
  std::set<std::string> unplaced;
  for (const auto& [name, count] : pending) {
    if (count > 0) unplaced.insert(name);
  }
  if (!unplaced.empty()) return describe_cycle(unplaced, parents, groups, source);
  return depth;
}

using parent_names = std::map<std::string, std::vector<std::string>>;

parent_names parents_of(const std::map<std::string, raw_group>& groups) {
  parent_names parents;
  for (const auto& [name, g] : groups) {
    for (const auto& c : g.children) parents[c.first].push_back(name);
  }
  return parents;
}

// The host's groups with every ancestor reached through [..:children], without "all".
std::set<std::string> with_ancestors(const std::vector<std::string>& direct, const parent_names& parents) {
  std::set<std::string> out;
  std::vector<std::string> todo(direct.begin(), direct.end());
  while (!todo.empty()) {
    std::string g = std::move(todo.back());
    todo.pop_back();
    if (g == "all" || !out.insert(g).second) continue;
    if (auto it = parents.find(g); it != parents.end()) todo.insert(todo.end(), it->second.begin(), it->second.end());
  }
  return out;
}

// What a host inherits from its direct groups.
struct group_view {
  std::vector<std::string> groups;  ///< with ancestors, without "all", by first mention in the file
  settings vars;                    ///< all < groups by depth (then name)
  std::size_t entries = 0;          ///< groups plus every variable merged, overridden ones included
};

group_view view_of(const std::vector<std::string>& direct, const std::map<std::string, raw_group>& groups,
                   const parent_names& parents, const std::map<std::string, int>& depth) {
  group_view v;
  const auto member_of = with_ancestors(direct, parents);
  std::vector<std::string> ordered{member_of.begin(), member_of.end()};
  ordered.push_back("all");
  std::sort(ordered.begin(), ordered.end(), [&](const std::string& a, const std::string& b) {
    // Ansible's sort_groups: depth, then ansible_group_priority, then name.
    const int da = depth.at(a);
    const int db = depth.at(b);
    if (da != db) return da < db;
    const int pa = groups.at(a).priority;
    const int pb = groups.at(b).priority;
    return pa != pb ? pa < pb : a < b;
  });
  v.entries = member_of.size();
  for (const auto& g : ordered) {
    const auto& vars = groups.at(g).vars;
    v.entries += vars.size();
    for (const auto& [key, s] : vars) v.vars[key] = s;
  }
  v.groups.assign(member_of.begin(), member_of.end());
  std::sort(v.groups.begin(), v.groups.end(),
            [&](const std::string& a, const std::string& b) { return groups.at(a).order < groups.at(b).order; });
  return v;
}

// The groups as host patterns see them: "all" (the top-level groups its children, "ungrouped"
// first, as Ansible creates it first), "ungrouped", then the rest by first mention.
std::vector<group_entry> group_list(const std::map<std::string, raw_group>& groups, const parent_names& parents,
                                    const std::vector<host_entry>& hosts) {
  std::vector<const raw_group*> ordered;
  for (const auto& [name, g] : groups) {
    if (name != "all" && name != "ungrouped") ordered.push_back(&g);
  }
  std::sort(ordered.begin(), ordered.end(), [](const raw_group* a, const raw_group* b) { return a->order < b->order; });
  std::vector<group_entry> out{{"all", {}, {"ungrouped"}}, {"ungrouped", {}, {}}};
  for (const auto& h : hosts) {
    if (h.groups.size() == 1 && h.groups.front() == "ungrouped") out[1].hosts.push_back(h.name);
  }
  for (const raw_group* g : ordered) {
    auto up = parents.find(g->name);
    const bool top = up == parents.end() ||
                     std::all_of(up->second.begin(), up->second.end(), [](const std::string& p) { return p == "all"; });
    if (top) out[0].children.push_back(g->name);
    group_entry e{g->name, g->hosts, {}};
    for (const auto& c : g->children) e.children.push_back(c.first);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

result<inventory> resolve_ansible(std::vector<raw_host> hosts, std::map<std::string, raw_group> groups,
                                  std::string_view source) {
  groups.try_emplace("all", raw_group{"all", -1, {}, {}, 1, {}});
  // Hosts before any header are in "ungrouped" even when no section names it.
  groups.try_emplace("ungrouped", raw_group{"ungrouped", static_cast<int>(groups.size()), {}, {}, 1, {}});
  auto depth = group_depths(groups, source);
  if (!depth) return depth.error();
  const auto parents = parents_of(groups);

  inventory out;
  // What follows from a host's direct groups alone is worked out once per distinct list: the
  // hosts of one range line share it, and sorting the same deep ancestry again for each of
  // 100000 hosts took minutes (found by tests/fuzz).
  std::map<std::vector<std::string>, group_view> views;
  std::size_t entries = 0;  // groups and variables copied into hosts so far
  for (auto& raw : hosts) {
    // As in Ansible, "ungrouped" holds exactly the hosts that are in no other group.
    auto& direct = raw.groups;
    if (direct.empty()) direct.push_back("ungrouped");
    if (direct.size() > 1) std::erase(direct, "ungrouped");
    auto [it, fresh] = views.try_emplace(direct);
    if (fresh) it->second = view_of(direct, groups, parents, *depth);
    const group_view& view = it->second;
    // Counted before anything is copied into the host.
    entries += view.entries + raw.vars.size();
    if (entries > max_inventory_entries) {
      return at_line(source, raw.line,
                     problem("the inventory is too large: its hosts' groups and variables add up to more than " +
                             std::to_string(max_inventory_entries) + " entries (each host gets its own copy)"));
    }
    host_entry h;
    h.name = raw.name;
    h.line = raw.line;
    h.where.host = raw.name;
    // The host's own line wins over its groups per variable; the merged set is applied at once,
    // so a group's ansible_ssh_user still beats the host's ansible_user (apply_settings).
    settings merged = view.vars;
    for (const auto& [key, s] : raw.vars) merged[key] = s;
    apply_settings(h, merged);
    if (auto ok = check_target(h.where); !ok) {
      std::string text = ok.error().message;
      if (merged.count("host") == 0 && merged.count("ssh_host") == 0) text += " (for an alias, set ansible_host)";
      return at_line(source, raw.line, problem(std::move(text)));
    }
    h.groups = view.groups;
    out.hosts.push_back(std::move(h));
  }
  out.groups = group_list(groups, parents, out.hosts);
  return out;
}

}  // namespace rio::kernel::inventory::detail
