#include <rio/kernel/engine/plan.hpp>

#include <set>

namespace rio::kernel::engine {

const char* to_string(plan_action a) noexcept {
  switch (a) {
    case plan_action::noop: return "noop";
    case plan_action::blocked: return "blocked";
    case plan_action::update: return "update";
    case plan_action::rollback: return "rollback";
    case plan_action::uninstall: return "uninstall";
    case plan_action::install: break;
  }
  return "install";
}

std::vector<std::string> module_plan::steps_to_run() const {
  std::vector<std::string> out = lifecycle_steps;
  if (action != plan_action::install && action != plan_action::update && action != plan_action::rollback) return out;
  for (const auto& s : found.steps) {
    if (s.satisfied != true) out.push_back(s.id);
  }
  return out;
}

std::map<std::string, std::vector<std::string>> module_plan::steps_that_may_run() const {
  std::map<std::string, std::vector<std::string>> out;
  if (action != plan_action::install && action != plan_action::update && action != plan_action::rollback) return out;
  std::set<std::string> moving;  // steps that will run, or may
  for (const auto& s : found.steps) {
    if (s.satisfied != true) {
      moving.insert(s.id);
      continue;
    }
    std::vector<std::string> because;
    for (const auto& d : s.depends_on) {
      if (moving.count(d) != 0) because.push_back(d);
    }
    if (because.empty()) continue;
    moving.insert(s.id);
    out[s.id] = std::move(because);
  }
  return out;
}

namespace {

std::map<std::string, std::string> state_options_of(const module_request& request) {
  std::map<std::string, std::string> out;
  for (const auto& o : request.spec().options) {
    if (!o.defines_state) continue;
    auto it = request.options.find(o.name);
    out[o.name] = it == request.options.end() ? o.default_value : it->second;
  }
  return out;
}

// "version 0.6.4 -> 0.6.5, index ... -> ...": the recorded values that differ from the request.
std::string changed_options(const std::map<std::string, std::string>& requested, const module_record* previous,
                            std::vector<std::string>& names) {
  std::string out;
  if (previous == nullptr) return out;
  for (const auto& [name, value] : requested) {
    auto it = previous->state_options.find(name);
    if (it == previous->state_options.end() || it->second == value) continue;
    names.push_back(name);
    out += (out.empty() ? "" : ", ") + name + " " + (it->second.empty() ? "\"\"" : it->second) + " -> " +
           (value.empty() ? "\"\"" : value);
  }
  return out;
}

// A step whose command or check uses a changed option runs whatever its check said: the check
// ran before this host's hardware choices were known (with the recorded value), and a check
// need not look at every option its command uses.
void run_steps_using(module_detection& found, const sdk::module_spec& spec, const std::vector<std::string>& names) {
  for (std::size_t i = 0; i < found.steps.size() && i < spec.install_steps.size(); ++i) {
    const auto& step = spec.install_steps[i];
    for (const auto& name : names) {
      const std::string placeholder = "{{" + name + "}}";
      if (step.command.find(placeholder) != std::string::npos || step.done_check.find(placeholder) != std::string::npos) {
        found.steps[i].satisfied = false;
      }
    }
  }
}

// Probes pass. For a module whose options define its state, that is not the whole answer: the
// requested values may differ from what was installed (the record says), or, with no record,
// the steps' checks (which then always run) say whether the installed state matches.
void plan_installed(module_plan& plan, module_detection& found, const module_record* previous, const sdk::module_spec& spec) {
  // The original's wording, so its clients keep matching it; the evidence follows.
  plan.action = plan_action::noop;
  plan.reason = "detected installed on remote host (" + found.detect.evidence + ")";
  if (plan.state_options.empty()) return;
  std::vector<std::string> names;
  if (const std::string changed = changed_options(plan.state_options, previous, names); !changed.empty()) {
    plan.action = plan_action::install;
    plan.reason = "options changed: " + changed + "; steps that use them, and steps whose checks fail, will run";
    run_steps_using(found, spec, names);
    return;
  }
  if (previous != nullptr && !previous->state_options.empty()) return;
  std::string failing;
  for (const auto& s : found.steps) {
    if (s.satisfied == false) failing += (failing.empty() ? "" : ", ") + s.id;
  }
  if (failing.empty()) return;
  plan.action = plan_action::install;
  plan.reason = "installed, but the checks of steps " + failing + " fail for the requested options";
}

}  // namespace

module_plan plan_module(const module_request& request, module_detection found, const module_record* previous) {
  const sdk::module_spec& spec = request.spec();
  module_plan plan;
  plan.id = spec.id;
  plan.name = spec.name;
  plan.notes = spec.notes;
  plan.tags = spec.tags;
  plan.options = request.options;
  plan.state_options = state_options_of(request);
  plan.recorded_state = previous != nullptr ? previous->state : std::string{};
  plan.installed_version = found.version;
  if (auto it = request.options.find(spec.version_option); !spec.version_option.empty() && it != request.options.end()) {
    plan.wanted_version = it->second;
  }
  const std::string& evidence = found.detect.evidence;

  switch (found.detect.state) {
    case sdk::detect_state::installed:
      plan_installed(plan, found, previous, spec);
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
