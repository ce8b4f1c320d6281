#pragma once
// Detect probes travel as ONE remote command: a generated script runs every probe and prints
// one machine-readable line per probe. The kernel batches several modules the same way.

#include <rio/sdk/error.hpp>
#include <rio/sdk/module_spec.hpp>
#include <rio/sdk/options.hpp>
#include <rio/sdk/reports.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace rio::sdk {

/** One probe, already rendered, tagged with the module it belongs to. */
struct rendered_probe {
  std::string module_id;
  std::string probe_id;
  std::string description;
  std::string command;
  std::chrono::seconds timeout{20};
};

/** Renders a module's detect_steps with its option values. */
result<std::vector<rendered_probe>> render_probes(const module_spec& spec, const option_values& values);

/**
 * The script that runs `probes` in order, each in a subshell with its output discarded, and
 * prints `rio-probe <index> <exit status>` per probe. Every probe runs (no short-circuit), so
 * the report shows all the evidence.
 */
std::string probe_script(const std::vector<rendered_probe>& probes);

/** The sum of the probes' timeouts: the deadline for the whole script. */
std::chrono::seconds probe_script_timeout(const std::vector<rendered_probe>& probes);

/**
 * Parses the script's stdout into exit statuses, one per probe in order.
 * Errors: errc::bad_probe_report when a line is malformed or a probe is missing.
 */
result<std::vector<int>> parse_probe_report(std::string_view stdout_text, std::size_t probe_count);

/** Folds one module's probe statuses into a detect_report (installed iff all passed). */
detect_report make_detect_report(const std::vector<rendered_probe>& probes, const std::vector<int>& statuses);

}  // namespace rio::sdk
