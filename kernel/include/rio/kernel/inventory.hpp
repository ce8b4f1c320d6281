#pragma once
// Fleet inventories: the hosts of one `rio plan|install|status` call. Four formats, told apart by
// the file's content: rio's simple list (one `[user@]host[:port] [key=value...]` per line),
// Ansible's INI inventory (groups in [brackets], `alias ansible_host=... ansible_port=...`,
// [group:vars], [group:children], host ranges such as web[01:20]), Ansible's YAML inventory, and
// the JSON of `ansible-inventory --list` (how dynamic inventories reach rio). Operator
// documentation, with the formats, the precedence rules, host patterns and every known
// difference from ansible-core: docs/inventory.md.

#include <rio/kernel/error.hpp>
#include <rio/kernel/ssh/target.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace rio::kernel::inventory {

/** One host to run on. */
struct host_entry {
  /**
   * What the operator calls it, unique within an inventory. Ansible: the inventory name (alias),
   * without a port. Simple list and parse_host_spec: the host as written without the user, plus
   * ":port" when the port is not 22 (`web1`, `web1:2222`, `[2001:db8::1]:2222`), so one address
   * on two ports gives two hosts.
   */
  std::string name;
  /**
   * Where to connect: host without IPv6 brackets (Ansible: ansible_host, else the name). user is
   * empty and port 22 when the inventory does not say. Host and port have passed ssh::validate,
   * and so has the user when set.
   */
  ssh::target where;
  bool user_set = false;  ///< the inventory named a user (else the run's default applies)
  bool port_set = false;  ///< the inventory named a port, even if it is 22
  /** identity file (`identity=` or ansible_ssh_private_key_file) as written; empty when not given. */
  std::string identity;
  /**
   * Module option overrides written as `<module>.<option>=value` (e.g. comfyui.ref=v0.3.10), keyed
   * by module id, then option name. Validated later against the module's schema.
   */
  std::map<std::string, std::map<std::string, std::string>> module_options;
  /**
   * Groups the host belongs to (Ansible format), directly or through [group:children], ordered by
   * each group's first mention in the file, without "all". A host in no other group is in
   * "ungrouped". Empty for the simple list.
   */
  std::vector<std::string> groups;
  /** 1-based line that declared the host first; 0 in a JSON inventory (Boost.JSON keeps no lines). */
  int line = 0;
};

/** One Ansible group, as host patterns need it (subscripts such as `web[0]` follow its order). */
struct group_entry {
  std::string name;
  std::vector<std::string> hosts;     ///< direct members, in the order the inventory adds them
  std::vector<std::string> children;  ///< child groups, in the order the inventory names them
};

struct inventory {
  std::vector<host_entry> hosts;  ///< in file order, each host once (same name merged)
  /**
   * Ansible formats: every group, "all" first (its children are the top-level groups,
   * "ungrouped" first) and "ungrouped" second, then by first mention. Empty for the simple list.
   */
  std::vector<group_entry> groups;
};

/**
 * Parses inventory text. The format comes from the content (docs/inventory.md, the format table):
 * JSON when the first significant line starts with `{`, YAML when it is `---` or `group:`, Ansible
 * INI when any line is a section header or no line uses simple-list syntax (`user@`, `user=`,
 * `port=`, `identity=`, one address on two ports), else the simple list. `source` names the file
 * in error messages. Errors: errc::bad_config as "<source>:<line>: <problem>" (bad host, bad port, unknown
 * key, bad range, group cycle, past the size limits in docs/inventory.md...); values in messages
 * are quoted and cut to 60 characters. Every host is validated with ssh::validate before it is
 * returned. Text without hosts gives an empty inventory, not an error.
 */
result<inventory> parse_inventory(std::string_view text, std::string_view source);

/**
 * Reads and parses a file; its path is the `source`. Errors: errc::bad_config ("<path>: no such
 * file", not a regular file, larger than 64 MiB, unreadable, or as above).
 */
result<inventory> load_inventory(const std::filesystem::path& file);

/**
 * One host as written on the command line: `host`, `user@host`, `host:port`, `user@host:port`,
 * `[v6addr]:port`, `user@[v6addr]:port` (and a bare v6addr, which cannot carry a port). line is 0.
 * Errors: errc::bad_usage as "host '<spec>': <problem>".
 */
result<host_entry> parse_host_spec(std::string_view spec);

/**
 * The hosts that `pattern` selects, with Ansible's host-pattern semantics (docs/inventory.md,
 * "Selecting hosts"): terms joined by ',' or ':'; `&term` intersects, `!term` excludes (applied
 * after the unions, then intersections, as Ansible orders them); `*`, `?`, `[..]` match names as
 * fnmatch does; `~regex` matches names from their start; `group[0]`, `group[-1]`, `group[0:2]`
 * pick from a group's hosts. A term equal to a host's name selects that host only, even when a
 * group has the same name. The result keeps inventory order and lists each host once. Errors:
 * errc::bad_usage when a term is empty, matches no host or group, a subscript is out of range, a
 * regex is invalid or uses Python-only syntax, or the result is empty.
 */
result<inventory> select_hosts(const inventory& all, std::string_view pattern);

}  // namespace rio::kernel::inventory
