#pragma once
// Where rio's files are: the root directory (config/, data/, logs/) and the plugin directory.
// Nothing here depends on the process's working directory except the documented default root.

#include <rio/kernel/error.hpp>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace rio::kernel {

/** Reads an environment variable; injected so tests never touch the real environment. */
using env_lookup = std::function<std::optional<std::string>(const char* name)>;

/** The process environment. */
env_lookup process_env();

struct settings_inputs {
  std::optional<std::filesystem::path> root_flag;        ///< --root
  std::optional<std::filesystem::path> plugin_dir_flag;  ///< --plugin-dir
  env_lookup env;                                        ///< RIO_ROOT, RIO_PLUGIN_DIR
  std::filesystem::path exe_dir;                         ///< directory of the rio binary
  std::filesystem::path cwd;                             ///< default root
};

struct settings {
  std::filesystem::path root;        ///< absolute
  std::filesystem::path plugin_dir;  ///< absolute
  std::string plugin_dir_source;     ///< "--plugin-dir", "RIO_PLUGIN_DIR", "config/rio.json" or "default"
  /**
   * "allowed_sources" in config/rio.json: URL prefixes that API requests may name in a module's URL
   * options besides the module's own upstream (mirrors, a file:// fixture directory).
   */
  std::vector<std::string> allowed_sources;
  /**
   * "max_hosts_per_request" in config/rio.json: how many hosts one API request may name (a
   * request over it is refused before anything is touched). Every host costs a connection
   * attempt, a manifest and a log, and answers with its own error.
   */
  std::size_t max_hosts_per_request = default_max_hosts_per_request;
  static constexpr std::size_t default_max_hosts_per_request = 256;
};

/**
 * Root: --root, else RIO_ROOT, else the working directory.
 * Plugin directory: --plugin-dir, else RIO_PLUGIN_DIR, else "plugin_dir" in <root>/config/rio.json
 * (relative to the root), else <exe_dir>/plugins when it exists, else <exe_dir>/../lib/rio/plugins.
 * Allowed sources: "allowed_sources" in <root>/config/rio.json (a list of URL prefixes).
 * Host cap: "max_hosts_per_request" in <root>/config/rio.json (an integer from 1 to 100000).
 * Errors: errc::bad_config naming the file and the field.
 */
result<settings> resolve_settings(const settings_inputs& in);

}  // namespace rio::kernel
