#pragma once
// Reading status manifests for `rio status` and GET /api/remote/status. Read-only: nothing is
// created, locked or rewritten.

#include <rio/kernel/engine/run_paths.hpp>
#include <rio/kernel/engine/status_manifest.hpp>
#include <rio/kernel/inventory.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace rio::kernel::engine {

struct host_status {
  std::string host;
  std::filesystem::path status_path;
  bool exists = false;
  bool running = false;  ///< a run holds the host's lock right now
  /**
   * A host named without a port that has no manifest on port 22: the other ports that have one,
   * in order. With exactly one, status_path is that port's manifest; with several, none is
   * chosen (exists is false) and the caller says which to ask for.
   */
  std::vector<std::uint16_t> recorded_ports;
  result<host_manifest> manifest = host_manifest{};
};

/**
 * Parsed manifests keyed by path, reused while the file's size and modification time are
 * unchanged (a server answering status polls reads each file once per change). Not thread-safe.
 */
class manifest_cache {
 public:
  result<host_manifest> load(const std::filesystem::path& file, const std::string& host);

 private:
  struct entry {
    std::filesystem::file_time_type mtime;
    std::uintmax_t size = 0;
    result<host_manifest> manifest = host_manifest{};
  };
  std::map<std::filesystem::path, entry> entries_;
};

/**
 * One host as named (an inventory entry or a parsed host spec). Without its own manifest, an
 * earlier writer's is read in place (earlier_manifest.hpp); a host named without a port finds the
 * manifest of the one port it was installed on (see recorded_ports).
 */
host_status read_host_status(const run_paths& paths, const inventory::host_entry& entry, manifest_cache* cache = nullptr);

/** Every manifest in the status directory, sorted by file name. */
std::vector<host_status> list_host_statuses(const run_paths& paths, manifest_cache* cache = nullptr);

/** {"ok","host","status":<manifest>,"status_path","running"}; `host` as the caller spelled it. */
boost::json::object host_status_json(const host_status& s, const std::string& host_as_given);

/** {"ok","hosts":[{"host","modules":{id:state},"updated_at","status_path","running"}]}; unreadable files are left out. */
boost::json::object host_list_json(const std::vector<host_status>& statuses);

}  // namespace rio::kernel::engine
