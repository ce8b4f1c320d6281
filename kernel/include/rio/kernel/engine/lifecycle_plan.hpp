#pragma once
// A module's plan for the verb of the run (lifecycle.hpp), and drift from the host's pin.

#include <rio/kernel/engine/lifecycle.hpp>
#include <rio/kernel/engine/plan.hpp>
#include <rio/kernel/engine/status_manifest.hpp>

#include <string>
#include <string_view>

namespace rio::kernel::engine {

/**
 * Turns the install plan of one module into the verb's: repair runs the steps whose checks fail
 * even where the probes say installed; update and rollback need an installed module (and
 * rollback a recorded rollback point); uninstall lists the recorded paths to remove (newest
 * first). Also sets the pin and drift for every verb. `previous` may be null.
 */
void plan_verb(module_plan& plan, const verb_options& verb, const module_record* previous, const sdk::module_spec& spec);

/** Why `to` cannot be the target of `rio update` for this module ("" when it can): it has no
    version option, or the value is not valid for it. The message names the module. */
std::string target_problem(const sdk::module_spec& spec, const std::string& to);

/** The installed version is the pin, or in the pin's line (pin 0.3: 0.3.12, v0.3.12); a leading v is ignored. */
bool version_matches_pin(std::string_view installed, std::string_view pin);

/** "" when the installed version agrees with the pin (or there is none), else what differs. */
std::string drift_of(const module_record* previous, const std::string& installed);

}  // namespace rio::kernel::engine
