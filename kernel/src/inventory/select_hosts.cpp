// Host patterns with Ansible's semantics (inventory/manager.py, 2.14): terms are evaluated in
// the order unions, then `&` intersections, then `!` exclusions; a term equal to a host's name is
// that host; otherwise it names groups (their hosts) and, when it has glob or regex syntax or no
// group matched, hosts. Unlike Ansible, which warns, a term that matches nothing is an error.

#include "host_patterns.hpp"

#include <algorithm>
#include <deque>
#include <set>

namespace rio::kernel::inventory {
namespace {

using names = std::vector<std::string>;

struct lookup {
  std::map<std::string, std::size_t> host_at;
  std::vector<group_entry> groups;  // a simple list gets one: "all"
  std::map<std::string, std::size_t> group_at;
};

lookup make_lookup(const inventory& inv) {
  lookup ix;
  for (std::size_t i = 0; i < inv.hosts.size(); ++i) ix.host_at.emplace(inv.hosts[i].name, i);
  ix.groups = inv.groups;
  if (ix.groups.empty()) {
    group_entry all{"all", {}, {}};
    for (const auto& h : inv.hosts) all.hosts.push_back(h.name);
    ix.groups.push_back(std::move(all));
  }
  for (std::size_t i = 0; i < ix.groups.size(); ++i) ix.group_at.emplace(ix.groups[i].name, i);
  return ix;
}

// Ansible's group.get_hosts(): the group's own hosts, then its descendants' level by level.
names hosts_of(const lookup& ix, const group_entry& top) {
  names out;
  std::set<std::string> seen_hosts, seen_groups{top.name};
  std::deque<const group_entry*> todo{&top};
  while (!todo.empty()) {
    const group_entry* g = todo.front();
    todo.pop_front();
    for (const auto& h : g->hosts) {
      if (seen_hosts.insert(h).second) out.push_back(h);
    }
    for (const auto& c : g->children) {
      auto it = ix.group_at.find(c);
      if (it != ix.group_at.end() && seen_groups.insert(c).second) todo.push_back(&ix.groups[it->second]);
    }
  }
  return out;
}

// Ansible's _enumerate_matches: groups first; hosts too when no group matched or the term is a glob.
result<names> enumerate(const lookup& ix, const std::string& expr, bool& matched_any) {
  auto match = detail::make_matcher(expr);
  if (!match) return match.error();
  names out;
  bool group_matched = false;
  for (const auto& g : ix.groups) {
    if (!(*match)(g.name)) continue;
    group_matched = true;
    for (auto& h : hosts_of(ix, g)) out.push_back(std::move(h));
  }
  if (!group_matched || detail::has_glob(expr)) {
    for (const auto& [name, at] : ix.host_at) {
      if ((*match)(name)) out.push_back(name);
    }
  }
  matched_any = group_matched || !out.empty();
  return out;
}

// One term without its & or ! prefix: subscript split, names matched, subscript applied.
result<names> match_term(const lookup& ix, std::string_view term, std::string_view written) {
  std::string expr{term};
  auto sub = detail::split_subscript(expr);
  bool matched_any = false;
  auto found = enumerate(ix, expr, matched_any);
  if (!found) return found.error();
  // A typo must not quietly shrink (or, after '!', widen) the fleet a run touches.
  if (!matched_any) return detail::problem("host pattern " + detail::shown(written) + " matches no host or group");
  if (!sub) return found;
  return detail::apply_subscript(*found, *sub, written);
}

// Ansible's order_patterns: unions first, then intersections, then exclusions; only & and ! means all.
std::vector<std::string> ordered_terms(std::vector<std::string> terms) {
  std::stable_partition(terms.begin(), terms.end(), [](const std::string& t) { return t[0] != '&' && t[0] != '!'; });
  auto rest = std::find_if(terms.begin(), terms.end(), [](const std::string& t) { return t[0] == '&' || t[0] == '!'; });
  std::stable_partition(rest, terms.end(), [](const std::string& t) { return t[0] == '&'; });
  if (terms.empty() || terms.front()[0] == '&' || terms.front()[0] == '!') terms.insert(terms.begin(), "all");
  return terms;
}

result<std::set<std::string>> evaluate(const lookup& ix, const std::vector<std::string>& terms) {
  std::set<std::string> chosen;
  for (const auto& t : terms) {
    const char op = t[0] == '&' || t[0] == '!' ? t[0] : '|';
    // `all` is every host, even in an inventory that names a host "all".
    if (op == '|' && t != "all" && ix.host_at.count(t) != 0) {
      chosen.insert(t);  // a host's own name is that host, even when a group shares it
      continue;
    }
    // A group's exact name is that group, even with glob characters in it (YAML and JSON group
    // names may have them; as an fnmatch pattern `web[1]` would not match the group `web[1]`).
    if (auto g = ix.group_at.find(t); op == '|' && g != ix.group_at.end()) {
      const auto hosts = hosts_of(ix, ix.groups[g->second]);
      if (hosts.empty()) return detail::problem("host pattern " + detail::shown(t) + " selects no host");
      chosen.insert(hosts.begin(), hosts.end());
      continue;
    }
    auto found = match_term(ix, op == '|' ? std::string_view{t} : std::string_view{t}.substr(1), t);
    if (!found) return found.error();
    if (op == '|' && found->empty()) return detail::problem("host pattern " + detail::shown(t) + " selects no host");
    const std::set<std::string> that(found->begin(), found->end());
    if (op == '|') chosen.insert(that.begin(), that.end());
    if (op == '&') std::erase_if(chosen, [&](const std::string& h) { return that.count(h) == 0; });
    if (op == '!') std::erase_if(chosen, [&](const std::string& h) { return that.count(h) != 0; });
  }
  return chosen;
}

}  // namespace

result<inventory> select_hosts(const inventory& all, std::string_view pattern) {
  auto usage = [&](const sdk::error& e) { return fail(errc::bad_usage, e.message); };
  const lookup ix = make_lookup(all);
  // A whole pattern that is a host's or a group's name is that host or group, whatever its
  // characters, and before any splitting: an alias such as `a:b:c ansible_host=...`, or one
  // that does not even split into terms (`[:`, found by fuzzing), could not be selected otherwise.
  const std::string whole{detail::trim(pattern)};
  std::vector<std::string> terms;
  if (whole != "all" && (ix.host_at.count(whole) != 0 || ix.group_at.count(whole) != 0)) {
    terms = {whole};
  } else {
    for (auto& t : detail::split_pattern_terms(pattern)) {
      if (t.empty() || t == "&" || t == "!") return fail(errc::bad_usage, "empty host pattern in " + detail::shown(pattern));
      terms.push_back(std::move(t));
    }
  }
  if (terms.empty()) return fail(errc::bad_usage, "empty host pattern in " + detail::shown(pattern));
  auto chosen = evaluate(ix, ordered_terms(std::move(terms)));
  if (!chosen) return usage(chosen.error());
  if (chosen->empty()) return fail(errc::bad_usage, "host pattern " + detail::shown(pattern) + " selects no host");
  inventory out;
  for (const auto& h : all.hosts) {
    if (chosen->count(h.name) != 0) out.hosts.push_back(h);
  }
  out.groups = all.groups;
  return out;
}

}  // namespace rio::kernel::inventory
