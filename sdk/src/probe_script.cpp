#include <rio/sdk/probe_script.hpp>

#include <rio/sdk/shell.hpp>

#include <charconv>

namespace rio::sdk {

result<std::vector<rendered_probe>> render_probes(const module_spec& spec, const option_values& values) {
  std::vector<rendered_probe> out;
  out.reserve(spec.detect_steps.size());
  for (const auto& probe : spec.detect_steps) {
    auto command = render_command(probe.command, spec, values);
    if (!command) return command.error();
    out.push_back({spec.id, probe.id, probe.description, std::move(*command), probe.timeout});
  }
  return out;
}

std::string probe_script(const std::vector<rendered_probe>& probes) {
  std::string script{shell_prelude()};
  for (std::size_t i = 0; i < probes.size(); ++i) {
    // A subshell per probe: a probe that exits or changes directory cannot affect the next.
    script += "( " + probes[i].command + "\n) </dev/null >/dev/null 2>&1; echo \"rio-probe " + std::to_string(i) +
              " $?\"\n";
  }
  return script;
}

std::chrono::seconds probe_script_timeout(const std::vector<rendered_probe>& probes) {
  std::chrono::seconds total{0};
  for (const auto& p : probes) total += p.timeout;
  return total;
}

result<std::vector<int>> parse_probe_report(std::string_view text, std::size_t probe_count) {
  std::vector<int> statuses(probe_count, -1);
  // Whether each probe has reported, kept apart from its status: a report line may itself say
  // -1, and counting by `statuses[i] == -1` then counted a repeated probe twice, refusing a
  // complete report or accepting one with a probe missing (found by tests/fuzz).
  std::vector<bool> reported(probe_count, false);
  std::size_t seen = 0;
  while (!text.empty()) {
    auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    // Other output (a noisy login profile, say) is ignored; only our own lines count.
    if (!line.starts_with("rio-probe ")) continue;
    line.remove_prefix(10);
    std::size_t index = 0;
    int status = -1;
    auto [p1, e1] = std::from_chars(line.data(), line.data() + line.size(), index);
    if (e1 != std::errc{} || p1 == line.data() + line.size() || *p1 != ' ') {
      return fail(errc::bad_probe_report, "detect report line is malformed: 'rio-probe " + std::string{line} + "'");
    }
    auto [p2, e2] = std::from_chars(p1 + 1, line.data() + line.size(), status);
    if (e2 != std::errc{} || p2 != line.data() + line.size() || index >= probe_count) {
      return fail(errc::bad_probe_report, "detect report line is malformed: 'rio-probe " + std::string{line} + "'");
    }
    if (!reported[index]) {
      reported[index] = true;
      ++seen;
    }
    statuses[index] = status;
  }
  if (seen != probe_count) {
    return fail(errc::bad_probe_report, "detect report has " + std::to_string(seen) + " of " +
                                            std::to_string(probe_count) + " probe results");
  }
  return statuses;
}

detect_report make_detect_report(const std::vector<rendered_probe>& probes, const std::vector<int>& statuses) {
  detect_report report;
  report.state = detect_state::installed;
  for (std::size_t i = 0; i < probes.size() && i < statuses.size(); ++i) {
    bool passed = statuses[i] == 0;
    report.probes.push_back({probes[i].probe_id, probes[i].description, passed, statuses[i]});
    if (!passed && report.state == detect_state::installed) {
      report.state = detect_state::absent;
      report.evidence = "probe '" + probes[i].probe_id + "' failed (exit " + std::to_string(statuses[i]) +
                        "): " + probes[i].description;
    }
  }
  if (report.state == detect_state::installed) {
    report.evidence = "all " + std::to_string(probes.size()) + " probes passed";
  }
  return report;
}

}  // namespace rio::sdk
