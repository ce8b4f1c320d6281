// Which reader a file gets, decided by its content (docs/inventory.md, "Formats"). Ansible reads
// a file without section headers as INI too (its hosts are "ungrouped"), so a header-less file is
// Ansible INI unless a line uses something only rio's simple list has.

#include "inventory_detail.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <set>

namespace rio::kernel::inventory::detail {
namespace {

constexpr std::array<std::string_view, 3> simple_keys{"user", "port", "identity"};

// True when the line can only be meant as a simple-list line: `user@host`, or a rio key.
bool simple_only(const std::vector<std::string>& words) {
  if (words.front().find('@') != std::string::npos) return true;
  for (std::size_t i = 1; i < words.size(); ++i) {
    auto key = std::string_view{words[i]}.substr(0, words[i].find('='));
    for (auto k : simple_keys) {
      if (key == k) return true;
    }
  }
  return false;
}

// The first line that is not blank or a comment: `{` starts JSON; `---`, or a group name and ':'
// followed by a blank or the line's end, starts YAML (an INI host line has no blank after ':').
std::optional<format> tree_format(const std::vector<std::string_view>& lines) {
  for (auto line : lines) {
    auto t = trim(line);
    if (t.empty() || t.starts_with('#')) continue;
    if (t.starts_with('{')) return format::ansible_json;
    if (t.starts_with("---")) return format::ansible_yaml;
    auto colon = t.find(':');
    if (colon == std::string_view::npos || colon == 0 || t.front() == '[') return std::nullopt;
    const bool blank_after = colon + 1 == t.size() || t[colon + 1] == ' ' || t[colon + 1] == '\t';
    const auto key = t.substr(0, colon);
    // A YAML inventory opens with a group name (`all:`, `webservers:`).
    auto group_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-'; };
    if (blank_after && std::all_of(key.begin(), key.end(), group_char)) return format::ansible_yaml;
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

format detect_format(const std::vector<std::string_view>& lines) {
  if (auto tree = tree_format(lines)) return *tree;
  // One valid [section] header makes it Ansible: a simple list never contains one.
  if (looks_like_ansible(lines)) return format::ansible_ini;
  // One address on two ports is two hosts in the simple list; Ansible INI would merge them into
  // one (and rio's INI reader refuses that), so such a file is a simple list.
  std::set<std::string> hosts;
  std::set<std::string> names;
  for (auto line : lines) {
    auto words = split_words(line);
    if (!words || words->empty()) continue;
    if (simple_only(*words)) return format::simple_list;
    auto parts = split_host_spec(words->front());
    if (!parts) continue;
    hosts.insert(parts->host);
    names.insert(words->front());
    if (names.size() != hosts.size()) return format::simple_list;
  }
  return format::ansible_ini;
}

}  // namespace rio::kernel::inventory::detail
