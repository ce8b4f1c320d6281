// What each lifecycle verb plans for one module, on top of the install plan (plan.cpp): repair
// runs the steps whose checks fail, update and rollback run the module's lifecycle steps first,
// uninstall removes what rio recorded as created. Also: whether the installed version strays
// from the host's pin (drift), for every verb.
#include <rio/kernel/engine/lifecycle_plan.hpp>

#include <rio/sdk/options.hpp>

#include <algorithm>

namespace rio::kernel::engine {

const char* to_string(run_verb v) noexcept {
  switch (v) {
    case run_verb::repair: return "repair";
    case run_verb::update: return "update";
    case run_verb::rollback: return "rollback";
    case run_verb::uninstall: return "uninstall";
    case run_verb::install: break;
  }
  return "install";
}

std::optional<run_verb> parse_run_verb(std::string_view name) noexcept {
  for (run_verb v : {run_verb::install, run_verb::repair, run_verb::update, run_verb::rollback, run_verb::uninstall}) {
    if (name == to_string(v)) return v;
  }
  return std::nullopt;
}

namespace {

std::string_view without_v(std::string_view v) {
  return v.size() > 1 && (v[0] == 'v' || v[0] == 'V') && v[1] >= '0' && v[1] <= '9' ? v.substr(1) : v;
}

std::vector<std::string> ids_of(const std::vector<sdk::step_spec>& steps) {
  std::vector<std::string> out;
  for (const auto& s : steps) out.push_back(s.id);
  return out;
}

std::string or_unknown(const std::string& v) { return v.empty() ? "an unknown version" : v; }

void plan_repair(module_plan& p) {
  if (p.found.detect.state != sdk::detect_state::installed) return;  // an install resumes as always
  std::string failing;
  for (const auto& s : p.found.steps) {
    if (s.satisfied == false) failing += (failing.empty() ? "" : ", ") + s.id;
  }
  if (failing.empty()) {
    p.action = plan_action::noop;
    p.reason = "nothing to repair: every step's check passes (" + p.found.detect.evidence + ")";
    return;
  }
  p.action = plan_action::install;
  p.reason = "repair: the checks of steps " + failing + " fail although the probes say installed; only those run";
}

bool offers(const sdk::module_spec& spec, const std::vector<sdk::step_spec>& steps, module_plan& p, const char* verb) {
  if (!steps.empty()) return true;
  p.action = plan_action::noop;
  p.reason = spec.name + " declares no " + verb + " steps; nothing to do";
  return false;
}

// Update and rollback work on an installed module; anything else is said, not guessed.
bool installed_for(module_plan& p, const char* verb) {
  switch (p.found.detect.state) {
    case sdk::detect_state::installed: return true;
    case sdk::detect_state::absent:
      p.action = plan_action::noop;
      p.reason = std::string{"not installed, nothing to "} + verb + " (rio install installs it): " + p.found.detect.evidence;
      return false;
    case sdk::detect_state::unknown: break;
  }
  p.action = plan_action::blocked;
  p.reason = std::string{"cannot "} + verb + ": detection told nothing (" + p.found.detect.evidence + ")";
  return false;
}

void plan_update(module_plan& p, const sdk::module_spec& spec) {
  if (!offers(spec, spec.lifecycle.update, p, "update") || !installed_for(p, "update")) return;
  p.action = plan_action::update;
  p.lifecycle_steps = ids_of(spec.lifecycle.update);
  const std::string to = p.wanted_version.empty() ? std::string{"the latest"} : p.wanted_version;
  p.reason = "update from " + or_unknown(p.installed_version) + " to " + to + "; then the install steps whose checks fail";
  if (spec.lifecycle.save_rollback.empty()) {
    p.reason += "; " + spec.name + " saves no rollback point, so a failed update stays failed";
  }
}

void plan_rollback(module_plan& p, const module_record* previous, const sdk::module_spec& spec) {
  if (!offers(spec, spec.lifecycle.rollback, p, "rollback") || !installed_for(p, "roll back")) return;
  if (previous == nullptr || !previous->rollback) {
    p.action = plan_action::blocked;
    p.reason = "no rollback point recorded for this host (rio update saves one before it changes anything)";
    return;
  }
  p.action = plan_action::rollback;
  p.lifecycle_steps = ids_of(spec.lifecycle.rollback);
  p.wanted_version = previous->rollback->version;
  p.reason = "roll back from " + or_unknown(p.installed_version) + " to " + or_unknown(previous->rollback->version) +
             " (saved by run " + previous->rollback->run_id + " at " + previous->rollback->saved_at + ")";
}

void plan_uninstall(module_plan& p, const module_record* previous, const sdk::module_spec& spec, bool purge) {
  const bool recorded = previous != nullptr && !previous->created.empty();
  // After an uninstall only purge-only leftovers are recorded (operator files in rio's checkout).
  const bool leftovers = recorded && std::all_of(previous->created.begin(), previous->created.end(),
                                                 [](const created_record& c) { return c.kind == "purge"; });
  // --purge still has work where rio removed its own part already (Ollama's binary stays then).
  const bool purges = purge && (!spec.lifecycle.purge.empty() || leftovers);
  if ((!recorded || leftovers) && !purges && p.found.detect.state == sdk::detect_state::absent) {
    p.action = plan_action::noop;
    p.reason = leftovers ? "nothing of rio's is left here; --purge removes what stays:" : "not installed, and rio recorded "
                                                                                         "nothing it created here: nothing to uninstall";
    if (leftovers) {
      for (const auto& c : previous->created) p.reason += " " + c.path;
    }
    return;
  }
  p.action = plan_action::uninstall;
  p.lifecycle_steps = ids_of(spec.lifecycle.stop);
  if (purge) {
    for (auto& id : ids_of(spec.lifecycle.purge)) p.lifecycle_steps.push_back(std::move(id));
  }
  if (previous != nullptr) {
    for (auto it = previous->created.rbegin(); it != previous->created.rend(); ++it) {
      const bool kept = it->kind == "purge" && !purge;
      p.removals.push_back({it->path, it->kind, it->step, kept ? "keep" : it->kind == "checkout" && !purge ? "remove-tracked" : "remove", {}, 0});
    }
  }
  // rio's own marks, also where an older rio recorded nothing: the sentinel and the rollback point.
  auto listed = [&p](const std::string& path) {
    return std::any_of(p.removals.begin(), p.removals.end(), [&](const removal_item& r) { return r.path == path; });
  };
  if (!listed(sdk::sentinel_path(spec.id))) p.removals.push_back({sdk::sentinel_path(spec.id), "owned", "sentinel", "remove", {}, 0});
  p.removals.push_back({sdk::rollback_dir(spec.id), "owned", "rollback", "remove", {}, 0});
  p.reason = recorded ? "remove what rio created" + std::string{purge ? ", and (--purge) what is not rio's alone" : ""}
                      : "installed, but rio recorded nothing it created here (an older rio or a manual install): only "
                        "its sentinel and rollback point are removed";
}

}  // namespace

std::string target_problem(const sdk::module_spec& spec, const std::string& to) {
  auto option = std::find_if(spec.options.begin(), spec.options.end(),
                             [&](const sdk::option_spec& o) { return o.name == spec.version_option; });
  if (spec.version_option.empty() || option == spec.options.end()) {
    return "module " + spec.id + " has no version to choose (it updates to its upstream's latest)";
  }
  if (auto ok = sdk::validate_option(*option, to); !ok) return "module " + spec.id + ": " + ok.error().message;
  return {};
}

bool version_matches_pin(std::string_view installed, std::string_view pin) {
  installed = without_v(installed);
  pin = without_v(pin);
  if (installed.empty() || pin.empty()) return false;
  if (installed == pin) return true;
  // A line: pin 0.3 takes 0.3.12 (not 0.3.1-4-gabc, a commit past a tag, nor 0.30).
  return installed.size() > pin.size() && installed.starts_with(pin) && installed[pin.size()] == '.' &&
         installed.find('-') == std::string_view::npos;
}

std::string drift_of(const module_record* previous, const std::string& installed) {
  if (previous == nullptr || previous->pin.empty() || installed.empty()) return {};
  const bool dirty = installed.ends_with("-dirty");
  if (!dirty && version_matches_pin(installed, previous->pin)) return {};
  // A branch pin (release) never equals a version: what rio installed under it is the measure.
  if (!dirty && !previous->pin_version.empty() && installed == previous->pin_version) return {};
  return "installed " + installed + (dirty ? " (local changes)" : "") + ", pinned " + previous->pin +
         (previous->pin_version.empty() || previous->pin_version == installed ? "" : " (rio installed " + previous->pin_version + ")");
}

void plan_verb(module_plan& p, const verb_options& v, const module_record* previous, const sdk::module_spec& spec) {
  if (previous != nullptr) p.pin = previous->pin;
  p.drift = drift_of(previous, p.installed_version);
  switch (v.verb) {
    case run_verb::install: return;
    case run_verb::repair: return plan_repair(p);
    case run_verb::update: return plan_update(p, spec);
    case run_verb::rollback: return plan_rollback(p, previous, spec);
    case run_verb::uninstall: return plan_uninstall(p, previous, spec, v.purge);
  }
}

}  // namespace rio::kernel::engine
