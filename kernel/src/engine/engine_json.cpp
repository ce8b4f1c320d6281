#include <rio/kernel/engine/engine_json.hpp>

#include <rio/kernel/engine/host_outcome.hpp>

#include <boost/json/array.hpp>

namespace rio::kernel::engine {
namespace json = boost::json;
namespace {

json::array strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

json::value optional_bool(const std::optional<bool>& b) { return b ? json::value(*b) : json::value(nullptr); }

json::object step_result_json(const sdk::step_result& s) {
  json::object o{{"id", s.id},
                 {"outcome", sdk::to_string(s.outcome)},
                 {"exit_code", s.exit_code},
                 {"duration_ms", s.duration.count()}};
  if (!s.reason.empty()) o["reason"] = s.reason;
  if (!s.stderr_tail.empty()) o["stderr_tail"] = s.stderr_tail;
  return o;
}

json::value text_or_null(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

// A GPU vendor's facts: what its tool said (driver, CUDA, devices), or that it failed (tool_error).
json::object gpu_json(const gpu_fact& g) {
  json::array devices;
  for (const auto& d : g.devices) {
    devices.emplace_back(json::object{{"name", d.name},
                                      {"vram_mib", d.vram_mib ? json::value(*d.vram_mib) : json::value(nullptr)},
                                      {"compute", text_or_null(d.compute)}});
  }
  return json::object{{"vendor", g.vendor},          {"driver", text_or_null(g.driver)},
                      {"tool_error", text_or_null(g.tool_error)}, {"cuda", text_or_null(g.cuda)},
                      {"rocm", text_or_null(g.rocm)}, {"pci_devices", g.pci_devices},
                      {"devices", std::move(devices)}};
}

json::value facts_json(const host_facts& f) {
  if (!f.known) return nullptr;
  json::object tools;
  for (const auto& [name, present] : f.tools) tools[name] = present;
  json::array gpus;
  for (const auto& g : f.gpus) gpus.emplace_back(gpu_json(g));
  return json::object{{"system", f.system},         {"os_id", f.os_id},     {"os_like", f.os_like},
                      {"os_version", f.os_version}, {"os_name", f.os_name}, {"arch", f.arch},
                      {"sudo", f.sudo},             {"package_manager", f.pkg_manager},
                      {"systemd", f.systemd},       {"tools", std::move(tools)},
                      {"gpus", std::move(gpus)},    {"uv", f.uv}};
}

// Every string of a result goes through here before anyone sees it: module options, plan
// reasons and errors can carry credentials (a repository URL with a password in it).
void scrub(json::value& v, const host_result& r, const result_view& view, const redactor& patterns) {
  if (v.is_object()) {
    for (auto& [k, item] : v.get_object()) scrub(item, r, view, patterns);
  } else if (v.is_array()) {
    for (auto& item : v.get_array()) scrub(item, r, view, patterns);
  } else if (v.is_string()) {
    const json::string& raw = v.get_string();
    std::string text = (view.redact != nullptr ? *view.redact : patterns).apply(std::string_view{raw.data(), raw.size()});
    if (!view.connection_detail) {
      for (const auto& detail : r.connection_errors) {
        if (detail.empty()) continue;
        for (std::size_t at = 0; (at = text.find(detail, at)) != std::string::npos; at += unreachable_text.size()) {
          text.replace(at, detail.size(), unreachable_text);
        }
      }
    }
    v.get_string().assign(text.data(), text.size());
  }
}

// Each step as the original showed it, with whether it will run, and why it may.
json::array plan_steps_json(const module_plan& p) {
  json::array steps;
  const auto may_run = p.steps_that_may_run();
  for (const auto& s : p.found.steps) {
    // "type" and "command" are the original's step fields: approval screens show the command.
    auto because = may_run.find(s.id);
    steps.emplace_back(json::object{{"type", "command"},
                                    {"id", s.id},
                                    {"command", s.command},
                                    {"timeout", s.timeout.count()},
                                    {"description", s.description},
                                    {"satisfied", optional_bool(s.satisfied)},
                                    {"will_run", (p.action == plan_action::install || p.action == plan_action::update ||
                                                  p.action == plan_action::rollback) && s.satisfied != true},
                                    {"depends_on", strings(s.depends_on)},
                                    {"runs_if_changed", strings(because == may_run.end() ? std::vector<std::string>{}
                                                                                         : because->second)}});
  }
  return steps;
}

// What an uninstall removes and keeps; with --purge, what the module's purge steps remove.
json::object removals_json(const module_plan& p) {
  json::array paths;
  for (const auto& r : p.removals) {
    paths.emplace_back(json::object{{"path", r.path},
                                    {"kind", r.kind},
                                    {"step", r.step},
                                    {"action", r.action},
                                    {"operator_files", strings(r.operator_files)},
                                    {"operator_file_count", r.operator_file_count}});
  }
  return json::object{{"paths", std::move(paths)}, {"purge", strings(p.purge_list)}};
}

}  // namespace

json::object plan_entry_json(const module_plan& p, const std::string& host) {
  json::object o;
  o["host"] = host;
  o["module"] = p.id;
  o["name"] = p.name;
  o["action"] = to_string(p.action);
  o["reason"] = p.reason;
  o["notes"] = p.notes;
  o["tags"] = strings(p.tags);
  o["detected"] = p.found.detect.state == sdk::detect_state::installed;

  json::array probes;
  for (const auto& pr : p.found.detect.probes) {
    probes.emplace_back(json::object{{"id", pr.id}, {"description", pr.description}, {"passed", pr.passed}, {"exit_code", pr.exit_code}});
  }
  o["detect"] = json::object{{"state", sdk::to_string(p.found.detect.state)},
                             {"evidence", p.found.detect.evidence},
                             {"probes", std::move(probes)}};

  o["steps"] = plan_steps_json(p);

  json::array sync;
  for (const auto& c : p.found.sync) {
    sync.emplace_back(json::object{{"type", "sync"},
                                   {"source", c.source},
                                   {"destination", c.destination},
                                   {"description", c.description},
                                   {"optional", c.optional},
                                   {"local_exists", c.local_exists},
                                   {"remote_exists", optional_bool(c.remote_exists)},
                                   {"will_upload", p.action == plan_action::install && c.local_exists && c.remote_exists != true}});
  }
  o["config_sync"] = std::move(sync);
  if (p.disk_free_mib) o["disk"] = json::object{{"free_mib", *p.disk_free_mib}, {"need_mib", p.disk_need_mib}};
  if (!p.preflight.empty()) {
    json::array issues;
    for (const auto& i : p.preflight) issues.emplace_back(json::object{{"check", i.check}, {"message", i.message}});
    o["preflight"] = std::move(issues);
  }
  o["version"] = json::object{{"installed", text_or_null(p.installed_version)}, {"wanted", text_or_null(p.wanted_version)}};
  o["pin"] = text_or_null(p.pin);
  o["drift"] = text_or_null(p.drift);
  o["lifecycle_steps"] = strings(p.lifecycle_steps);
  if (p.action == plan_action::uninstall) o["removals"] = removals_json(p);
  json::array hardware;
  for (const auto& h : p.hardware) hardware.emplace_back(json::object{{"choice", h.choice}, {"value", h.value}, {"why", h.why}});
  o["hardware"] = std::move(hardware);
  if (!p.recorded_state.empty()) o["recorded_state"] = p.recorded_state;
  json::object options;
  for (const auto& [k, v] : p.options) options[k] = v;
  o["options"] = std::move(options);
  return o;
}

json::object host_result_json(const host_result& r, const result_view& view) {
  json::object o;
  o["host"] = r.host;
  o["address"] = r.address;
  o["run_id"] = r.run_id;
  o["status"] = r.status;
  json::array plan;
  for (const auto& p : r.plan) plan.emplace_back(plan_entry_json(p, r.host));
  o["plan"] = std::move(plan);
  o["facts"] = facts_json(r.facts);
  o["failed"] = strings(r.failed);
  if (r.status != "dry_run") {
    o["installed"] = strings(r.installed);
    o["skipped"] = strings(r.skipped);
    if (!r.recorded.empty()) o["recorded"] = strings(r.recorded);
    if (!r.uninstalled.empty()) o["uninstalled"] = strings(r.uninstalled);
    json::object modules;
    for (const auto& m : r.outcomes) {
      json::array steps;
      for (const auto& s : m.steps) steps.emplace_back(step_result_json(s));
      json::object entry{{"state", m.state}, {"steps", std::move(steps)}};
      if (!m.error.empty()) entry["error"] = m.error;
      if (!m.version.empty()) entry["version"] = m.version;
      modules[m.id] = std::move(entry);
    }
    o["modules"] = std::move(modules);
  }
  // Only paths this run wrote: a plan writes neither, a busy host's log was never opened.
  if (r.log_written) o["log_path"] = r.log_path.string();
  if (r.status_written) o["status_path"] = r.status_path.string();
  if (r.failure != host_failure::none) {
    o["error"] = r.error;
    o["failure"] = to_string(r.failure);
  }
  if (!r.warnings.empty()) o["warnings"] = strings(r.warnings);
  o["remote_commands"] = r.remote_commands;
  o["connections"] = r.connections;
  if (!r.connection.algorithms.kex.empty()) {
    const auto& a = r.connection.algorithms;
    o["ssh"] = json::object{{"kex", a.kex}, {"host_key", a.host_key}, {"cipher", a.cipher}, {"mac", a.mac},
                            {"host_key_fingerprint", r.connection.host_key_fingerprint}, {"auth", r.connection.auth}};
  }
  o["duration_ms"] = r.duration.count();
  // Parentheses: braces would pick value's initializer-list constructor (an array around o).
  json::value scrubbed(std::move(o));
  scrub(scrubbed, r, view, redactor{});
  return std::move(scrubbed.get_object());
}

json::object fleet_result_json(const std::vector<host_result>& results, const std::string& run_id, const result_view& view) {
  json::array hosts;
  std::size_t failed = 0, installed = 0, noop = 0, recorded = 0, unreachable = 0, cancelled = 0, uninstalled = 0;
  for (const auto& r : results) {
    hosts.emplace_back(host_result_json(r, view));
    if (counts_as_failed(r)) ++failed;
    else if (r.status == "installed") ++installed;
    else if (r.status == "noop") ++noop;
    else if (r.status == "recorded") ++recorded;
    else if (r.status == "cancelled") ++cancelled;
    else if (r.status == "uninstalled") ++uninstalled;
    if (r.failure == host_failure::unreachable) ++unreachable;
  }
  return json::object{{"status", fleet_status(results)},
                      {"run_id", run_id},
                      {"hosts", std::move(hosts)},
                      {"summary", json::object{{"hosts", results.size()}, {"installed", installed}, {"noop", noop}, {"failed", failed},
                                           {"recorded", recorded}, {"cancelled", cancelled}, {"unreachable", unreachable},
                                           {"uninstalled", uninstalled}}}};
}

}  // namespace rio::kernel::engine
