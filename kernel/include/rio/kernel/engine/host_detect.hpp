#pragma once
// Detection for one host in ONE remote command: every requested module's detect probes, every
// install step's done_check and every config-sync destination test run in one generated POSIX sh
// script, which prints one `rio-probe <index> <status>` line per check. A module whose probes all
// pass is installed and planned as a noop, so its step checks are not run (status -1, satisfied
// unknown): they could not change the plan, and they are the costly part of detection. The
// plan therefore shows, from a single round trip, which modules are installed, which steps are
// already satisfied and which config files already exist on the host. The same command carries
// the preflight (preflight.hpp): platform, sudo, tools, free disk and GPU facts.

#include <rio/kernel/error.hpp>
#include <rio/sdk/installer.hpp>
#include <rio/sdk/probe_script.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace rio::kernel::engine {

/** One module of a request with its resolved options. */
struct module_request {
  const sdk::installer* installer = nullptr;  ///< from the registry; outlives the run
  sdk::option_values options;                 ///< resolved against the module's schema
  /** The request named the module's version option itself (--set, the inventory, the API): a pin. */
  bool version_given = false;
  const sdk::module_spec& spec() const { return installer->spec(); }
};

struct step_check {
  std::string id;
  std::string description;
  bool sentinel = false;
  std::optional<bool> satisfied;  ///< done_check result; nullopt: no check, or it could not run
  /** The step's command with its options filled in, as the module runs it (after rio's prelude,
      which defines rio_sudo and rio_pkg_install). Shown in plans so a person can approve it. */
  std::string command;
  std::chrono::seconds timeout{0};
  std::vector<std::string> depends_on;  ///< the step's declared depends_on (earlier step ids)
};

struct sync_check {
  std::string source;       ///< relative to rio's root
  std::string destination;  ///< remote path as rendered (may start with ~/)
  std::string description;
  bool optional = false;
  bool local_exists = false;
  std::optional<bool> remote_exists;  ///< nullopt when the test could not run
};

struct module_detection {
  sdk::detect_report detect;
  std::vector<step_check> steps;
  std::vector<sync_check> sync;
  /** The module's version_probe answer (first line, printable, at most 80 bytes); "" when it
      has none, did not run (the module is not installed) or printed nothing. */
  std::string version;
};

/** The generated command and how to read its report. */
struct detect_batch {
  std::vector<sdk::rendered_probe> checks;  ///< module_id set; probe_id "probe:<id>", "step:<id>" or "sync:<n>"
  std::string script;
  std::chrono::milliseconds timeout{};
  /** One module of the batch, in request order. */
  struct module {
    std::string id;
    /** The skeleton of the module's result (descriptions, local source existence). */
    module_detection skeleton;
    /** The module has options that define its state, so its step checks run even when its probes
        pass (an installed module may still need a step for new options). */
    bool checks_steps_always = false;
    std::size_t disk = 0;  ///< index into disk_paths: where the module installs
    std::string version_probe;  ///< rendered; "" when the module has none
  };
  std::vector<module> modules;
  // The preflight (preflight.hpp) runs in the same command, before the checks.
  std::vector<std::string> tools;       ///< tools whose presence the preflight reports
  std::vector<std::string> disk_paths;  ///< rendered install locations, each once
};

/**
 * Builds the batch. `check_all_steps` (rio repair) runs every module's step checks even where its
 * probes pass. Errors: sdk::errc::template_error naming the module and the step or probe.
 */
result<detect_batch> build_detect_batch(const std::vector<module_request>& modules,
                                        const std::filesystem::path& asset_root, bool check_all_steps = false);

/** What one run of the detection script told: each module's detection, and why it told nothing. */
struct detect_reading {
  std::vector<module_detection> modules;  ///< in request order
  /** Empty when the report was read; else why not (could not run, timed out, incomplete report). */
  std::string failure;
};

/**
 * Reads the script's outcome. When the command could not run, timed out or printed an
 * incomplete report, every module is `unknown` with that reason as evidence, and `failure` says it.
 */
detect_reading read_detection(const detect_batch& batch, const result<sdk::exec_result>& ran);

/** read_detection's modules alone. */
std::vector<module_detection> read_detect_report(const detect_batch& batch, const result<sdk::exec_result>& ran);

}  // namespace rio::kernel::engine
