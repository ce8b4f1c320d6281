#include <rio/kernel/engine/run_event.hpp>

namespace rio::kernel::engine {

const char* to_string(run_event_kind k) noexcept {
  switch (k) {
    case run_event_kind::host_started: return "host_started";
    case run_event_kind::module_planned: return "module_planned";
    case run_event_kind::step_finished: return "step_finished";
    case run_event_kind::module_finished: return "module_finished";
    case run_event_kind::host_finished: return "host_finished";
    case run_event_kind::log_line: return "log_line";
  }
  return "unknown";
}

}  // namespace rio::kernel::engine
