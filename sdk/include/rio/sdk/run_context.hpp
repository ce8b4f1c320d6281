#pragma once
// What the kernel hands a module for one host and one run.

#include <rio/sdk/options.hpp>
#include <rio/sdk/remote_shell.hpp>
#include <rio/sdk/reports.hpp>

#include <boost/config.hpp>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace rio::sdk {

/** Progress callbacks for logs, hooks and live views. Called on the kernel executor. */
class BOOST_SYMBOL_VISIBLE run_observer {
 public:
  virtual void on_step_started(const step_spec& step) = 0;
  virtual void on_step_finished(const step_result& result) = 0;
  virtual void on_sync_finished(const sync_result& result) = 0;

 protected:
  ~run_observer() = default;
};

/**
 * Owned by the kernel and alive for the whole hook call. Hooks may keep the reference
 * across co_await but never beyond their own completion.
 */
struct run_context {
  remote_shell& shell;
  option_values options;               ///< already resolved against the module's schema
  std::filesystem::path asset_root;    ///< base of config-sync sources (rio's root directory)
  /** Exported to every remote command of the run (the request's `ssh.env`), never locally. */
  std::vector<std::pair<std::string, std::string>> env;
  run_observer* observer = nullptr;    ///< optional
};

}  // namespace rio::sdk
