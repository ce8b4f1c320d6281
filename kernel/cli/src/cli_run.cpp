// `rio plan` and `rio install`: one host or a fleet, human output or the API's JSON.
#include "cli_run_request.hpp"
#include "text_table.hpp"

#include <rio/kernel/cli_command.hpp>
#include <rio/kernel/engine/engine_json.hpp>
#include <rio/kernel/engine/fleet_run.hpp>
#include <rio/kernel/engine/host_outcome.hpp>
#include <rio/kernel/hooks/bridges.hpp>
#include <rio/kernel/subscriber_loader.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <ostream>

namespace rio::kernel {
namespace asio = boost::asio;
namespace {

using engine::host_result;

// A live line on a terminal, redrawn at most every 100 ms; nothing at all when not a terminal.
class progress_line {
 public:
  progress_line(const cli_io& io, bool enabled, const char* what) : io_(io), enabled_(enabled && io.err_is_terminal), what_(what) {}
  void update(const host_result* finished, const engine::fleet_progress& p) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (finished == nullptr && p.done + p.running < p.total && now - last_ < std::chrono::milliseconds{100}) return;
    last_ = now;
    io_.err << "\r\x1b[K[rio] " << what_ << ": " << p.done << "/" << p.total << " hosts done, "
            << p.failed << " failed";
    if (p.unreachable > 0) io_.err << " (" << p.unreachable << " unreachable)";
    io_.err << ", " << p.running << " running" << std::flush;
    drawn_ = true;
  }
  void clear() {
    if (drawn_) io_.err << "\r\x1b[K" << std::flush;
  }

