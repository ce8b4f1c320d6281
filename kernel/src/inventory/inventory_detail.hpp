#pragma once
// Pieces shared by the two inventory formats and parse_host_spec. Helpers report the bare problem
// ("port '0' is not a number between 1 and 65535"); the caller that knows the file and line prefixes it.

#include <rio/kernel/inventory.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rio::kernel::inventory::detail {

// ---- text (word_split.cpp) ----

/** The text split into lines: '\n' separated, a trailing '\r' and a leading UTF-8 BOM dropped. */
std::vector<std::string_view> split_lines(std::string_view text);

/** Leading and trailing blanks (space, tab, \r, \v, \f) removed. */
std::string_view trim(std::string_view s);

/** Where an unquoted '#' starts a comment: only at the start of a word, or anywhere (shlex). */
enum class comments { word_start, anywhere };

/**
 * shlex-like words: blanks separate words; '...' is literal; "..." allows \" and \\; a backslash
 * outside quotes escapes the next character; quotes may sit inside a word (key="a b"). An
 * unquoted '#' starts a comment to the end of the line: at the start of a word (the simple list),
 * or anywhere (Ansible INI, as Python's shlex). Errors: unterminated quote, trailing backslash.
 */
result<std::vector<std::string>> split_words(std::string_view line, comments where = comments::word_start);

/** True when a value holds Jinja (`{{`, `{%`): Ansible templates it, rio cannot. */
bool has_template(std::string_view value);

/** The error for a templated value of `key`. */
sdk::error template_problem(std::string_view key, std::string_view value);

/** `'value'` for messages: at most 60 characters, control characters as \xNN. */
std::string shown(std::string_view value);

/** "<source>:<line>: <problem>" as errc::bad_config. */
sdk::error at_line(std::string_view source, int line, const sdk::error& problem);

/** errc::bad_config with a bare problem text (no location yet). */
sdk::error problem(std::string text);

// ---- host specs (host_spec.cpp) ----

/** `[user@]host[:port]` or `[user@][v6]:port`, split but not yet validated as a target. */
struct spec_parts {
  std::string user;  ///< empty when no '@'
  std::string host;  ///< IPv6 without brackets
  std::optional<std::uint16_t> port;
};
result<spec_parts> split_host_spec(std::string_view spec);

/** A host entry holding what a spec named: host, user and port, and which of them it set. */
inline host_entry entry_from(const spec_parts& parts) {
  host_entry h;
  h.where.host = parts.host;
  h.where.user = parts.user;
  h.user_set = !parts.user.empty();
  if (parts.port) {
    h.where.port = *parts.port;
    h.port_set = true;
  }
  return h;
}

/** An IPv6 address without brackets (inet_pton). */
bool is_ipv6_literal(const std::string& host);

/** 1..65535, decimal digits only. */
result<std::uint16_t> parse_port(std::string_view text);

/** ssh::validate, with a stand-in user when none is set yet and long values shortened. */
result<void> check_target(const ssh::target& where);

/** "host" for port 22, else "host:port" ("[v6]:port"): the name of a simple-list entry. */
std::string spec_name(const ssh::target& where);

// ---- key=value settings (host_settings.cpp) ----

enum class dialect { simple, ansible };

/** One recognised setting, under its canonical key: user, port, identity, host or module.option. */
struct setting {
  std::string key;
  std::string value;
  int line = 0;
};
using settings = std::map<std::string, setting>;  ///< canonical key -> setting; later wins

/**
 * Recognises `key` in the given dialect and checks `value` for it. Returns the setting, nullopt
 * for a variable that is deliberately ignored (Ansible: other ansible_* and foreign variables),
 * or an error for an unknown key (simple list) or a bad value.
 */
result<std::optional<setting>> make_setting(std::string_view key, std::string value, int line, dialect d);

/** True for a key that make_setting ignores: its value need not even be parsed. */
bool ignored_key(std::string_view key, dialect d);

/** Copies checked settings onto the host. Cannot fail: values were checked by make_setting. */
void apply_settings(host_entry& host, const settings& values);

// ---- formats ----

/** Ansible section header: `[name]`, `[name:vars]` or `[name:children]`, then only a comment. */
struct section_header {
  enum class kind { hosts, vars, children } type = kind::hosts;
  std::string group;
};
/** The header on this line, nullopt if the line is no header, an error for `[name:other]`. */
result<std::optional<section_header>> parse_section_header(std::string_view line);

/** True when some line is a valid section header: the file is an Ansible inventory. */
bool looks_like_ansible(const std::vector<std::string_view>& lines);

