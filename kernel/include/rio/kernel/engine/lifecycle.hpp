#pragma once
// The verbs after install: what a run does to each module once it is planned. install and repair
// run the install steps (repair also where the probes say installed, when a step's check fails);
// update, rollback and uninstall run the module's lifecycle steps (sdk::lifecycle_spec) first.
// docs/lifecycle.md describes them for operators.

#include <optional>
#include <string>
#include <string_view>

namespace rio::kernel::engine {

enum class run_verb { install, repair, update, rollback, uninstall };

/** "install", "repair", "update", "rollback", "uninstall". */
const char* to_string(run_verb v) noexcept;

/** The verb named `name`, or nullopt. */
std::optional<run_verb> parse_run_verb(std::string_view name) noexcept;

/** What a run does, and the verb's own switches. */
struct verb_options {
  run_verb verb = run_verb::install;
  /** update: the ref or version to move to; "" moves to the host's pin, else to the option's value. */
  std::string to;
  /** update and rollback: go ahead over local changes in a checkout (they are stashed first). */
  bool force = false;
  /** update: a failed update is not rolled back. */
  bool no_rollback = false;
  /** update: forget the host's pin (then the option's value, or --to, applies). */
  bool unpin = false;
  /** uninstall: also remove what is not rio's alone (operator files in a checkout, system-wide
      files, models), each listed in the plan. */
  bool purge = false;
};

}  // namespace rio::kernel::engine
