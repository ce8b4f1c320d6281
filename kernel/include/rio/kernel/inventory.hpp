#pragma once
// Fleet inventories: the hosts of one `rio plan|install|status` call. Two formats, told apart by
// the file itself: rio's simple list (one `[user@]host[:port] [key=value...]` per line) and
// Ansible's INI inventory (groups in [brackets], `alias ansible_host=... ansible_port=...`,
// [group:vars], [group:children], host ranges such as web[01:20]), which operators already keep.

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
  /** What the operator calls it: the inventory name (Ansible alias) or the host as written. */
  std::string name;
  /** Where to connect. user is empty and port 22 when the inventory does not say. */
  ssh::target where;
  bool user_set = false;
  bool port_set = false;
  /** identity file (`identity=` or ansible_ssh_private_key_file); empty when not given. */
  std::string identity;
  /**
   * Module option overrides written as `<module>.<option>=value` (e.g. comfyui.ref=v0.3.10), keyed
   * by module id, then option name. Validated later against the module's schema.
   */
  std::map<std::string, std::map<std::string, std::string>> module_options;
  /** Groups the host belongs to (Ansible format), in file order, without "all". */
  std::vector<std::string> groups;
  /** 1-based line that declared the host first. */
  int line = 0;
};

struct inventory {
  std::vector<host_entry> hosts;  ///< in file order, each host once (same name merged)
};

/**
 * Parses inventory text. `source` names the file in error messages. Errors: errc::bad_config
 * naming source, line and the problem (bad host, bad port, unknown key, unterminated range...).
 * Every host is validated with ssh::validate before it is returned.
 */
result<inventory> parse_inventory(std::string_view text, std::string_view source);

/** Reads and parses a file. Errors: errc::bad_config (unreadable file, or as above). */
result<inventory> load_inventory(const std::filesystem::path& file);

/**
 * One host as written on the command line: `host`, `user@host`, `host:port`, `user@host:port`,
 * `[v6addr]:port`, `user@[v6addr]:port`. Errors: errc::bad_usage naming the problem.
 */
result<host_entry> parse_host_spec(std::string_view spec);

/**
 * The hosts that `pattern` selects: a group name, a host name, or `all`; several patterns may be
 * joined with ','. Errors: errc::bad_usage when a pattern matches nothing.
 */
result<inventory> select_hosts(const inventory& all, std::string_view pattern);

}  // namespace rio::kernel::inventory
