#pragma once
// What a run reports while it goes: progress views, live logs and (later) the hook bus read
// these. Delivered on the run's executor, in order; a listener must not block.

#include <string>

namespace rio::kernel::engine {

enum class run_event_kind {
  host_started,     ///< detail: the address
  module_planned,   ///< state: install|noop; detail: the reason
  step_finished,    ///< state: the step outcome; detail: exit code, duration, reason
  module_finished,  ///< state: installed|failed|skipped; detail: the error when failed
  host_finished,    ///< state: installed|noop|failed|dry_run; detail: the host error, if any
  log_line,         ///< detail: one redacted, escaped log line (without the timestamp)
  /** A lifecycle verb starts on a module: state: update|rollback|repair|uninstall; from_version and
      to_version: the installed and the wanted version ("" when unknown). */
  verb_started,
  /** It finished: state: the verb; step: installed|failed|uninstalled; to_version: the version
      now ("" when unknown or uninstalled); detail: the error when failed. */
  verb_finished,
};

const char* to_string(run_event_kind k) noexcept;

struct run_event;

/** An event with the common fields (from_version and to_version empty). */
run_event event_of(run_event_kind kind, std::string run_id, std::string host, std::string module, std::string step,
                   std::string state, std::string detail);

struct run_event {
  run_event_kind kind = run_event_kind::host_started;
  std::string run_id;
  std::string host;
  std::string module;
  std::string step;
  std::string state;
  std::string detail;
  std::string from_version, to_version;  ///< verb events only
};

}  // namespace rio::kernel::engine