/** The formats parse_inventory reads; detect_format (format_detect.cpp) picks one by content. */
enum class format { simple_list, ansible_ini, ansible_yaml, ansible_json };
format detect_format(const std::vector<std::string_view>& lines);

result<inventory> parse_simple_list(const std::vector<std::string_view>& lines, std::string_view source);
result<inventory> parse_ansible_ini(const std::vector<std::string_view>& lines, std::string_view source);

/** Most hosts one range pattern may produce. */
inline constexpr std::size_t max_range_hosts = 100000;

/**
 * Most host names one inventory may produce: lines of the simple list, names of Ansible host
 * lines after range expansion, a name listed twice counted twice. The per-pattern cap alone let
 * a 5 kB file of ranges ask for 36 million hosts (gigabytes, then std::bad_alloc), and one range
 * repeated on 370 lines take seconds per line (found by tests/fuzz, regressions/inventory).
 */
inline constexpr std::size_t max_inventory_hosts = 100000;

/** The error for an inventory past max_inventory_hosts (the caller adds the file and line). */
sdk::error too_many_hosts();

/**
 * Most group memberships plus variables, summed over the hosts of one Ansible inventory. Every
 * host gets its own copy of each group it is in and of each variable those groups set, so 100000
 * hosts under a chain of 300 [..:children] groups, or under 300 [all:vars] lines, made a 6 kB
 * file cost minutes and gigabytes (found by tests/fuzz, regressions/inventory). 10000 hosts with
 * 100 groups and variables each still fit.
 */
inline constexpr std::size_t max_inventory_entries = 1000000;

/** Expands Ansible host ranges (`web[01:20]`, `db-[a:f]`, `[1:9:2]`, several per name). */
result<std::vector<std::string>> expand_host_ranges(std::string_view pattern);

/** The groups' hierarchy, applied to the hosts collected by the INI reader (ansible_groups.cpp). */
struct raw_group {
  std::string name;
  int order = 0;  ///< first mention in the file
  settings vars;
  std::vector<std::pair<std::string, int>> children;  ///< child name, line of the entry
  int priority = 1;  ///< ansible_group_priority: orders groups of equal depth (higher wins)
  std::vector<std::string> hosts;  ///< direct members, in the order they were added
};
struct raw_host {
  std::string name;
  int line = 0;
  std::vector<std::string> groups;  ///< direct groups, first appearance first
  settings vars;
};
result<inventory> resolve_ansible(std::vector<raw_host> hosts, std::map<std::string, raw_group> groups,
                                  std::string_view source);

/**
 * Collects groups, hosts and variables from a tree-shaped inventory (Ansible YAML, the JSON of
 * `ansible-inventory --list`), then resolves it as the INI reader does (tree_builder.cpp).
 * Variables keep Ansible's meaning: unknown ones are ignored, ansible_group_priority orders groups.
 */
class tree_builder {
 public:
  tree_builder();
  void group(const std::string& name);
  result<void> child(const std::string& parent, const std::string& child, int line);
  /** Adds `name` to `group` (once), counting it against max_inventory_hosts. */
  result<void> host(const std::string& name, const std::string& group, int line);
  result<void> group_var(const std::string& group, std::string_view key, std::string value, int line);
  result<void> host_var(const std::string& host, std::string_view key, std::string value, int line);
  result<inventory> finish(std::string_view source);

 private:
  raw_group& group_ref(const std::string& name);
  std::map<std::string, raw_group> groups_;
  std::vector<raw_host> hosts_;
  std::map<std::string, std::size_t> host_index_;
  std::size_t named_ = 0;
  int next_order_ = 0;
};

/** A host pattern of an Ansible inventory: a name (maybe with ranges), then maybe ':port'; or [v6]:port. */
struct host_pattern {
  std::string name;
  std::optional<std::uint16_t> port;
  bool literal = false;  ///< an IPv6 address: never range-expanded
};
result<host_pattern> split_pattern(std::string_view word);
/** The names a pattern stands for: its ranges expanded. */
result<std::vector<std::string>> pattern_names(const host_pattern& p);

/** The checks a host name gets in every Ansible format (no leading '-', '/', ',', blanks). */
result<void> check_host_name(const std::string& name);

/** Ansible YAML (yaml_inventory.cpp) and `ansible-inventory --list` JSON (json_inventory.cpp). */
result<inventory> parse_ansible_yaml(std::string_view text, std::string_view source);
result<inventory> parse_ansible_json(std::string_view text, std::string_view source);

}  // namespace rio::kernel::inventory::detail
