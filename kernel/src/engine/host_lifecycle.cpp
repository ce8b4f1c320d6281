// The verbs after install on one host (lifecycle.hpp): the host's pin and --to before
// detection, the uninstall survey in the plan, and update, rollback and uninstall in the apply
// phase. Each runs the module's declared lifecycle steps (sdk::lifecycle_spec) through the SDK's
// step runner, so they log, report and time out exactly as install steps do.
#include "host_runner.hpp"
#include "module_records.hpp"

#include <rio/kernel/engine/lifecycle_plan.hpp>
#include <rio/kernel/engine/lifecycle_scripts.hpp>
#include <rio/kernel/plugin_call.hpp>
#include <rio/sdk/data_installer.hpp>
#include <rio/sdk/shell.hpp>

#include <algorithm>

namespace rio::kernel::engine::detail {
namespace asio = boost::asio;

namespace {

// Every lifecycle command finds the module's rollback point in $RIO_ROLLBACK_DIR. Module ids are
// [a-z][a-z0-9_-]* (spec_validation), so the path always quotes.
std::string rollback_export(const std::string& id) {
  return "RIO_ROLLBACK_DIR=" + sdk::shell_quote_path(sdk::rollback_dir(id)).value() + "; export RIO_ROLLBACK_DIR\n";
}

std::vector<sdk::step_spec> with_rollback_dir(std::vector<sdk::step_spec> steps, const std::string& id) {
  for (auto& s : steps) {
    s.command = rollback_export(id) + s.command;
    if (!s.done_check.empty()) s.done_check = rollback_export(id) + s.done_check;
  }
  return steps;
}

std::chrono::milliseconds steps_deadline(const std::vector<sdk::step_spec>& steps) {
  std::chrono::seconds total{60};
  for (const auto& s : steps) total += s.timeout + std::min<std::chrono::seconds>(s.timeout, std::chrono::seconds{120});
  return total;
}

// The step that created `id`: an install step or one of the lifecycle lists.
const sdk::step_spec* find_step(const sdk::module_spec& spec, const std::string& id) {
  for (const auto* list : {&spec.install_steps, &spec.lifecycle.update, &spec.lifecycle.rollback}) {
    auto it = std::find_if(list->begin(), list->end(), [&](const sdk::step_spec& s) { return s.id == id; });
    if (it != list->end()) return &*it;
  }
  return nullptr;
}

void add_created(module_record& rec, created_record c) {
  auto same = [&](const created_record& e) { return e.path == c.path; };
  if (std::none_of(rec.created.begin(), rec.created.end(), same)) rec.created.push_back(std::move(c));
}

const char* removal_name(sdk::removal k) {
  switch (k) {
    case sdk::removal::checkout: return "checkout";
    case sdk::removal::purge: return "purge";
    case sdk::removal::owned: break;
  }
  return "owned";
}

}  // namespace

// --to for an update, else the host's pin where the request names no version itself: the run
// (detection included) sees the version it will move to or keep.
void host_runner::apply_pins() {
  for (auto& m : req_.modules) {
    const std::string& option = m.spec().version_option;
    if (option.empty()) continue;
    const bool update = s_.lifecycle.verb == run_verb::update;
    if (update && !s_.lifecycle.to.empty()) {
      m.options[option] = s_.lifecycle.to;
      continue;
    }
    const module_record* rec = previous_record(m.spec().id);
    if (m.version_given || rec == nullptr || rec->pin.empty() || (update && s_.lifecycle.unpin)) continue;
    m.options[option] = rec->pin;
  }
}

// rio uninstall's plan: which recorded paths are still there, and which files in a checkout are
// not rio's (kept, or with --purge removed), in one command.
asio::awaitable<void> host_runner::survey_removals(const session_result& session) {
  if (s_.lifecycle.verb != run_verb::uninstall || !session) co_return;
  std::vector<survey_module> modules;
  for (std::size_t i = 0; i < out_.plan.size(); ++i) {
    if (out_.plan[i].action != plan_action::uninstall) continue;
    std::string purge_lists;
    if (s_.lifecycle.purge && !req_.modules[i].spec().lifecycle.purge_lists.empty()) {
      auto rendered = sdk::render_command(req_.modules[i].spec().lifecycle.purge_lists, req_.modules[i].spec(), req_.modules[i].options);
      if (rendered) purge_lists = std::move(*rendered);
    }
    modules.push_back({i, &out_.plan[i].removals, std::move(purge_lists)});
  }
  if (modules.empty()) co_return;
  auto script = survey_script(modules);
  if (!script) co_return out_.warnings.push_back("cannot survey what uninstall removes: " + script.error().message);
  sdk::exec_request request;
  request.command = sdk::with_prelude(*script);
  request.timeout = std::chrono::seconds{60};
  request.env = req_.env;
  ++out_.remote_commands;
  auto ran = co_await (*session)->exec(std::move(request));
  if (!ran || ran->exit_code != 0) co_return out_.warnings.push_back("cannot survey what uninstall removes: the command failed");
  for (const auto& m : modules) read_survey(ran->stdout_tail, m, out_.plan[m.plan_index].purge_list);
}

asio::awaitable<bool> host_runner::run_lifecycle_steps(const module_request& m, const std::vector<sdk::step_spec>& steps,
                                                       sdk::run_context& ctx, module_outcome& outcome,
                                                       std::string& stderr_tail) {
  if (steps.empty()) co_return true;
  auto list = with_rollback_dir(steps, m.spec().id);
  const sdk::module_spec& spec = m.spec();
  auto report = co_await call_plugin<sdk::install_report>("module '" + spec.id + "' lifecycle steps", steps_deadline(list),
                                                          [&spec, &list, &ctx] { return sdk::run_steps(spec, list, ctx); });
  if (!report) {
    outcome.state = "failed";
    outcome.error = report.error().describe();
    co_return false;
  }
  co_return take_report(*report, outcome, stderr_tail);
}

// Before an update changes anything: the module's save_rollback runs in an empty directory that
// becomes the rollback point only when it succeeded, so a failed or killed save never replaces
// the last good one. The manifest records it at once: a killed update can still be rolled back.
asio::awaitable<bool> host_runner::save_rollback_point(const module_request& m, const module_plan& p,
                                                       sdk::remote_shell& shell, module_outcome& outcome) {
  const sdk::module_spec& spec = m.spec();
  if (spec.lifecycle.save_rollback.empty()) co_return true;
  sdk::step_result step{"save-rollback", "Save what a rollback needs (" + sdk::rollback_dir(spec.id) + ").",
                        sdk::step_outcome::failed, -1, {}, {}, {}};
  auto body = sdk::render_command(spec.lifecycle.save_rollback, spec, m.options);
  sdk::exec_request req;
  req.command = sdk::with_prelude(rollback_export(spec.id) + save_rollback_wrapper(body ? *body : std::string{}));
  req.timeout = std::chrono::seconds{300};
  req.env = req_.env;
  // No co_await inside ?: GCC 12 miscompiles the temporaries of a conditional around one.
  result<sdk::exec_result> ran = body ? result<sdk::exec_result>{sdk::exec_result{}} : result<sdk::exec_result>{body.error()};
  if (body) ran = co_await shell.exec(std::move(req));
  if (ran) step.exit_code = ran->exit_code;
  if (!ran || !ran->ok()) {
    step.reason = redact(ran ? "exit code " + std::to_string(ran->exit_code) : ran.error().describe());
    step.stderr_tail = ran ? redact(ran->stderr_tail) : std::string{};
    outcome.steps.push_back(step);
    outcome.state = "failed";
    outcome.error = "could not save the rollback point, so nothing was changed: " + step.reason;
    co_return false;
  }
  step.outcome = sdk::step_outcome::done;
  outcome.steps.push_back(std::move(step));
  manifest_.modules[spec.id].rollback = rollback_record{p.installed_version, utc_timestamp(), s_.run_id};
  if (save()) co_return true;
  outcome.state = "failed";
  outcome.error = "the rollback point is saved on the host but could not be recorded, so nothing was changed: " + out_.error;
  co_return false;
}

asio::awaitable<void> host_runner::do_update(const module_request& m, const module_plan& p, sdk::run_context& ctx,
                                             module_outcome& outcome, std::string& stderr_tail) {
  const sdk::lifecycle_spec& life = m.spec().lifecycle;
  // Results of co_await go to a variable first: GCC 12 miscompiled `if (!co_await ...) co_return;`
  // in these coroutines (a ud2 on resumption).
  const bool saved_point = co_await save_rollback_point(m, p, ctx.shell, outcome);
  if (!saved_point) co_return;
  bool ok = co_await run_lifecycle_steps(m, life.update, ctx, outcome, stderr_tail);
  if (ok) {
    co_await do_install(m, ctx, outcome, stderr_tail);
    ok = outcome.state == "installed";
  }
  if (ok || s_.lifecycle.no_rollback || life.save_rollback.empty() || life.rollback.empty()) co_return;
  const std::string why = outcome.error;
  const std::string to = manifest_.modules[p.id].rollback ? manifest_.modules[p.id].rollback->version : std::string{};
  log_->module_line(p.id, "update failed (" + why + "); rolling back to " + (to.empty() ? "the saved point" : to));
  module_outcome back{p.id, "failed", "", {}, {}, ""};
  std::string back_tail;
  co_await do_rollback(m, ctx, back, back_tail);
  for (auto& s : back.steps) {
    s.id = "rollback/" + s.id;
    outcome.steps.push_back(std::move(s));
  }
  outcome.state = "failed";
  outcome.error = "update failed: " + why +
                  (back.state == "installed" ? "; rolled back to " + (to.empty() ? std::string{"the saved point"} : to)
                                             : "; the rollback failed too: " + back.error);
}

asio::awaitable<void> host_runner::do_rollback(const module_request& m, sdk::run_context& ctx, module_outcome& outcome,
                                               std::string& stderr_tail) {
  const bool restored = co_await run_lifecycle_steps(m, m.spec().lifecycle.rollback, ctx, outcome, stderr_tail);
  if (restored) co_await do_install(m, ctx, outcome, stderr_tail);
}

asio::awaitable<void> host_runner::do_uninstall(const module_request& m, const module_plan& p, sdk::run_context& ctx,
                                                module_outcome& outcome, std::string& stderr_tail) {
  const sdk::lifecycle_spec& life = m.spec().lifecycle;
  const bool stopped = co_await run_lifecycle_steps(m, life.stop, ctx, outcome, stderr_tail);
  if (!stopped) co_return;
  sdk::step_result removed{"remove", "Remove what rio created.", sdk::step_outcome::failed, -1, {}, {}, {}};
  auto script = removal_script(p.removals, s_.lifecycle.purge);
  sdk::exec_request req;
  req.command = sdk::with_prelude(script ? *script : std::string{});
  req.timeout = std::chrono::seconds{600};
  req.env = ctx.env;
  result<sdk::exec_result> ran = script ? result<sdk::exec_result>{sdk::exec_result{}} : result<sdk::exec_result>{script.error()};
  if (script) ran = co_await ctx.shell.exec(std::move(req));
  if (ran) removed.exit_code = ran->exit_code;
  if (!ran || !ran->ok()) {
    removed.reason = redact(ran ? "exit code " + std::to_string(ran->exit_code) : ran.error().describe());
    stderr_tail = ran ? redact(ran->stderr_tail) : std::string{};
    removed.stderr_tail = stderr_tail;
    outcome.steps.push_back(std::move(removed));
    outcome.state = "failed";
    outcome.error = "removing what rio created failed: " + outcome.steps.back().reason;
    co_return;
  }
  removed.outcome = sdk::step_outcome::done;
  outcome.steps.push_back(std::move(removed));
  if (s_.lifecycle.purge) {
    const bool purged = co_await run_lifecycle_steps(m, life.purge, ctx, outcome, stderr_tail);
    if (!purged) co_return;
  }
  outcome.state = "uninstalled";
  outcome.error.clear();
}

// After the record of a verb is written: what its steps created, the pin, the rollback point.
void host_runner::note_lifecycle(const module_request& m, const module_plan& p, const module_outcome& outcome) {
  module_record& rec = manifest_.modules[p.id];
  if (outcome.state == "uninstalled") {
    // What stays (a checkout's operator files, purge-only paths) stays recorded, as purge-only:
    // a later `rio uninstall --purge` can still remove it, and nothing else touches it.
    std::vector<created_record> left;
    for (const auto& r : p.removals) {
      if (r.action == "remove-tracked" || r.action == "keep") left.push_back({r.path, "purge", r.step});
    }
    rec.created = std::move(left);
    rec.rollback.reset();
    rec.pin_version.clear();
    rec.version.clear();
    rec.uninstalled_at = rec.updated_at;
    rec.reason = "uninstalled by run " + s_.run_id;
    return;
  }
  const sdk::module_spec& spec = m.spec();
  for (const auto& r : outcome.steps) {
    const sdk::step_spec* step = r.outcome == sdk::step_outcome::done ? find_step(spec, r.id) : nullptr;
    if (step == nullptr) continue;
    for (const auto& c : step->creates) {
      if (auto path = sdk::render_path(c.path, spec, m.options)) add_created(rec, {*path, removal_name(c.kind), step->id});
    }
  }
  for (const auto& e : outcome.sync.entries) {
    if (e.outcome == sdk::sync_outcome::uploaded) add_created(rec, {e.destination, "owned", "config-sync"});
  }
  const bool installed = outcome.state == "installed";
  if (!spec.version_option.empty()) {
    if (p.action == plan_action::update && s_.lifecycle.unpin) rec.pin.clear();
    if (m.version_given && installed) rec.pin = m.options.at(spec.version_option);
    if (rec.pin.empty()) rec.pin_version.clear();
    else if (installed) rec.pin_version = outcome.version;
  }
  if (!installed) return;
  if (p.action == plan_action::update) rec.reason = "updated by run " + s_.run_id + " from " + p.installed_version + " to " + outcome.version;
  if (p.action == plan_action::rollback) {
    rec.reason = "rolled back by run " + s_.run_id + " to " + outcome.version;
    rec.rollback.reset();  // used: a second rollback has no earlier point to return to
  }
}

}  // namespace rio::kernel::engine::detail
