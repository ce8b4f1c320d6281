#pragma once
// Where runs keep their records. Defaults are the original's paths under rio's root (never the
// process's working directory); the original's environment overrides still apply.

#include <rio/kernel/settings.hpp>

#include <filesystem>
#include <string>

namespace rio::kernel::engine {

struct run_paths {
  std::filesystem::path status_root;  ///< COMFYVN_REMOTE_INSTALL_STATUS_ROOT, else <root>/data/remote/install
  std::filesystem::path log_root;     ///< COMFYVN_REMOTE_INSTALL_LOG_ROOT, else <root>/logs/remote/install

  std::filesystem::path status_file(const std::string& token) const { return status_root / (token + ".json"); }
  std::filesystem::path log_file(const std::string& token) const { return log_root / (token + ".log"); }
  /** flock(2) target serialising runs on one host (token: lock_token); removed when the run ends. */
  std::filesystem::path lock_file(const std::string& token) const { return status_root / (token + ".lock"); }
};

/** Resolves both roots; relative overrides are taken relative to `root`, `~/` expands to $HOME. */
run_paths resolve_run_paths(const std::filesystem::path& root, const env_lookup& env);

}  // namespace rio::kernel::engine
