#pragma once
// Where rio's files are: the root directory (config/, data/, logs/) and the plugin directory.
// Nothing here depends on the process's working directory except a ComfyVN-style root found there
// (the one rule is on resolve_settings; `rio paths` prints its outcome and why).

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
  env_lookup env;                                        ///< RIO_ROOT, RIO_PLUGIN_DIR, XDG_STATE_HOME, HOME
  std::filesystem::path exe_dir;                         ///< directory of the rio binary
  std::filesystem::path cwd;                             ///< where a ComfyVN-style root may be
};

struct settings {
  std::filesystem::path root;        ///< absolute
  /** Why this root: "--root", "RIO_ROOT", "the current directory (it holds config/comfyvn.json)",
      "XDG_STATE_HOME", "~/.local/state", or "the current directory (no HOME)". */
  std::string root_source;
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
 * Root, one rule (docs/install.md): --root, else $RIO_ROOT, else the working directory when it is
 * a ComfyVN or rio root (it holds config/comfyvn.json or config/rio.json, as the original's
 * clients expect), else $XDG_STATE_HOME/rio, else $HOME/.local/state/rio, else (no HOME at all)
 * the working directory. The packaged service sets RIO_ROOT=/var/lib/rio.
 * Plugin directory: --plugin-dir, else RIO_PLUGIN_DIR, else "plugin_dir" in <root>/config/rio.json
 * (relative to the root), else <exe_dir>/plugins when it exists, else the installed layout
 * (<exe_dir>/installed_plugin_dir_from_bin(): ../lib/x86_64-linux-gnu/rio/plugins for /usr).
 * Allowed sources: "allowed_sources" in <root>/config/rio.json (a list of URL prefixes).
 * Host cap: "max_hosts_per_request" in <root>/config/rio.json (an integer from 1 to 100000).
 * Errors: errc::bad_config naming the file and the field.
 */
result<settings> resolve_settings(const settings_inputs& in);

/** Where the install rules put the built-in modules, relative to the binary's directory. */
const char* installed_plugin_dir_from_bin() noexcept;

}  // namespace rio::kernel
