#include <rio/kernel/engine/host_detect.hpp>

#include <rio/kernel/engine/preflight.hpp>
#include <rio/kernel/engine/remote_text.hpp>
#include <rio/sdk/shell.hpp>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>

namespace rio::kernel::engine {
namespace {

// A done_check or an existence test only looks; it never needs a step's full budget.
constexpr std::chrono::seconds max_check_timeout{30};
// The preflight forks a few short programs; sudo -n can be slow when the host's name does not resolve.
constexpr std::chrono::seconds preflight_timeout{30};

void add_unique(std::vector<std::string>& list, const std::string& item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

result<void> add_preflight(const module_request& m, detect_batch& batch) {
  const sdk::module_spec& spec = m.spec();
  for (const auto& step : spec.install_steps) {
    for (const auto& t : step.needs_tools) add_unique(batch.tools, t);
  }
  std::string where = "\"$HOME\"";
  if (!spec.requirements.install_path.empty()) {
    auto path = sdk::render_path(spec.requirements.install_path, spec, m.options);
    if (!path) return sdk::error{path.error().code, "module '" + spec.id + "' install path: " + path.error().message};
    auto quoted = sdk::shell_quote_path(*path);
    if (!quoted) return sdk::error{quoted.error().code, "module '" + spec.id + "' install path: " + quoted.error().message};
    where = *quoted;
  }
  add_unique(batch.disk_paths, where);
  batch.modules.back().disk =
      static_cast<std::size_t>(std::find(batch.disk_paths.begin(), batch.disk_paths.end(), where) - batch.disk_paths.begin());
  return {};
}

result<void> add_module(const module_request& m, const std::filesystem::path& asset_root, detect_batch& batch) {
  const sdk::module_spec& spec = m.spec();
  module_detection skeleton;
  auto probes = sdk::render_probes(spec, m.options);
  if (!probes) return sdk::error{probes.error().code, "module '" + spec.id + "': " + probes.error().message};
  for (auto& p : *probes) {
    p.probe_id = "probe:" + p.probe_id;
    batch.checks.push_back(std::move(p));
  }
  for (const auto& step : spec.install_steps) {
    step_check check{step.id, step.description, step.kind == sdk::step_kind::sentinel, std::nullopt, {}, {},
                     step.depends_on};
    auto shown = sdk::render_command(step.command, spec, m.options);
    if (!shown) return sdk::error{shown.error().code, "module '" + spec.id + "' step '" + step.id + "': " + shown.error().message};
    check.command = std::move(*shown);
    check.timeout = std::chrono::duration_cast<std::chrono::seconds>(step.timeout);
    if (!step.done_check.empty()) {
      auto command = sdk::render_command(step.done_check, spec, m.options);
      if (!command) {
        return sdk::error{command.error().code, "module '" + spec.id + "' step '" + step.id + "': " + command.error().message};
      }
      // The prelude is in the script once; checks may use rio_sudo and friends like the steps.
      batch.checks.push_back({spec.id, "step:" + step.id, step.description, std::move(*command),
                              std::min<std::chrono::seconds>(std::chrono::duration_cast<std::chrono::seconds>(step.timeout),
                                                             max_check_timeout)});
    }
    skeleton.steps.push_back(std::move(check));
  }
  for (std::size_t i = 0; i < spec.config_sync.size(); ++i) {
    const auto& entry = spec.config_sync[i];
    sync_check check;
    check.source = entry.source;
    check.description = entry.description;
    check.optional = entry.optional;
    std::error_code ec;
    check.local_exists = std::filesystem::exists(asset_root / entry.source, ec);
    auto destination = sdk::render_path(entry.destination, spec, m.options);
    if (!destination) {
      return sdk::error{destination.error().code, "module '" + spec.id + "' config sync: " + destination.error().message};
    }
    check.destination = *destination;
    auto quoted = sdk::shell_quote_path(*destination);
    if (!quoted) return sdk::error{quoted.error().code, "module '" + spec.id + "' config sync: " + quoted.error().message};
    batch.checks.push_back({spec.id, "sync:" + std::to_string(i), entry.description, "test -e " + *quoted,
                            std::chrono::seconds{10}});
    skeleton.sync.push_back(std::move(check));
  }
  std::string version_probe;
  if (!spec.version_probe.empty()) {
    auto rendered = sdk::render_command(spec.version_probe, spec, m.options);
    if (!rendered) return sdk::error{rendered.error().code, "module '" + spec.id + "' version_probe: " + rendered.error().message};
    version_probe = std::move(*rendered);
  }
  batch.modules.push_back({spec.id, std::move(skeleton),
                           std::any_of(spec.options.begin(), spec.options.end(),
                                       [](const sdk::option_spec& o) { return o.defines_state; }),
                           0, std::move(version_probe)});
  return {};
}

// Status reported for a step check that did not run because its module is installed: the plan
// is a noop whatever the check says, and the checks are often the costly part (a python or an lms
// start). Exit statuses are 0-255, so -1 cannot be mistaken for one.
constexpr int not_checked = -1;

// One word of a check as render_command produces it: "$HOME", a single-quoted string, or plain
// path characters; several may be joined ("$HOME"/'ComfyUI'/.git).
bool plain_word(std::string_view w) {
  if (w.empty()) return false;
  while (!w.empty()) {
    if (w.starts_with("\"$HOME\"")) {
      w.remove_prefix(7);
    } else if (w.front() == '\'') {
      const auto end = w.find('\'', 1);
      if (end == std::string_view::npos) return false;
      w.remove_prefix(end + 1);
    } else if (std::isalnum(static_cast<unsigned char>(w.front())) != 0 ||
               std::string_view{"_./@%+,:=-"}.find(w.front()) != std::string_view::npos) {
      w.remove_prefix(1);
    } else {
      return false;
    }
  }
  return true;
}

// `test -d WORD` or `command -v WORD`, optionally with its own output already sent to
// /dev/null: a builtin that only looks, so it cannot exit the script or change its directory, and
// it needs no subshell. A fork costs about 0.2 ms of the host's CPU, and most checks are of this
// kind (about a fifth of the whole detect command before this). Returns the command without its
// own redirection, or nothing when the command needs a subshell.
std::optional<std::string_view> look_only(std::string_view command) {
  if (command.ends_with(" >/dev/null 2>&1")) command.remove_suffix(16);
  if (command.starts_with("command -v ") && plain_word(command.substr(11))) return command;
  if (command.size() > 8 && command.starts_with("test -") && command[7] == ' ' &&
      std::string_view{"bcdefghLprsSuwx"}.find(command[6]) != std::string_view::npos && plain_word(command.substr(8))) {
    return command;
  }
  return std::nullopt;
}

// The check's command, run so that it reads nothing and prints nothing; a subshell for any other
// than a look-only builtin, so one that exits or changes directory cannot affect the next.
std::string isolated(const std::string& command) {
  if (auto bare = look_only(command)) return std::string{*bare} + " </dev/null >/dev/null 2>&1";
  return "( " + command + "\n) </dev/null >/dev/null 2>&1";
}

std::string check_line(const sdk::rendered_probe& c, std::size_t index) {
  return isolated(c.command) + "; echo \"rio-probe " + std::to_string(index) + " $?\"\n";
}

// An installed module's version: the first line its version_probe prints, as `rio-version ID TEXT`.
std::string version_line(const detect_batch::module& m) {
  if (m.version_probe.empty()) return {};
  return "if [ \"$rio_ok\" = 1 ]; then\n  rio_v=$( ( " + m.version_probe + "\n) </dev/null 2>/dev/null )\n"
         "  printf 'rio-version %s %s\\n' " + m.id + " \"${rio_v%%\"\n\"*}\"\nfi\n";
}

// The prelude, then per module: its probes (noting whether all passed), its step checks only when
// a probe failed (always, for a module with options that define its state), and its config-sync
// tests. One `rio-probe <index> <status>` line per check.
std::string detect_script(const detect_batch& batch) {
  std::string script{sdk::shell_prelude()};
  for (const auto& m : batch.modules) {
    const std::string& module = m.id;
    std::string steps, skipped;
    script += "rio_ok=1\n";
    for (std::size_t i = 0; i < batch.checks.size(); ++i) {
      const auto& c = batch.checks[i];
      if (c.module_id != module) continue;
      const std::string_view kind{c.probe_id};
      if (kind.starts_with("probe:")) {
        script += isolated(c.command) + "; rio_s=$?; echo \"rio-probe " + std::to_string(i) + " $rio_s\"; [ \"$rio_s\" = 0 ] || rio_ok=0\n";
      } else if (kind.starts_with("step:")) {
        steps += "  " + check_line(c, i);
        skipped += " " + std::to_string(i);
      } else {
        script += check_line(c, i);
      }
    }
    if (!steps.empty() && m.checks_steps_always) {
      script += steps;
    } else if (!steps.empty()) {
      script += "if [ \"$rio_ok\" = 1 ]; then\n  for rio_i in" + skipped + "; do echo \"rio-probe $rio_i " +
                std::to_string(not_checked) + "\"; done\nelse\n" + steps + "fi\n";
    }
    script += version_line(m);
  }
  return script;
}

// "rio-version ID TEXT" -> TEXT for `id`: printable bytes only, at most 80 of them (untrusted).
std::string version_of(std::string_view out, const std::string& id) {
  const std::string prefix = "rio-version " + id + " ";
  std::size_t at = 0;
  while ((at = out.find(prefix, at)) != std::string_view::npos) {
    if (at != 0 && out[at - 1] != '\n') {
      ++at;
      continue;
    }
    std::string_view v = out.substr(at + prefix.size());
    return printable_text(v.substr(0, v.find('\n')), 80);
  }
  return {};
}

module_detection unknown_detection(module_detection d, const std::string& why) {
  d.detect.state = sdk::detect_state::unknown;
  d.detect.evidence = why;
  return d;
}

}  // namespace

result<detect_batch> build_detect_batch(const std::vector<module_request>& modules, const std::filesystem::path& asset_root,
                                        bool check_all_steps) {
  detect_batch batch;
  batch.tools = standard_tools();
  for (const auto& m : modules) {
    if (auto ok = add_module(m, asset_root, batch); !ok) return ok.error();
    if (check_all_steps) batch.modules.back().checks_steps_always = true;
    if (auto ok = add_preflight(m, batch); !ok) return ok.error();
  }
  batch.script = preflight_script(batch.tools, batch.disk_paths) + detect_script(batch);
  batch.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(sdk::probe_script_timeout(batch.checks) +
                                                                         preflight_timeout);
  return batch;
}

std::vector<module_detection> read_detect_report(const detect_batch& batch, const result<sdk::exec_result>& ran) {
  return read_detection(batch, ran).modules;
}

detect_reading read_detection(const detect_batch& batch, const result<sdk::exec_result>& ran) {
  detect_reading reading;
  std::vector<module_detection>& out = reading.modules;
  std::string& why = reading.failure;
  std::vector<int> statuses;
  if (!ran) {
    why = "detection could not run: " + ran.error().describe();
  } else if (ran->timed_out) {
    why = "detection timed out after " + std::to_string(ran->duration.count() / 1000) + " s";
  } else {
    auto parsed = sdk::parse_probe_report(ran->stdout_tail, batch.checks.size());
    if (!parsed) {
      why = parsed.error().message;
      std::string err = ran->stderr_tail.substr(0, 300);
      while (!err.empty() && std::isspace(static_cast<unsigned char>(err.back()))) err.pop_back();
      if (!err.empty()) why += "; stderr: " + err;
    } else {
      statuses = std::move(*parsed);
    }
  }
  for (const auto& m : batch.modules) {
    if (!why.empty()) {
      out.push_back(unknown_detection(m.skeleton, why));
      continue;
    }
    module_detection d = m.skeleton;
    std::vector<sdk::rendered_probe> probes;
    std::vector<int> probe_statuses;
    for (std::size_t i = 0; i < batch.checks.size(); ++i) {
      const auto& c = batch.checks[i];
      if (c.module_id != m.id) continue;
      const std::string_view kind{c.probe_id};
      if (kind.starts_with("probe:")) {
        sdk::rendered_probe p = c;
        p.probe_id = c.probe_id.substr(6);
        probes.push_back(std::move(p));
        probe_statuses.push_back(statuses[i]);
      } else if (kind.starts_with("step:")) {
        const std::string id = c.probe_id.substr(5);
        for (auto& step : d.steps) {
          if (step.id == id && statuses[i] != not_checked) step.satisfied = statuses[i] == 0;
        }
      } else if (kind.starts_with("sync:")) {
        const std::size_t n = std::stoul(c.probe_id.substr(5));
        if (n < d.sync.size()) d.sync[n].remote_exists = statuses[i] == 0;
      }
    }
    d.detect = sdk::make_detect_report(probes, probe_statuses);
    if (d.detect.state == sdk::detect_state::installed && !m.version_probe.empty()) d.version = version_of(ran->stdout_tail, m.id);
    out.push_back(std::move(d));
  }
  return reading;
}

}  // namespace rio::kernel::engine
