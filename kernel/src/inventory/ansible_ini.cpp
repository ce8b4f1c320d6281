// Ansible's INI inventory, read line by line into groups and hosts; ansible_groups.cpp then
// applies the group hierarchy. Follows Ansible's own reader (plugins/inventory/ini.py) where rio
// has a use for the data, and skips the rest quietly.

#include "inventory_detail.hpp"

#include <algorithm>
#include <charconv>

namespace rio::kernel::inventory::detail {
namespace {

bool is_group_name(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

bool is_word(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

result<host_pattern> split_pattern(std::string_view word) {
  if (word.starts_with('[')) {
    auto close = word.find(']');
    std::string inside{word.substr(1, close == std::string_view::npos ? 0 : close - 1)};
    if (close != std::string_view::npos && is_ipv6_literal(inside)) {
      auto tail = word.substr(close + 1);
      if (tail.empty()) return host_pattern{inside, std::nullopt, true};
      if (tail.front() != ':') return problem("expected ':port' after ']' in " + shown(word));
      auto port = parse_port(tail.substr(1));
      if (!port) return port.error();
      return host_pattern{inside, *port, true};
    }
  }
  // A port follows the only ':' outside range brackets; more than one means a bare IPv6 address.
  std::vector<std::size_t> colons;
  int depth = 0;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (word[i] == '[') ++depth;
    if (word[i] == ']' && depth > 0) --depth;
    if (word[i] == ':' && depth == 0) colons.push_back(i);
  }
  if (colons.size() != 1) return host_pattern{std::string{word}, std::nullopt, colons.size() > 1};
  auto port = parse_port(word.substr(colons.front() + 1));
  if (!port) return port.error();
  if (colons.front() == 0) return problem("host is empty before ':'");
  return host_pattern{std::string{word.substr(0, colons.front())}, *port, false};
}

result<std::vector<std::string>> pattern_names(const host_pattern& p) {
  if (p.literal) return std::vector<std::string>{p.name};
  return expand_host_ranges(p.name);
}

result<void> check_host_name(const std::string& name) {
  if (name.starts_with('-')) return problem("host " + shown(name) + " starts with '-', which ssh would read as an option");
  // Names end up in messages, status records and file names; keep them to one printable word.
  if (name.find('/') != std::string::npos) return problem("host name " + shown(name) + " contains '/'");
  // select_hosts splits patterns at ',': such an alias could never be selected by name (found by
  // tests/fuzz/inventory_fuzz.cpp).
  if (name.find(',') != std::string::npos) {
    return problem("host name " + shown(name) + " contains ',', which separates host patterns");
  }
  if (std::any_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; })) {
    return problem("host name " + shown(name) + " contains blanks or control characters");
  }
  return {};
}

namespace {

class reader {
 public:
  reader() { group("all"); }

  result<void> line(std::string_view text, int number) {
    auto header = parse_section_header(text);
    if (!header) return header.error();
    if (*header) {
      section_ = **header;
      group(section_.group);
      return {};
    }
    switch (section_.type) {
      case section_header::kind::hosts: return host_line(text, number);
      case section_header::kind::vars: return vars_line(text, number);
      case section_header::kind::children: return child_line(text, number);
    }
    return {};
  }

  result<inventory> finish(std::string_view source) { return resolve_ansible(std::move(hosts_), std::move(groups_), source); }

 private:
  raw_group& group(const std::string& name) {
    auto [it, fresh] = groups_.try_emplace(name);
    if (fresh) {
      it->second.name = name;
      it->second.order = next_order_++;
    }
    return it->second;
  }

  result<void> host_line(std::string_view text, int number) {
    auto words = split_words(text, comments::anywhere);
    if (!words) return words.error();
    if (words->empty()) return {};
    auto pattern = split_pattern(words->front());
    if (!pattern) return pattern.error();
    settings vars;
    if (pattern->port) vars["port"] = setting{"port", std::to_string(*pattern->port), number};
    for (std::size_t i = 1; i < words->size(); ++i) {
      const std::string& word = (*words)[i];
      auto eq = word.find('=');
      if (eq == std::string::npos) return problem("expected key=value after the host, got " + shown(word));
      auto s = make_setting(std::string_view{word}.substr(0, eq), word.substr(eq + 1), number, dialect::ansible);
      if (!s) return s.error();
      if (*s) vars[(*s)->key] = std::move(**s);
    }
    auto expanded = pattern_names(*pattern);
    if (!expanded) return expanded.error();
    const std::vector<std::string>& names = *expanded;
    // Counted before the names are added: one line's expansion is bounded (max_range_hosts), the
    // file's total is bounded here.
    named_ += names.size();
    if (named_ > max_inventory_hosts) return too_many_hosts();
    for (const auto& name : names) {
      if (auto ok = check_host_name(name); !ok) return ok;
      if (auto ok = add_host(name, number, vars); !ok) return ok;
    }
    return {};
  }

  // One host in several places is one entry: groups add up, later variables win. Except where
  // it would connect: `10.0.0.5:2201` and `10.0.0.5:2202` are one name in Ansible, and merging
  // them would quietly drop a machine from the fleet.
  result<void> add_host(const std::string& name, int number, const settings& vars) {
    auto [it, fresh] = host_index_.try_emplace(name, hosts_.size());
    if (fresh) hosts_.push_back(raw_host{name, number, {}, {}});
    group(section_.group);
    raw_host& h = hosts_[it->second];
    for (const char* key : {"host", "port"}) {
      auto before = h.vars.find(key);
      auto now = vars.find(key);
      if (before != h.vars.end() && now != vars.end() && before->second.value != now->second.value) {
        return problem("host " + shown(name) + " was listed on line " + std::to_string(before->second.line) +
                       " with another " + key + "; one name is one host, so give each machine its own alias " +
                       "(alias ansible_host=... ansible_port=...)");
      }
    }
    auto& g = h.groups;
    if (section_.group != "all" && std::find(g.begin(), g.end(), section_.group) == g.end()) {
      g.push_back(section_.group);
      group(section_.group).hosts.push_back(name);
    }
    for (const auto& [key, s] : vars) h.vars[key] = s;
    return {};
  }

