#pragma once
// Turning one host's detection into actions. The remote host is the truth in both directions:
// a detected installation is a noop even when the status file was lost, and a host that no
// longer has a module is planned for install even when the status file says installed (the
// original trusted its stale file and never reinstalled a wiped host).

#include <rio/kernel/engine/hardware_choice.hpp>
#include <rio/kernel/engine/host_detect.hpp>
#include <rio/kernel/engine/preflight.hpp>
#include <rio/kernel/engine/status_manifest.hpp>

#include <cstdint>
#include <optional>
#include <map>
#include <string>
#include <vector>

namespace rio::kernel::engine {

/**
 * install: steps will run (also a repair); noop: already installed (or nothing to do for the
 * verb); blocked: refused before anything runs (see `preflight` and `reason`); update, rollback,
 * uninstall: the module's lifecycle steps run first (`lifecycle_steps`), then the install steps
 * whose checks fail (update, rollback) or the removals (uninstall).
 */
enum class plan_action { install, noop, blocked, update, rollback, uninstall };

const char* to_string(plan_action a) noexcept;

/** One thing `rio uninstall` removes or keeps. */
struct removal_item {
  std::string path;  ///< as recorded (absolute or ~/...)
  std::string kind;  ///< owned, checkout, purge
  std::string step;  ///< the step that created it ("config-sync" for config copies, "rollback" for the rollback point)
  /** remove, remove-tracked (a checkout: its tracked files and .git), keep (purge-only without
      --purge), absent (already gone). */
  std::string action;
  /** A checkout's files that are not rio's (untracked: models, outputs, settings): kept, or
      with --purge removed. At most 20 named; `operator_file_count` counts them all. */
  std::vector<std::string> operator_files;
  std::size_t operator_file_count = 0;
};

struct module_plan {
  std::string id;
  std::string name;
  std::string notes;
  std::vector<std::string> tags;
  plan_action action = plan_action::install;
  std::string reason;         ///< one sentence: why this action
  module_detection found;     ///< detect report, per-step checks, config-sync destinations
  std::string recorded_state; ///< what the status file said before this run ("" when nothing)
  sdk::option_values options;
  std::vector<preflight_issue> preflight;  ///< why the install is refused (action blocked)
  std::optional<std::uint64_t> disk_free_mib;  ///< free space where the module installs, when measured
  std::uint64_t disk_need_mib = 0;             ///< what the disk check asked for (after overrides)
  /** The requested values of the options that define the module's state (recorded on install). */
  std::map<std::string, std::string> state_options;
  /** The version the module's version_probe reported (installed modules only), and the value of
      its version_option (the wanted version or ref); "" when unknown or none. */
  std::string installed_version, wanted_version;
  /** This host's hardware choices for the module (torch build, installer, GPU runtime), with why. */
  std::vector<hardware_note> hardware;
  /** update, rollback, uninstall: ids of the lifecycle steps that run first, in order. */
  std::vector<std::string> lifecycle_steps;
  /** The host's pin ("" none), and why the installed version strays from it ("" no drift). */
  std::string pin, drift;
  /** uninstall: what is removed or kept, newest first; with --purge, `purge_list` names what the
      module's purge steps remove (its upstream's documented uninstall). */
  std::vector<removal_item> removals;
  std::vector<std::string> purge_list;
  /** Steps that would run (not satisfied, or no check); the rest are already done. */
  std::vector<std::string> steps_to_run() const;
  /**
   * Steps whose check passes now but that depend (step_spec::depends_on) on a step that will or
   * may run: step id -> those steps. Their checks decide again after those steps ran.
   */
  std::map<std::string, std::vector<std::string>> steps_that_may_run() const;
};

/** Decides one module. `previous` is the module's status-file entry, or null. */
module_plan plan_module(const module_request& request, module_detection found, const module_record* previous);

/**
 * Turns a planned install into `blocked` when the preflight found reasons; a noop stays a noop,
 * and so do the lifecycle verbs (update, rollback, uninstall), whose needs install steps do not say.
 */
void block_on_preflight(module_plan& plan, std::vector<preflight_issue> issues);

}  // namespace rio::kernel::engine
