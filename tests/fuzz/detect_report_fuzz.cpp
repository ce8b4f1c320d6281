// The remote detect report: what a host printed in answer to the one detection script
// (`rio-probe <index> <status>` lines among whatever a login profile adds). The input is the
// command's stdout; it goes to sdk::parse_probe_report for several probe counts, checked against
// a plain re-reading of the documented format, and to kernel::engine::read_detect_report with a
// fixed two-module batch, whose per-module results are checked against the statuses.

#include "fuzz_support.hpp"

#include <rio/kernel/engine/hardware_choice.hpp>
#include <rio/kernel/engine/host_detect.hpp>
#include <rio/kernel/engine/lifecycle_scripts.hpp>
#include <rio/kernel/engine/preflight.hpp>
#include <rio/sdk/probe_script.hpp>

#include <charconv>

namespace {

namespace sdk = rio::sdk;
namespace engine = rio::kernel::engine;
using rio::fuzz::require;

// The format as probe_script.hpp documents it: every index below `count` reported on a line
// `rio-probe <index> <status>` (the last report wins); other lines are noise; a malformed
// `rio-probe ` line, or an index out of range, is an error.
std::optional<std::vector<int>> reference(std::string_view text, std::size_t count) {
  std::vector<int> statuses(count, -1);
  std::vector<bool> reported(count, false);
  while (!text.empty()) {
    const auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    if (!line.starts_with("rio-probe ")) continue;
    line.remove_prefix(10);
    const char* end = line.data() + line.size();
    std::size_t index = 0;
    int status = 0;
    auto [p1, e1] = std::from_chars(line.data(), end, index);
    if (e1 != std::errc{} || p1 == end || *p1 != ' ') return std::nullopt;
    auto [p2, e2] = std::from_chars(p1 + 1, end, status);
    if (e2 != std::errc{} || p2 != end || index >= count) return std::nullopt;
    statuses[index] = status;
    reported[index] = true;
  }
  for (bool r : reported) {
    if (!r) return std::nullopt;
  }
  return statuses;
}

sdk::rendered_probe check(const char* module, const char* id) { return {module, id, std::string{id} + " check", "true"}; }

// Two modules as build_detect_batch lays them out: probes, then done_checks, then sync tests.
const engine::detect_batch& batch() {
  static const engine::detect_batch b = [] {
    engine::detect_batch out;
    out.checks = {check("alpha", "probe:sentinel"), check("alpha", "probe:binary"), check("alpha", "step:clone"),
                  check("alpha", "sync:0"),         check("beta", "probe:sentinel"), check("beta", "step:venv"),
                  check("beta", "step:deps"),       check("beta", "sync:0"),         check("beta", "sync:1")};
    engine::module_detection alpha;
    alpha.steps = {{"clone", "Clone", false, std::nullopt, {}, {}, {}}, {"sentinel", "Mark", true, std::nullopt, {}, {}, {}}};
    alpha.sync.resize(1);
    engine::module_detection beta;
    beta.steps = {{"venv", "Venv", false, std::nullopt, {}, {}, {}}, {"deps", "Deps", false, std::nullopt, {}, {}, {}}};
    beta.sync.resize(2);
    // alpha reports a version (read only when its probes pass); beta has no version probe.
    out.modules = {{"alpha", alpha, false, 0, "git describe"}, {"beta", beta, false, 0, ""}};
    return out;
  }();
  return b;
}

void check_detection(const std::vector<engine::module_detection>& found, const std::optional<std::vector<int>>& statuses,
                     std::string_view text) {
  const auto& b = batch();
  require(found.size() == b.modules.size(), "one result per module", text);
  for (std::size_t m = 0; m < found.size(); ++m) {
    const auto& d = found[m];
    // A version is whatever the host printed after `rio-version ID `: bounded and printable.
    require(d.version.size() <= 80, "a version is at most 80 bytes", text);
    require(d.version.empty() || (m == 0 && d.detect.state == sdk::detect_state::installed),
            "only an installed module with a version probe has a version", text);
    for (char c : d.version) require(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f, "no control characters in a version", text);
    if (!statuses) {
      require(d.detect.state == sdk::detect_state::unknown && !d.detect.evidence.empty(),
              "an unreadable report makes every module unknown, with the reason", text);
      continue;
    }
    bool all_passed = true;
    std::size_t probes = 0;
    for (std::size_t i = 0; i < b.checks.size(); ++i) {
      if (b.checks[i].module_id != b.modules[m].id || !b.checks[i].probe_id.starts_with("probe:")) continue;
      ++probes;
      all_passed = all_passed && (*statuses)[i] == 0;
    }
    require(d.detect.probes.size() == probes, "every probe of the module is in its report", text);
    require((d.detect.state == sdk::detect_state::installed) == all_passed, "installed exactly when every probe passed",
            text);
    require(d.detect.state != sdk::detect_state::unknown, "a complete report decides installed or absent", text);
    // A step check reported -1 was not run (its module's probes all passed): satisfied stays unknown.
    const std::size_t first_step = m == 0 ? 2 : 5;
    require(d.steps[0].satisfied.has_value() == ((*statuses)[first_step] != -1) && d.sync.back().remote_exists.has_value(),
            "done_checks and sync tests take their statuses", text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = rio::fuzz::text_of(data, size);
  for (std::size_t count : {std::size_t{0}, std::size_t{1}, std::size_t{3}, batch().checks.size()}) {
    auto parsed = sdk::parse_probe_report(text, count);
    auto expected = reference(text, count);
    require(parsed.has_value() == expected.has_value(), "a report parses exactly when every probe answered once or more",
            text);
    if (parsed) require(*parsed == *expected, "each probe gets its last reported status", text);
    if (!parsed) {
      require(parsed.error().code == sdk::make_error_code(sdk::errc::bad_probe_report), "errors are bad_probe_report");
    }
  }

  sdk::exec_result ran;
  ran.exit_code = 0;
  ran.stdout_tail = std::string{text};
  ran.stderr_tail = "bash: warning: setlocale: LC_ALL: cannot change locale";
  check_detection(engine::read_detect_report(batch(), ran), reference(text, batch().checks.size()), text);

  // The preflight's `rio-fact` lines in the same output (preflight.hpp): bounded, filtered values.
  static const std::vector<std::string> tools{"git", "curl"};
  const auto facts = engine::parse_host_facts(text, tools, 3);
  require(facts.disk.size() == 3, "one disk slot per install location", text);
  for (const auto* v : {&facts.system, &facts.os_id, &facts.os_like, &facts.os_version, &facts.os_name, &facts.arch, &facts.sudo}) {
    require(v->size() <= 200, "fact values are bounded", text);
    for (char c : *v) require(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f, "no control characters in facts", text);
  }
  require(facts.pkg_manager.empty() || facts.pkg_manager == "apt-get" || facts.pkg_manager == "dnf" || facts.pkg_manager == "none",
          "the package manager is one rio knows", text);
  for (const auto& [name, present] : facts.tools) require(name == "git" || name == "curl", "only the tools asked about", text);
  require(facts.gpus.size() <= 9, "GPU entries are bounded", text);
  for (const auto& g : facts.gpus) {
    require(g.devices.size() <= 16, "GPU devices are bounded", text);
    require(g.driver.size() <= 200 && g.tool_error.size() <= 200, "GPU values are bounded", text);
    // nvidia-smi's and rocm-smi's driver is a parsed version: digits and dots (amd_kernel_driver may say "amdgpu (in-kernel)").
    if (g.vendor == "nvidia") {
      require(g.driver.find_first_not_of("0123456789.") == std::string::npos, "an NVIDIA driver is a version", text);
    }
  }
  // The decision table takes any facts: a line, or a reason why none fits.
  const auto choice = engine::choose_torch(facts, false);
  require(choice.build.empty() != choice.refused.empty(), "a torch decision is a line or a refusal", text);
  // An uninstall survey's `rio-rm`, `rio-ops`, `rio-op` and `rio-purge` lines (lifecycle_scripts.hpp).
  std::vector<engine::removal_item> removals{{"~/A", "checkout", "clone", "remove-tracked", {}, 0},
                                             {"~/A/venv", "owned", "venv", "remove", {}, 0}};
  std::vector<std::string> purge;
  engine::read_survey(text, {1, &removals, ""}, purge);
  require(purge.size() <= 50, "purge lists are bounded", text);
  for (const auto& r : removals) {
    require(r.operator_files.size() <= 20, "operator files named are bounded", text);
    require(r.action == "remove-tracked" || r.action == "remove" || r.action == "absent", "actions are rio's own", text);
    for (const auto& f : r.operator_files) {
      require(f.size() <= 200, "operator file names are bounded", text);
      for (char c : f) require(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f, "no control characters in file names", text);
    }
  }
  return 0;
}
