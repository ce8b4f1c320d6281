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
};

const char* to_string(run_event_kind k) noexcept;

struct run_event {
  run_event_kind kind = run_event_kind::host_started;
  std::string run_id;
  std::string host;
  std::string module;
  std::string step;
  std::string state;
  std::string detail;
};

}  // namespace rio::kernel::engine
