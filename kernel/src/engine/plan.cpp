#include <rio/kernel/engine/plan.hpp>

namespace rio::kernel::engine {

const char* to_string(plan_action a) noexcept {
  switch (a) {
    case plan_action::noop: return "noop";
    case plan_action::blocked: return "blocked";
    case plan_action::install: break;
  }
  return "install";
}

std::vector<std::string> module_plan::steps_to_run() const {
  std::vector<std::string> out;
  if (action != plan_action::install) return out;
  for (const auto& s : found.steps) {
    if (s.satisfied != true) out.push_back(s.id);
  }
  return out;
}

module_plan plan_module(const module_request& request, module_detection found, const module_record* previous) {
  const sdk::module_spec& spec = request.spec();
  module_plan plan;
  plan.id = spec.id;
  plan.name = spec.name;
  plan.notes = spec.notes;
  plan.tags = spec.tags;
  plan.options = request.options;
  plan.recorded_state = previous != nullptr ? previous->state : std::string{};
  const std::string& evidence = found.detect.evidence;

  switch (found.detect.state) {
    case sdk::detect_state::installed:
      plan.action = plan_action::noop;
      // The original's wording, so its clients keep matching it; the evidence follows.
      plan.reason = "detected installed on remote host (" + evidence + ")";
      break;
    case sdk::detect_state::absent:
      plan.action = plan_action::install;
      if (plan.recorded_state == "installed") {
        plan.reason = "status file says installed, but the host no longer has it: " + evidence;
      } else if (plan.recorded_state == "failed") {
        plan.reason = "previous run failed" + (previous->error.empty() ? std::string{} : " (" + previous->error + ")") +
                      "; resuming: " + evidence;
      } else {
        plan.reason = "not installed: " + evidence;
      }
      break;
    case sdk::detect_state::unknown:
      // Installing is safe here: every step checks whether it is already done before running.
      plan.action = plan_action::install;
      plan.reason = "could not detect (" + evidence + "); install will skip steps whose checks pass";
      break;
  }
  plan.found = std::move(found);
  return plan;
}

void block_on_preflight(module_plan& plan, std::vector<preflight_issue> issues) {
  if (plan.action != plan_action::install || issues.empty()) return;
  plan.action = plan_action::blocked;
  std::string why;
  for (const auto& i : issues) why += (why.empty() ? "" : "; ") + i.message;
  plan.reason = "refused before anything runs: " + why;
  plan.preflight = std::move(issues);
}

}  // namespace rio::kernel::engine
