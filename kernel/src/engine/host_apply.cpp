// The apply phase of one host's run: the plan is carried out module by module, the log says what
// happened, and the status manifest is saved after each module so that a killed run leaves a
// truthful record.
#include "host_runner.hpp"
#include "logging_shell.hpp"
#include "module_records.hpp"
#include "step_logger.hpp"

#include <rio/kernel/engine/remote_text.hpp>
#include <rio/kernel/plugin_call.hpp>

#include <unistd.h>

namespace rio::kernel::engine::detail {
namespace asio = boost::asio;

namespace {

std::chrono::milliseconds install_deadline(const sdk::module_spec& spec) {
  std::chrono::seconds total{60};
  for (const auto& step : spec.install_steps) total += step.timeout + std::min<std::chrono::seconds>(step.timeout, std::chrono::seconds{120});
  total += std::chrono::seconds{300} * static_cast<long>(spec.config_sync.size());
  return total;
}

}  // namespace

asio::awaitable<void> host_runner::open_log_and_apply(session_result session) {
  auto log = run_log::open(out_.log_path, s_.run_id, s_.redact);
  if (!log) co_return host_failed(host_failure::local_io, log.error().message);
  log_ = &*log;
  out_.log_written = true;
  if (s_.on_event) {
    log_->on_line([this](std::string_view line) { emit(run_event_kind::log_line, "", "", "", std::string{line}); });
  }
  std::shared_ptr<ssh::session> usable;
  std::string connect_error;
  if (session) {
    usable = *session;
  } else {
    connect_error = session.error().describe();
  }
  co_await apply(std::move(usable), std::move(connect_error));
  log_ = nullptr;
}

asio::awaitable<void> host_runner::apply(std::shared_ptr<ssh::session> session, std::string connect_error) {
  log_plan();
  manifest_.host = req_.name;
  manifest_.address = out_.address;
  manifest_.last_run = run_record{s_.run_id, "running", "", utc_timestamp(), "", static_cast<std::int64_t>(::getpid()), ""};
  if (!save()) co_return;
  if (!session && !s_.record_only) co_return fail_unreachable(connect_error);
  const bool applied = co_await apply_modules();
  if (applied) co_await finish_applied();
}

void host_runner::log_plan() {
  std::string modules;
  for (const auto& m : req_.modules) modules += (modules.empty() ? "" : ",") + m.spec().id;
  log_->line("Starting remote install orchestration for host=" + req_.name + " address=" + out_.address +
             " modules=" + modules);
  for (const auto& w : out_.warnings) log_->line("warning: " + w);
  for (const auto& p : out_.plan) {
    log_->module_line(p.id, std::string{"detect: "} + sdk::to_string(p.found.detect.state) + " (" + p.found.detect.evidence + ")");
    log_->module_line(p.id, std::string{"plan: "} + to_string(p.action) + " (" + p.reason + ")");
  }
}

void host_runner::fail_unreachable(const std::string& connect_error) {
  log_->line("cannot connect: " + connect_error);
  out_.failure = host_failure::unreachable;
  out_.error = redact(connect_error);
  for (const auto& p : out_.plan) {
    out_.failed.push_back(p.id);
    manifest_.modules[p.id] = host_failed_record(previous_record(p.id), p, s_.run_id, out_.error);
  }
  finish("failed", out_.error);
}

// Each module in plan order; the manifest is saved after each. False when the run ended here
// (cancelled, or the manifest could not be written).
asio::awaitable<bool> host_runner::apply_modules() {
  for (std::size_t i = 0; i < out_.plan.size(); ++i) {
    const module_plan& p = out_.plan[i];
    if (co_await cancelled()) {
      record_cancelled(i);
      save();
      finish("cancelled", "run cancelled");
      co_return false;
    }
    if (p.action == plan_action::noop) {
      // An installed module stays installed; a verb with nothing to do elsewhere keeps the record.
      const bool installed = p.found.detect.state == sdk::detect_state::installed && s_.lifecycle.verb != run_verb::uninstall;
      installed ? record_noop(p) : record_untouched(p);
    } else if (s_.record_only && p.action == plan_action::install) {
      record_only(p);
    } else if (p.action == plan_action::blocked) {
      record_blocked(p);
    } else {
      co_await install_module(req_.modules[i], p);
    }
    if (!save()) co_return false;
  }
  co_return true;
}

asio::awaitable<void> host_runner::finish_applied() {
  const bool was_cancelled = co_await cancelled();
  if (was_cancelled) {
    out_.failure = host_failure::cancelled;
    out_.error = "run cancelled";
  }
  if (!was_cancelled && !detect_failure_.empty()) {
    out_.failure = host_failure::detection_failed;
    out_.error = redact("detection failed: " + detect_failure_);
  }
  std::string status = was_cancelled               ? "cancelled"
                       : !out_.failed.empty()      ? "failed"
                       : !out_.installed.empty()   ? "installed"
                       : !out_.uninstalled.empty() ? "uninstalled"
                       : !out_.recorded.empty()  ? "recorded"
                                                 : "noop";
  finish(status, was_cancelled ? "run cancelled" : detect_failure_.empty() ? "" : out_.error);
}

const module_record* host_runner::previous_record(const std::string& id) const {
  auto it = manifest_.modules.find(id);
  return it == manifest_.modules.end() ? nullptr : &it->second;
}

// Modules from `first` on never ran: recorded as failed (so the next run plans them), with why.
void host_runner::record_cancelled(std::size_t first) {
  out_.failure = host_failure::cancelled;
  out_.error = "run cancelled";
  for (std::size_t i = first; i < out_.plan.size(); ++i) {
    const module_plan& p = out_.plan[i];
    log_->module_line(p.id, "not started: run cancelled");
    out_.failed.push_back(p.id);
    manifest_.modules[p.id] = cancelled_record(previous_record(p.id), p, s_.run_id);
    out_.outcomes.push_back({p.id, "failed", "run cancelled", {}, {}, ""});
    emit(run_event_kind::module_finished, p.id, "", "failed", "run cancelled");
  }
}

// record_only: nothing runs on the host, and nothing claims it did (the original said "installed").
void host_runner::record_only(const module_plan& p) {
  log_->module_line(p.id, "recorded only: nothing ran on the host (" + p.reason + ")");
  out_.recorded.push_back(p.id);
  manifest_.modules[p.id] = recorded_only_record(p, s_.run_id);
  out_.outcomes.push_back({p.id, "recorded", "", {}, {}, ""});
  emit(run_event_kind::module_finished, p.id, "", "recorded", p.reason);
}

// The preflight refused the module: nothing ran, and the manifest says why (the next run re-checks).
void host_runner::record_blocked(const module_plan& p) {
  log_->module_line(p.id, "refused: " + p.reason);
  out_.failed.push_back(p.id);
  manifest_.modules[p.id] = blocked_record(previous_record(p.id), p, s_.run_id);
  out_.outcomes.push_back({p.id, "failed", p.reason, {}, {}, ""});
  emit(run_event_kind::module_finished, p.id, "", "failed", p.reason);
}

// Nothing to do for the verb (not installed, nothing to update or uninstall): what the manifest
// knew stays, with the reason.
void host_runner::record_untouched(const module_plan& p) {
  log_->module_line(p.id, "nothing to do (" + p.reason + ")");
  out_.skipped.push_back(p.id);
  if (auto it = manifest_.modules.find(p.id); it != manifest_.modules.end()) {
    it->second.reason = p.reason;
    it->second.run_id = s_.run_id;
    it->second.updated_at = utc_timestamp();
  }
  out_.outcomes.push_back({p.id, "skipped", "", {}, {}, ""});
  emit(run_event_kind::module_finished, p.id, "", "skipped", p.reason);
}

void host_runner::record_noop(const module_plan& p) {
  log_->module_line(p.id, "no-op (" + p.reason + ")");
  out_.skipped.push_back(p.id);
  manifest_.modules[p.id] = noop_record(previous_record(p.id), p, s_.run_id);
  out_.outcomes.push_back({p.id, "skipped", "", {}, {}, ""});
  emit(run_event_kind::module_finished, p.id, "", "skipped", p.reason);
}

asio::awaitable<void> host_runner::install_module(const module_request& m, const module_plan& p) {
  log_->module_line(p.id, std::string{to_string(p.action)} + " begin \u2192 " + p.name);
  module_outcome outcome{p.id, "failed", "", {}, {}, ""};
  std::string stderr_tail;
  emit_verb(true, p, nullptr);
  // Each module asks the pool again: the detect session may have dropped since.
  const ssh::connect_options options = connect_options();
  auto session = co_await pool_.get(options);
  if (!session) note_unreachable(session.error());
  if (co_await cancelled()) {
    outcome.error = "run cancelled";
  } else if (!session) {
    outcome.error = "cannot reconnect: " + session.error().describe();
  } else {
    co_await run_installer(m, p, *session, outcome, stderr_tail);
  }
  const module_record* before = previous_record(p.id);
  module_record kept = before != nullptr ? *before : module_record{};
  record_install(p, outcome, stderr_tail);
  carry_lifecycle(kept, manifest_.modules[p.id]);
  note_lifecycle(m, p, outcome);
  emit_verb(false, p, &outcome);
}

asio::awaitable<void> host_runner::run_installer(const module_request& m, const module_plan& p,
                                                 std::shared_ptr<ssh::session> session, module_outcome& outcome,
                                                 std::string& stderr_tail) {
  note_session(session);
  logging_shell shell{session, log_, out_.remote_commands};
  shell.set_context(p.id, "");
  step_logger logger{*log_, shell, s_, req_.name, p.id};
  // Package steps use the manager the preflight chose from /etc/os-release (rio_pkg_manager).
  auto env = req_.env;
  if (!out_.facts.pkg_manager.empty()) env.emplace_back("RIO_PKG_MANAGER", out_.facts.pkg_manager);
  // The verbs' switches, for the lifecycle steps (sdk::lifecycle_spec).
  if (s_.lifecycle.force) env.emplace_back("RIO_FORCE", "1");
  if (s_.lifecycle.purge) env.emplace_back("RIO_PURGE", "1");
  sdk::run_context ctx{shell, m.options, s_.asset_root, env, &logger};
  switch (p.action) {
    case plan_action::update: co_await do_update(m, p, ctx, outcome, stderr_tail); break;
    case plan_action::rollback: co_await do_rollback(m, ctx, outcome, stderr_tail); break;
    case plan_action::uninstall: co_await do_uninstall(m, p, ctx, outcome, stderr_tail); co_return;
    default: co_await do_install(m, ctx, outcome, stderr_tail); break;
  }
  // Recorded after every change that leaves the module in place, a rolled-back update included.
  if (outcome.state == "installed" || !outcome.steps.empty()) outcome.version = co_await read_version(m, shell);
}

// What the module's version_probe answers now (recorded with the install); "" when it has none,
// fails or prints nothing. One short command, run through the logging shell like the steps.
asio::awaitable<std::string> host_runner::read_version(const module_request& m, sdk::remote_shell& shell) {
  if (m.spec().version_probe.empty()) co_return std::string{};
  auto command = sdk::render_command(m.spec().version_probe, m.spec(), m.options);
  if (!command) co_return std::string{};
  sdk::exec_request req;
  req.command = "( " + *command + "\n) </dev/null 2>/dev/null";  // a subshell: the redirections must not reach a pipeline's last command
  req.timeout = std::chrono::seconds{20};
  auto ran = co_await shell.exec(std::move(req));
  if (!ran || ran->exit_code != 0) {
    log_->module_line(m.spec().id, "version probe told nothing: " +
                                       (ran ? "exit " + std::to_string(ran->exit_code) : redact(ran.error().describe())));
    co_return std::string{};
  }
  std::string_view out = ran->stdout_tail;
  co_return redact(printable_text(out.substr(0, out.find('\n')), 80));
}

asio::awaitable<void> host_runner::do_install(const module_request& m, sdk::run_context& ctx, module_outcome& outcome,
                                              std::string& stderr_tail) {
  sdk::installer* installer = const_cast<sdk::installer*>(m.installer);
  const std::string what = "module '" + m.spec().id + "' install";
  auto report = co_await call_plugin<sdk::install_report>(what, install_deadline(m.spec()), [installer, &ctx] { return installer->install(ctx); });
  if (!report) {
    outcome.state = "failed";
    outcome.error = report.error().describe();
    co_return;
  }
  take_report(*report, outcome, stderr_tail);
}

// Appends a report's steps (a verb may run several lists) and takes its state; false when it failed.
bool host_runner::take_report(const sdk::install_report& report, module_outcome& outcome, std::string& stderr_tail) const {
  const std::size_t first = outcome.steps.size();
  outcome.steps.insert(outcome.steps.end(), report.steps.begin(), report.steps.end());
  for (const auto& e : report.sync.entries) outcome.sync.entries.push_back(e);
  if (!report.sync.ok) outcome.sync.ok = false;
  if (!report.sync.error.empty()) outcome.sync.error = redact(report.sync.error);
  // Remote text can echo credentials: redact before it reaches records and responses.
  for (std::size_t i = first; i < outcome.steps.size(); ++i) {
    auto& st = outcome.steps[i];
    st.reason = redact(st.reason);
    st.stderr_tail = redact(st.stderr_tail);
  }
  for (auto& e : outcome.sync.entries) e.reason = redact(e.reason);
  if (report.state == sdk::install_state::installed) {
    outcome.state = "installed";
    return true;
  }
  outcome.state = "failed";
  outcome.error = report.error.empty() ? "install failed" : report.error;
  for (const auto& s : report.steps) {
    if (s.outcome == sdk::step_outcome::failed) stderr_tail = s.stderr_tail;
  }
  return false;
}

void host_runner::record_install(const module_plan& p, module_outcome outcome, const std::string& stderr_tail) {
  if (outcome.state == "uninstalled") {
    log_->module_line(p.id, "uninstalled");
    out_.uninstalled.push_back(p.id);
  } else if (outcome.state == "installed") {
    log_->module_line(p.id, "install marked complete");
    out_.installed.push_back(p.id);
  } else {
    outcome.error = redact(outcome.error);
    log_->module_line(p.id, std::string{to_string(p.action)} + " failed: " + outcome.error);
    if (!stderr_tail.empty()) log_->module_line(p.id, "stderr tail: " + tail_of(stderr_tail, stderr_tail_keep));
    out_.failed.push_back(p.id);
  }
  manifest_.modules[p.id] = install_record(outcome, p, s_.run_id, stderr_tail, s_.redact);
  emit(run_event_kind::module_finished, p.id, "", outcome.state, outcome.error);
  out_.outcomes.push_back(std::move(outcome));
}

void host_runner::finish(const std::string& status, const std::string& error) {
  out_.status = status;
  if (manifest_.last_run) {
    manifest_.last_run->state = "finished";
    manifest_.last_run->status = status;
    manifest_.last_run->finished_at = utc_timestamp();
    manifest_.last_run->error = error;
  }
  save();
  log_->line("Install orchestration complete. status=" + status + " status_path=" + out_.status_path.string());
}

bool host_runner::save() {
  manifest_.updated_at = utc_timestamp();
  auto saved = save_manifest(out_.status_path, manifest_);
  if (saved) {
    out_.status_written = true;
    return true;
  }
  out_.failure = host_failure::local_io;
  out_.error = saved.error().message;
  out_.status = "failed";
  if (log_ != nullptr) log_->line("cannot write the status manifest: " + saved.error().message);
  return false;
}

}  // namespace rio::kernel::engine::detail
