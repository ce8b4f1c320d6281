#include "step_logger.hpp"

#include <cstdio>

namespace rio::kernel::engine::detail {
namespace {

std::string describe_ms(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

}  // namespace

void step_logger::on_step_started(const sdk::step_spec& step) {
  shell_.set_context(module_, step.id);
  log_.module_line(module_, "step " + step.id + ": " + step.description);
}

void step_logger::on_step_finished(const sdk::step_result& r) {
  std::string text = "step " + r.id + " " + sdk::to_string(r.outcome);
  if (r.outcome != sdk::step_outcome::not_run) {
    text += " (exit " + std::to_string(r.exit_code) + ", " + describe_ms(r.duration) + ")";
  }
  if (!r.reason.empty()) text += ": " + r.reason;
  log_.module_line(module_, text);
  shell_.set_context(module_, "");
  emit(run_event_kind::step_finished, r.id, sdk::to_string(r.outcome), text);
}

void step_logger::on_sync_finished(const sdk::sync_result& r) {
  std::string text = "sync " + r.source + " -> " + r.destination + ": " + sdk::to_string(r.outcome);
  if (!r.reason.empty()) text += " (" + r.reason + ")";
  log_.module_line(module_, text);
}

void step_logger::emit(run_event_kind kind, std::string step, std::string state, std::string detail) {
  if (!settings_.on_event) return;
  // Events reach API clients: the same redaction as the log.
  detail = settings_.redact != nullptr ? settings_.redact->apply(detail) : redactor{}.apply(detail);
  settings_.on_event(event_of(kind, settings_.run_id, host_, module_, std::move(step), std::move(state), std::move(detail)));
}

}  // namespace rio::kernel::engine::detail
