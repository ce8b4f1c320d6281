#pragma once
// One host, start to end: lock, connect, detect in one command, plan, then (unless a dry run)
// apply the modules in order, writing the status manifest after each module and the log as it
// goes. Every failure ends up in the result as a value; nothing here throws.

#include <rio/kernel/engine/host_detect.hpp>
#include <rio/kernel/engine/lifecycle.hpp>
#include <rio/kernel/engine/plan.hpp>
#include <rio/kernel/engine/preflight.hpp>
#include <rio/kernel/engine/redactor.hpp>
#include <rio/kernel/engine/run_event.hpp>
#include <rio/kernel/engine/run_paths.hpp>
#include <rio/kernel/ssh/session.hpp>
#include <rio/kernel/ssh/session_pool.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace rio::kernel::engine {

/** What to do on one host. */
struct host_request {
  std::string name;  ///< as the operator names it; the manifest's `host`
  ssh::target where;
  ssh::auth_options auth;
  std::vector<module_request> modules;  ///< in registry order, each once
  /** Exported to every remote command (the request's ssh.env). */
  std::vector<std::pair<std::string, std::string>> env;
};

/** Shared by every host of one call. */
struct run_settings {
  std::string run_id;
  run_paths paths;
  std::filesystem::path asset_root;  ///< rio's root: config-sync sources
  ssh::known_hosts known_hosts;
  std::chrono::milliseconds connect_timeout{std::chrono::seconds{10}};
  bool dry_run = false;
  /** Detect before planning (the request's `probe`); false plans every module as unknown. */
  bool probe = true;
  /** Apply only records: install actions become state "recorded", and nothing runs on the host. */
  bool record_only = false;
  /** When another run holds the host: fail at once (false) or wait up to lock_patience. */
  bool wait_for_lock = false;
  std::chrono::seconds lock_patience{std::chrono::hours{1}};
  /** Per-run overrides of the preflight's checks. */
  preflight_overrides preflight;
  /** The verb (install unless update, rollback, repair or uninstall) and its switches. */
  verb_options lifecycle;
  const redactor* redact = nullptr;
  std::function<void(const run_event&)> on_event;  ///< optional
};

enum class host_failure {
  none,
  busy,         ///< another run holds the host
  unreachable,  ///< could not connect or authenticate
  local_io,     ///< the manifest or log could not be written
  cancelled,    ///< the run was cancelled (Ctrl-C, or the API) before or while this host ran
  detection_failed,  ///< reached, but the detection script told nothing (lost, timed out, unreadable)
};

struct module_outcome {
  std::string id;
  std::string state;  ///< installed, failed (blocked ones too), skipped (noop), recorded, uninstalled
  std::string error;
  std::vector<sdk::step_result> steps;
  sdk::sync_report sync;
  std::string version;  ///< what the module's version_probe answered after the install; "" when unknown
};

/** How rio reached a host (its first connection of the run), for -v and --json. */
struct connection_info {
  ssh::negotiated_algorithms algorithms;  ///< empty kex: no connection was made
  std::string host_key_fingerprint;       ///< SHA256:...
  std::string auth;                       ///< the method that succeeded, e.g. "publickey (agent)"
};

struct host_result {
  std::string host;
  std::string address;  ///< user@host:port
  std::string run_id;
  /** installed, uninstalled, noop, failed, cancelled, recorded or dry_run. A plan says dry_run even when its
      host could not be reached: `failure` says so, and host_outcome.hpp reads both. */
  std::string status;
  host_failure failure = host_failure::none;
  std::string error;    ///< the host-level failure, for people
  /** Each failed connection's error text (describe() and message, redacted), so that a
      result_view can hide them from clients that must not learn about the network. */
  std::vector<std::string> connection_errors;
  std::vector<module_plan> plan;
  host_facts facts;  ///< the preflight's findings (facts.known false when detection did not run)
  std::vector<std::string> installed, skipped, failed;
  std::vector<std::string> recorded;  ///< record_only runs: planned installs that were only recorded
  std::vector<std::string> uninstalled;  ///< rio uninstall: modules removed
  std::vector<module_outcome> outcomes;
  /** Where this host's manifest and log live, set even when this run wrote neither. */
  std::filesystem::path status_path, log_path;
  /** This run wrote the manifest at least once (never in a plan, nor for a busy host). */
  bool status_written = false;
  /** This run opened the log and wrote to it (never in a plan, nor for a busy host). */
  bool log_written = false;
  std::vector<std::string> warnings;
  unsigned remote_commands = 0;  ///< commands run on the host (detection included)
  unsigned connections = 0;      ///< SSH connections made for this host
  connection_info connection;
  std::chrono::milliseconds duration{};
};

/**
 * Runs one host. Honours terminal cancellation of the calling coroutine: the command in flight is
 * stopped (the transport closes its channel and the remote wrapper kills it), no further module
 * starts, the modules not run are recorded as failed with "run cancelled", and the manifest and
 * log are closed properly; the status is then "cancelled".
 */
boost::asio::awaitable<host_result> run_host(ssh::session_pool& pool, const run_settings& settings, host_request request);

/** "user@host:port" (IPv6 in brackets). */
std::string address_of(const ssh::target& t);

}  // namespace rio::kernel::engine
