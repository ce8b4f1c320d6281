#pragma once
// What detect, install and sync_config report back. Plain values: the kernel copies them into
// its own records, so nothing here refers to module memory after a hook returns.

#include <chrono>
#include <string>
#include <vector>

namespace rio::sdk {

enum class detect_state {
  installed,  ///< every probe passed
  absent,     ///< at least one probe ran and failed
  unknown,    ///< the probes could not run (transport error, timeout, unreadable report)
};

struct probe_result {
  std::string id;
  std::string description;
  bool passed = false;
  int exit_code = -1;
};

struct detect_report {
  detect_state state = detect_state::unknown;
  std::vector<probe_result> probes;
  std::string evidence;  ///< one line for plans: which probe decided, or why it is unknown
};

enum class step_outcome {
  done,          ///< the command ran and exited 0
  already_done,  ///< done_check exited 0; the command did not run
  failed,        ///< non-zero exit, signal, timeout, or transport failure
  not_run,       ///< an earlier step failed, so this one was not attempted
};

struct step_result {
  std::string id;
  std::string description;
  step_outcome outcome = step_outcome::not_run;
  int exit_code = -1;
  std::chrono::milliseconds duration{};
  std::string reason;       ///< why it failed, for people; empty on success
  std::string stderr_tail;  ///< bounded tail of stderr when it failed
};

enum class sync_outcome {
  uploaded,            ///< the destination was absent and is now written
  destination_exists,  ///< left untouched: config sync never overwrites
  skipped_optional,    ///< the optional local source does not exist
  failed,              ///< missing required source, or the upload failed
};

struct sync_result {
  std::string source;
  std::string destination;
  std::string description;
  sync_outcome outcome = sync_outcome::failed;
  std::string reason;
};

struct sync_report {
  bool ok = true;
  std::vector<sync_result> entries;
  std::string error;  ///< the first failure, when !ok
};

enum class install_state { installed, failed };

struct install_report {
  install_state state = install_state::failed;
  std::vector<step_result> steps;  ///< one per declared step, in order
  sync_report sync;
  bool sentinel_written = false;
  std::string error;  ///< why the module failed: step id, reason and exit code
};

const char* to_string(detect_state s) noexcept;
const char* to_string(step_outcome o) noexcept;
const char* to_string(sync_outcome o) noexcept;
const char* to_string(install_state s) noexcept;

}  // namespace rio::sdk