  result<void> vars_line(std::string_view text, int number) {
    auto eq = text.find('=');
    if (eq == std::string_view::npos) {
      return problem("expected name=value in [" + section_.group + ":vars], got " + shown(trim(text)));
    }
    auto key = trim(text.substr(0, eq));
    if (key == "ansible_group_priority") return group_priority(trim(text.substr(eq + 1)));
    // Ansible takes the rest of the line as the value; only values rio reads need to parse.
    if (ignored_key(key, dialect::ansible)) return {};
    auto value = trim(text.substr(eq + 1));
    if (has_template(value)) return template_problem(key, value);
    auto words = split_words(value);
    if (!words) return words.error();
    if (words->size() > 1) return problem(std::string{key} + ": expected one value; quote values that contain spaces");
    auto s = make_setting(key, words->empty() ? std::string{} : std::move(words->front()), number, dialect::ansible);
    if (!s) return s.error();
    if (*s) group(section_.group).vars[(*s)->key] = std::move(**s);
    return {};
  }

  // ansible_group_priority orders groups of equal depth; Ansible reads it with int().
  result<void> group_priority(std::string_view text) {
    auto words = split_words(text);
    if (!words) return words.error();
    const std::string value = words->size() == 1 ? words->front() : std::string{text};
    int priority = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), priority);
    if (value.empty() || ec != std::errc{} || end != value.data() + value.size()) {
      return problem("ansible_group_priority: " + shown(value) + " is not an integer");
    }
    group(section_.group).priority = priority;
    return {};
  }

  result<void> child_line(std::string_view text, int number) {
    auto words = split_words(text);
    if (!words) return words.error();
    if (words->empty()) return {};
    const std::string where = "[" + section_.group + ":children]";
    if (words->size() != 1) return problem("expected one group name per line in " + where);
    const std::string& child = words->front();
    if (!is_group_name(child)) return problem("group name " + shown(child) + " in " + where + " must match [A-Za-z0-9_-]+");
    if (child == "all") return problem("group 'all' cannot be a child of another group");
    group(child);
    auto& children = group(section_.group).children;
    auto same = [&](const auto& c) { return c.first == child; };
    if (std::none_of(children.begin(), children.end(), same)) children.emplace_back(child, number);
    return {};
  }

  std::map<std::string, raw_group> groups_;
  std::vector<raw_host> hosts_;
  std::map<std::string, std::size_t> host_index_;
  std::size_t named_ = 0;  ///< host names produced so far, repeats included
  int next_order_ = 0;
  section_header section_{section_header::kind::hosts, "ungrouped"};  // lines before any header
};

}  // namespace

result<std::optional<section_header>> parse_section_header(std::string_view line) {
  line = trim(line);
  if (!line.starts_with('[')) return std::optional<section_header>{};
  auto close = line.find(']');
  if (close == std::string_view::npos) return std::optional<section_header>{};
  // Only a comment may follow: `[::1]:2222` and `[web]x` are host lines.
  if (auto after = trim(line.substr(close + 1)); !after.empty() && !after.starts_with('#')) {
    return std::optional<section_header>{};
  }
  auto inside = line.substr(1, close - 1);
  auto colon = inside.find(':');
  auto name = inside.substr(0, colon);
  if (!is_group_name(name)) {
    // `[web.servers]` is meant as a header; bracketed IPv6 addresses and ranges all contain ':'.
    if (colon == std::string_view::npos) {
      return problem("group name " + shown(name) + " may contain only letters, digits, '_' and '-'");
    }
    return std::optional<section_header>{};
  }
  if (colon == std::string_view::npos) return std::optional<section_header>{{section_header::kind::hosts, std::string{name}}};
  auto type = inside.substr(colon + 1);
  if (type == "vars") return std::optional<section_header>{{section_header::kind::vars, std::string{name}}};
  if (type == "children") return std::optional<section_header>{{section_header::kind::children, std::string{name}}};
  // `[web:prod]` (Ansible refuses it too); `[fe80::1]` has no word after the first ':' and is no header.
  if (is_word(type)) return problem("unknown section type " + shown(type) + " in " + shown(line) + " (expected vars or children)");
  return std::optional<section_header>{};
}

bool looks_like_ansible(const std::vector<std::string_view>& lines) {
  return std::any_of(lines.begin(), lines.end(), [](std::string_view l) {
    auto h = parse_section_header(l);
    return h && h->has_value();
  });
}

result<inventory> parse_ansible_ini(const std::vector<std::string_view>& lines, std::string_view source) {
  reader r;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const int number = static_cast<int>(i) + 1;
    auto text = trim(lines[i]);
    // Ansible also takes ';' for a comment line.
    if (text.empty() || text.starts_with('#') || text.starts_with(';')) continue;
    if (auto ok = r.line(text, number); !ok) return at_line(source, number, ok.error());
  }
  return r.finish(source);
}

}  // namespace rio::kernel::inventory::detail
