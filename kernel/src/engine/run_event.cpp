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
    case run_event_kind::verb_started: return "verb_started";
    case run_event_kind::verb_finished: return "verb_finished";
  }
  return "unknown";
}

run_event event_of(run_event_kind kind, std::string run_id, std::string host, std::string module, std::string step,
                   std::string state, std::string detail) {
  run_event e;
  e.kind = kind;
  e.run_id = std::move(run_id);
  e.host = std::move(host);
  e.module = std::move(module);
  e.step = std::move(step);
  e.state = std::move(state);
  e.detail = std::move(detail);
  return e;
}

}  // namespace rio::kernel::engine