 private:
  const cli_io& io_;
  bool enabled_;
  const char* what_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out.empty() ? "-" : out;
}

// One line of what the preflight found: enough to see why a module is blocked.
void print_facts(std::ostream& out, const engine::host_facts& f) {
  if (!f.known) return;
  std::vector<std::string> have, lack, gpus;
  for (const auto& [tool, present] : f.tools) (present ? have : lack).push_back(tool);
  for (const auto& g : f.gpus) gpus.push_back(engine::describe_gpu(g));
  out << "  host: " << (f.os_name.empty() ? f.system + " " + f.os_id + " " + f.os_version : f.os_name) << ", " << f.arch
      << "; sudo: " << f.sudo << "; packages: " << f.pkg_manager << "; systemd: " << (f.systemd ? "yes" : "no") << "\n"
      << "  tools: " << join(have, " ") << (lack.empty() ? "" : "; missing: " + join(lack, " ")) << "; GPU: " << join(gpus, ", ")
      << "\n";
}

// What an uninstall removes and keeps, with the operator's files named.
void add_removals(cli_detail::text_table& t, const engine::module_plan& p) {
  for (const auto& r : p.removals) {
    const std::string what = r.action == "absent"          ? "already gone"
                             : r.action == "keep"            ? "KEEP (--purge removes it)"
                             : r.action == "remove-tracked" ? "remove rio's checkout (tracked files, .git)"
                                                            : "remove";
    t.note(2, "- " + r.path + ": " + what);
    if (r.operator_file_count == 0) continue;
    const bool removed = r.action == "remove";  // with --purge; a purge-only path kept says KEEP above
    t.note(4, std::to_string(r.operator_file_count) + " file(s) not rio's " + (removed ? "REMOVED (--purge)" : "kept") + ": " +
                  join(r.operator_files, " ") + (r.operator_file_count > r.operator_files.size() ? " ..." : ""));
  }
  for (const auto& l : p.purge_list) t.note(2, "- purge: " + l);
}

// The module lines: id, action, reason, with the details under the reason column.
void add_plan_module(cli_detail::text_table& t, const engine::module_plan& p) {
  if (p.action == engine::plan_action::blocked) {
    t.row({p.id, "BLOCKED", "refused before anything runs:"});
    for (const auto& i : p.preflight) t.note(2, "- " + i.check + ": " + i.message);
    return;
  }
  // "install:  not installed: ..." - the colon keeps the action from reading as part of the reason.
  t.row({p.id, std::string{engine::to_string(p.action)} + ":", p.reason});
  // "torch: cu124 (NVIDIA driver 550.54.15 supports CUDA 12.4; ...)": every host's choice, also on a noop.
  for (const auto& h : p.hardware) t.note(2, h.choice + ": " + h.value + " (" + h.why + ")");
  if (!p.installed_version.empty() || !p.wanted_version.empty()) {
    t.note(2, "version: " + (p.installed_version.empty() ? std::string{"-"} : p.installed_version) + " installed, " +
                  (p.wanted_version.empty() ? std::string{"latest"} : p.wanted_version) + " wanted" +
                  (p.pin.empty() ? std::string{} : "; pinned " + p.pin));
  }
  if (!p.drift.empty()) t.note(2, "DRIFT: " + p.drift);
  if (p.action == engine::plan_action::noop) return;
  if (!p.lifecycle_steps.empty()) t.note(2, std::string{engine::to_string(p.action)} + " steps first: " + join(p.lifecycle_steps, " "));
  if (p.action == engine::plan_action::uninstall) return add_removals(t, p);
  if (p.disk_free_mib) {
    t.note(2, "disk: " + engine::format_gib(*p.disk_free_mib) + " free, " + engine::format_gib(p.disk_need_mib) + " needed");
  }
  std::vector<std::string> run, done, all;
  for (const auto& s : p.found.steps) {
    (s.satisfied == true ? done : run).push_back(s.id);
    all.push_back(s.id);
  }
  // After an update's checkout (or a rollback's) the install steps' checks decide again.
  if (p.action == engine::plan_action::update || p.action == engine::plan_action::rollback) {
    t.note(2, "then the install steps, each checked again: " + join(all, " "));
  } else {
    t.note(2, "steps to run: " + join(run, " ") + "; already done: " + join(done, " "));
  }
  for (const auto& [step, because] : p.steps_that_may_run()) {
    t.note(2, step + " will run if " + join(because, " or ") + " changes");
  }
  for (const auto& c : p.found.sync) {
    std::string what = !c.local_exists ? (c.optional ? "skip: no local source" : "FAIL: required local source missing")
                       : c.remote_exists == true ? "keep: exists on host, never overwritten"
                                                 : "upload";
    t.note(2, "config " + c.source + " -> " + c.destination + ": " + what);
  }
}

void print_plan(std::ostream& out, const host_result& r, std::size_t width) {
  std::size_t installs = 0, blocked = 0, verbs = 0;
  std::string verb = "change";
  for (const auto& p : r.plan) {
    installs += p.action == engine::plan_action::install ? 1 : 0;
    blocked += p.action == engine::plan_action::blocked ? 1 : 0;
    if (p.action == engine::plan_action::update || p.action == engine::plan_action::rollback ||
        p.action == engine::plan_action::uninstall) {
      ++verbs;
      verb = engine::to_string(p.action);
    }
  }
  out << r.host << " (" << r.address << "): ";
  if (r.failure == engine::host_failure::unreachable) out << "UNREACHABLE: " << r.error << "\n";
  else if (r.failure == engine::host_failure::detection_failed) out << "DETECTION FAILED, nothing planned: " << r.error << "\n";
  else {
    out << installs << " to install, ";
    if (verbs > 0) out << verbs << " to " << verb << ", ";
    out << r.plan.size() - installs - blocked - verbs << " noop, " << blocked << " blocked\n";
  }
  for (const auto& w : r.warnings) out << "  warning: " << w << "\n";
  print_facts(out, r.facts);
  cli_detail::text_table t;
  for (const auto& p : r.plan) add_plan_module(t, p);
  out << t.render(width);
}

std::string outcome_detail(const engine::module_outcome& m) {
  if (m.state == "failed") return m.error;
  if (m.state == "uninstalled") return "removed what rio created";
  if (m.state == "skipped") return "nothing to do";
  if (m.state != "installed") return "already installed";
  std::size_t ran = 0, skipped = 0;
  for (const auto& s : m.steps) {
    if (s.outcome == sdk::step_outcome::done) ++ran;
    if (s.outcome == sdk::step_outcome::already_done) ++skipped;
  }
  return std::to_string(ran) + " steps run, " + std::to_string(skipped) + " already done";
}

// The last lines a failed step wrote to stderr, under its module: what went wrong is usually
// there ("No matching distribution found for ..."), and the log is one more file to open.
void add_failed_stderr(cli_detail::text_table& t, const engine::module_outcome& m) {
  constexpr std::size_t shown_lines = 5;
  for (const auto& s : m.steps) {
    if (s.outcome != sdk::step_outcome::failed || s.stderr_tail.empty()) continue;
    std::vector<std::string> lines;
    std::size_t end = s.stderr_tail.size();
    while (end > 0 && lines.size() < shown_lines) {
      const std::size_t nl = s.stderr_tail.rfind('\n', end - 1);
      const std::size_t begin = nl == std::string::npos ? 0 : nl + 1;
      std::string line = s.stderr_tail.substr(begin, end - begin);
      if (line.find_first_not_of(" \t\r") != std::string::npos) lines.insert(lines.begin(), std::move(line));
      end = nl == std::string::npos ? 0 : nl;
    }
    if (lines.empty()) continue;
    t.note(2, "stderr of step '" + s.id + "' (last " + std::to_string(lines.size()) + " lines):");
    for (auto& l : lines) t.note(2, "| " + l);
  }
}

void print_install(std::ostream& out, const host_result& r, std::size_t width) {
  out << r.host << " (" << r.address << "): " << r.status;
  if (!r.error.empty()) out << ": " << r.error;
  out << "\n";
  for (const auto& w : r.warnings) out << "  warning: " << w << "\n";
  cli_detail::text_table t;
  for (const auto& m : r.outcomes) {
    t.row({m.id, m.state, outcome_detail(m)});
    // An update or rollback says where the module went: "version: 589d0e5 -> 7c1d2e3".
    auto p = std::find_if(r.plan.begin(), r.plan.end(), [&](const engine::module_plan& e) { return e.id == m.id; });
    const bool moved = p != r.plan.end() && (p->action == engine::plan_action::update || p->action == engine::plan_action::rollback);
    if (moved && !m.version.empty()) {
      t.note(2, "version: " + (p->installed_version == m.version ? m.version + " (unchanged)"
                                                                  : (p->installed_version.empty() ? "-" : p->installed_version) + " -> " + m.version));
    }
    if (m.state == "failed") add_failed_stderr(t, m);
  }
  out << t.render(width);
  if (r.log_written) out << "  log: " << r.log_path.string() << "\n";
}

// -v: how the host was reached, so an operator can see what the handshake agreed on.
void print_connection(std::ostream& out, const host_result& r) {
  const auto& c = r.connection;
  if (c.algorithms.kex.empty()) return;
  out << "  ssh: kex " << c.algorithms.kex << ", host key " << c.algorithms.host_key << " " << c.host_key_fingerprint
      << ", cipher " << c.algorithms.cipher << ", mac " << (c.algorithms.mac.empty() ? "-" : c.algorithms.mac)
      << ", auth " << c.auth << "\n";
}

// A host counts as failed when it was unreachable, its run failed, or any module on it failed.
bool failed(const host_result& r) {
  if (engine::counts_as_failed(r)) return true;
  return std::any_of(r.outcomes.begin(), r.outcomes.end(), [](const auto& m) { return m.state == "failed"; });
}

// "ok" says whether everything succeeded, as the exit status does; it was always true.
void print_json(const cli_io& io, const std::vector<host_result>& results, const cli_detail::run_request& req) {
  const engine::result_view view{req.redact.get()};
  auto doc = results.size() == 1 ? engine::host_result_json(results.front(), view)
                                 : engine::fleet_result_json(results, req.settings.run_id, view);
  doc["ok"] = std::none_of(results.begin(), results.end(), failed);
  io.out << boost::json::serialize(doc) << "\n";
}

void print_text(const cli_io& io, const std::vector<host_result>& results, bool dry, const std::string& run_id,
                bool verbose, engine::run_verb verb) {
  for (const auto& r : results) {
    dry ? print_plan(io.out, r, output_width(io)) : print_install(io.out, r, output_width(io));
    if (verbose) print_connection(io.out, r);
  }
  std::size_t failures = 0, installed = 0, noop = 0, unreachable = 0, undetected = 0, uninstalled = 0;
  for (const auto& r : results) {
    if (r.failure == engine::host_failure::unreachable) ++unreachable;
    if (r.failure == engine::host_failure::detection_failed) ++undetected;
    if (r.status == "failed") ++failures;
    if (r.status == "installed") ++installed;
    if (r.status == "noop") ++noop;
    if (r.status == "uninstalled") ++uninstalled;
  }
  if (dry) {
    io.out << "Planned " << results.size() << (results.size() == 1 ? " host" : " hosts") << " (nothing was changed)";
    if (unreachable) io.out << "; " << unreachable << " unreachable";
    if (undetected) io.out << "; detection failed on " << undetected;
    io.out << ". run " << run_id << "\n";
  } else {
    io.out << "Summary: " << results.size() << (results.size() == 1 ? " host: " : " hosts: ");
    if (verb == engine::run_verb::uninstall) io.out << uninstalled << " uninstalled, ";
    else io.out << installed << (verb == engine::run_verb::install  ? " installed, "
                                 : verb == engine::run_verb::update   ? " updated, "
                                 : verb == engine::run_verb::rollback ? " rolled back, "
                                                                      : " repaired, ");
    io.out << noop << " noop, " << failures << " failed. run " << run_id << "\n";
  }
}

// Runs the fleet on `ctx` until every host is done; the first SIGINT/SIGTERM cancels cleanly and
// is reported in `interrupted_by`.
std::vector<host_result> run_hosts(asio::io_context& ctx, hooks::hook_bus& bus, cli_detail::run_request& req,
                                   progress_line& progress, const cli_io& io, int& interrupted_by) {
  std::vector<host_result> results;
  ssh::session_pool pool;
  engine::fleet_options fo;
  fo.parallel = req.parallel;
  fo.cancel = std::make_shared<engine::run_cancel>();
  // Ctrl-C (or SIGTERM) cancels cleanly: remote commands are stopped, manifests and logs are
  // closed with the run marked cancelled. A second signal quits at once.
  asio::signal_set signals{ctx, SIGINT, SIGTERM};
  std::function<void()> arm = [&] {
    signals.async_wait([&](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      if (interrupted_by != 0) std::_Exit(128 + sig);
      interrupted_by = sig;
      progress.clear();
      io.err << "rio: " << (sig == SIGINT ? "interrupted" : "terminated")
             << ": stopping remote commands and recording the run (signal again to quit at once)\n" << std::flush;
      fo.cancel->cancel();
      arm();
    });
  };
  arm();
  // Counted now: req.hosts is moved into run_fleet below, so the lambda must not ask it (it did,
  // and saw an empty vector, so no per-host line was ever printed).
  const std::size_t host_count = req.hosts.size();
  fo.on_progress = [&, host_count](const host_result* finished, const engine::fleet_progress& p) {
    progress.update(finished, p);
    // Without a live line, one line per finished host shows that a long fleet run moves.
    if (finished != nullptr && !req.json && host_count > 1 && !io.err_is_terminal) {
      io.err << "[rio] " << p.done << "/" << p.total << " " << finished->host << ": " << engine::host_outcome(*finished) << "\n";
    }
  };
  asio::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    results = co_await engine::run_fleet(pool, req.settings, std::move(req.hosts), fo);
    signals.cancel();
    co_await pool.close_all();
    // Subscribers get a short grace to see the end of the run; a slow one cannot hold rio longer.
    co_await bus.drain(std::chrono::seconds{2});
    bus.stop();
  }, asio::detached);
  ctx.run();
  return results;
}

