#pragma once
// data/remote/install/<token>.json: what rio last knew about each module on one host. Keeps the
// original's version-1 fields (host, modules.<id>.state, installed_at, failed_at, error, notes,
// tags, reason, detected, updated_at) so its readers keep working, and adds what operators need:
// the run that wrote each entry, per-step results with exit codes and durations, the last reason,
// the stderr tail of a failure, and the run's own state.

#include <rio/kernel/error.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rio::kernel::engine {

struct step_record {
  std::string id;
  std::string outcome;  ///< sdk::to_string(step_outcome): done, already_done, failed, not_run
  int exit_code = -1;
  std::int64_t duration_ms = 0;
  std::string reason;
};

/** Something a module's step created on the host (sdk::created_path, rendered), for uninstall. */
struct created_record {
  std::string path;  ///< as rendered: absolute or `~/...`
  std::string kind;  ///< owned, checkout or purge (sdk::removal)
  std::string step;  ///< the step whose command created it
};

/** What an update saved on the host before it changed anything (sdk::lifecycle_spec::save_rollback). */
struct rollback_record {
  std::string version;   ///< the version it returns to ("" when the module reported none)
  std::string saved_at;  ///< ISO-8601 UTC
  std::string run_id;    ///< the update that saved it
};

struct module_record {
  std::string state;  ///< installed, failed, uninstalled, or recorded (a record-only run; nothing ran)
  std::string installed_at, failed_at;  ///< ISO-8601 UTC; empty when not applicable
  std::string error;
  std::string notes;
  std::vector<std::string> tags;
  std::string reason;       ///< why the last run did what it did
  std::optional<bool> detected;
  std::string run_id;
  std::vector<step_record> steps;
  std::string stderr_tail;  ///< of the failed step, redacted and bounded
  std::string updated_at;
  /** rio: the values of the options that define the module's state (option_spec::defines_state)
      it was installed with; "options" in the file. Empty when none were recorded. */
  std::map<std::string, std::string> state_options;
  /** rio: the installed version the module's version_probe reported at the last install or
      detection ("version" in the file); "" when unknown. */
  std::string version;
  /** rio: the host's pin (the module's version option as an operator set it), "" when none, and
      the version the module reported when rio last installed or updated under that pin. */
  std::string pin, pin_version;
  /** rio: what the module's steps created, oldest first; uninstall removes these, newest first. */
  std::vector<created_record> created;
  /** rio: the rollback point the last update saved; absent when none. */
  std::optional<rollback_record> rollback;
  std::string uninstalled_at;  ///< when state became uninstalled
};

struct run_record {
  std::string id;
  std::string state;  ///< running, finished
  std::string status;  ///< installed, noop, failed (when finished)
  std::string started_at, finished_at;
  std::int64_t pid = 0;
  std::string error;  ///< a host-level failure (unreachable, manifest not writable)
};

struct host_manifest {
  std::string host;  ///< as the operator named it
  std::string address;  ///< user@host:port actually used; empty in the original's files
  std::map<std::string, module_record> modules;
  std::optional<run_record> last_run;
  std::string updated_at;
};

/**
 * Reads a manifest; a missing file gives an empty manifest for `host`. Errors:
 * errc::corrupt_manifest (not JSON, not an object, or a field of the wrong type: the message
 * names the file and the field), errc::io_error.
 */
result<host_manifest> load_manifest(const std::filesystem::path& file, const std::string& host);

/** Parses manifest text (also for fuzzing). Errors as load_manifest. */
result<host_manifest> parse_manifest(std::string_view text, const std::string& source);

/** The JSON document (version 1 key order: host, modules, version, updated_at, then rio's keys). */
boost::json::object manifest_to_json(const host_manifest& m);

/** Writes atomically (temp, fsync, rename, fsync directory), creating the directory. */
result<void> save_manifest(const std::filesystem::path& file, const host_manifest& m);

/**
 * Moves an unreadable manifest aside to <file>.corrupt-<timestamp> so its bytes are kept for
 * inspection instead of being overwritten (the original silently dropped the history).
 */
result<std::filesystem::path> quarantine_manifest(const std::filesystem::path& file);

/** ISO-8601 UTC with microseconds and "+00:00", the original's timestamp format. */
std::string utc_timestamp();

}  // namespace rio::kernel::engine