int run_command(const cli_args& args, const cli_io& io, bool install, engine::run_verb verb) {
  auto cfg = settings_or_report(args, io);
  if (!cfg) return exit_failed;
  auto registry = registry_or_report(*cfg, io);
  if (!registry) return exit_failed;

  // Hook subscriber plugins (if any) receive this run's events in-process.
  asio::io_context ctx;
  hooks::hook_bus bus{ctx.get_executor()};
  hooks::vault_bridge vault_events{bus};
  std::vector<load_problem> problems;
  auto subscribers = load_subscribers(cfg->plugin_dir, problems);
  for (const auto& p : problems) io.err << "rio: skipped subscriber " << p.file.string() << ": " << p.reason << "\n";
  for (auto& s : subscribers) attach(bus, *s);
  for (const auto& m : registry->modules()) {
    if (!subscribers.empty()) hooks::publish_module_loaded(bus, *m);
  }

  int code = exit_ok;
  auto req = cli_detail::parse_run_request(args.rest, *cfg, *registry, io, install, verb, code,
                                           subscribers.empty() ? nullptr : &vault_events);
  if (!req) return code;
  const bool dry = req->settings.dry_run;
  if (!subscribers.empty()) {
    auto user_events = std::move(req->settings.on_event);
    req->settings.on_event = [&bus, user_events](const engine::run_event& e) {
      hooks::publish_run_event(bus, e);
      if (user_events) user_events(e);
    };
  }

  progress_line progress{io, req->progress && req->hosts.size() > 1, dry ? "plan" : engine::to_string(verb)};
  int interrupted_by = 0;
  const std::vector<host_result> results = run_hosts(ctx, bus, *req, progress, io, interrupted_by);
  progress.clear();

  if (req->json) print_json(io, results, *req);
  else print_text(io, results, dry, req->settings.run_id, req->verbose, verb);
  if (interrupted_by != 0) return 128 + interrupted_by;
  const bool all_busy = !results.empty() && std::all_of(results.begin(), results.end(), [](const host_result& r) {
    return r.failure == engine::host_failure::busy;
  });
  if (all_busy) return exit_busy;
  return std::any_of(results.begin(), results.end(), failed) ? exit_failed : exit_ok;
}

}  // namespace

int cli_plan(const cli_args& args, const cli_io& io) { return run_command(args, io, false, engine::run_verb::install); }
int cli_install(const cli_args& args, const cli_io& io) { return run_command(args, io, true, engine::run_verb::install); }
int cli_update(const cli_args& args, const cli_io& io) { return run_command(args, io, true, engine::run_verb::update); }
int cli_rollback(const cli_args& args, const cli_io& io) { return run_command(args, io, true, engine::run_verb::rollback); }
int cli_repair(const cli_args& args, const cli_io& io) { return run_command(args, io, true, engine::run_verb::repair); }
int cli_uninstall(const cli_args& args, const cli_io& io) { return run_command(args, io, true, engine::run_verb::uninstall); }

}  // namespace rio::kernel
