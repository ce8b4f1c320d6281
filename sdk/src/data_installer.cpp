#include <rio/sdk/data_installer.hpp>

#include <rio/sdk/probe_script.hpp>
#include <rio/sdk/shell.hpp>

#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <system_error>

namespace rio::sdk {
namespace asio = boost::asio;
namespace {

// A done_check only looks; it never needs the step's full budget.
constexpr std::chrono::seconds max_check_timeout{120};

// Checked in place with `is_cancelled(co_await asio::this_coro::cancellation_state)`: once a
// coroutine is cancelled, co_awaiting any nested awaitable (even a helper that only reads the
// state) throws operation_aborted, so cancellation must be noticed before the next co_await.
bool is_cancelled(const asio::cancellation_state& state) {
  return state.cancelled() != asio::cancellation_type::none;
}

bool is_cancel(const error& e) { return e.code == make_error_code(errc::cancelled); }

std::string describe_failure(const exec_result& r) {
  if (r.timed_out) return "timed out after " + std::to_string(r.duration.count() / 1000) + " s";
  if (!r.signal.empty()) return "killed by signal " + r.signal;
  return "exit code " + std::to_string(r.exit_code);
}

exec_request make_request(std::string command, std::chrono::milliseconds timeout, const run_context& ctx) {
  exec_request request;
  request.command = with_prelude(command);
  request.timeout = timeout;
  request.env = ctx.env;
  return request;
}

}  // namespace

data_installer::data_installer(module_spec spec) : spec_(std::move(spec)) {
  auto& steps = spec_.install_steps;
  bool has_sentinel = std::any_of(steps.begin(), steps.end(), [](const step_spec& s) { return s.kind == step_kind::sentinel; });
  if (!has_sentinel) steps.push_back(sentinel_step(spec_));
  auto& probes = spec_.detect_steps;
  bool has_probe = std::any_of(probes.begin(), probes.end(), [](const probe_spec& p) { return p.id == "sentinel"; });
  if (!has_probe) probes.push_back(sentinel_probe(spec_));
}

asio::awaitable<result<detect_report>> data_installer::detect(run_context& ctx) {
  auto probes = render_probes(spec_, ctx.options);
  if (!probes) co_return probes.error();
  auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(probe_script_timeout(*probes));
  exec_request request;
  request.command = probe_script(*probes);
  request.timeout = timeout;
  request.env = ctx.env;
  auto ran = co_await ctx.shell.exec(std::move(request));

  detect_report unknown;
  unknown.state = detect_state::unknown;
  if (!ran) {
    if (is_cancel(ran.error())) co_return ran.error();
    unknown.evidence = "probes could not run: " + ran.error().describe();
    co_return unknown;
  }
  if (ran->timed_out) {
    unknown.evidence = "probes timed out after " + std::to_string(timeout.count() / 1000) + " s";
    co_return unknown;
  }
  auto statuses = parse_probe_report(ran->stdout_tail, probes->size());
  if (!statuses) {
    unknown.evidence = statuses.error().message;
    co_return unknown;
  }
  co_return make_detect_report(*probes, *statuses);
}

asio::awaitable<result<step_result>> data_installer::run_step(const step_spec& step, run_context& ctx) {
  co_return co_await sdk::run_step(spec_, step, ctx);
}

asio::awaitable<result<step_result>> run_step(const module_spec& spec, const step_spec& step, run_context& ctx) {
  step_result out;
  out.id = step.id;
  out.description = step.description;
  auto started = std::chrono::steady_clock::now();
  auto finish = [&](step_outcome outcome) {
    out.outcome = outcome;
    out.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    return out;
  };

  auto command = render_command(step.command, spec, ctx.options);
  if (!command) {
    out.reason = command.error().message;
    co_return finish(step_outcome::failed);
  }
  if (!step.done_check.empty()) {
    auto check = render_command(step.done_check, spec, ctx.options);
    if (!check) {
      out.reason = check.error().message;
      co_return finish(step_outcome::failed);
    }
    auto budget = std::min<std::chrono::milliseconds>(step.timeout, max_check_timeout);
    auto checked = co_await ctx.shell.exec(make_request(*check, budget, ctx));
    if (!checked) {
      if (is_cancel(checked.error())) co_return checked.error();
      out.reason = "done check could not run: " + checked.error().describe();
      co_return finish(step_outcome::failed);
    }
    if (checked->ok()) {
      out.exit_code = 0;
      co_return finish(step_outcome::already_done);
    }
  }

  if (is_cancelled(co_await asio::this_coro::cancellation_state)) {
    co_return fail(errc::cancelled, "step '" + step.id + "' cancelled");
  }
  auto ran = co_await ctx.shell.exec(make_request(*command, step.timeout, ctx));
  if (!ran) {
    if (is_cancel(ran.error())) co_return ran.error();
    out.reason = ran.error().describe();
    co_return finish(step_outcome::failed);
  }
  out.exit_code = ran->exit_code;
  if (ran->ok()) co_return finish(step_outcome::done);
  out.reason = describe_failure(*ran);
  out.stderr_tail = ran->stderr_tail;
  co_return finish(step_outcome::failed);
}

namespace {

// Every step starts as not run, so a report cut short still lists them all.
install_report pending_report(const std::vector<step_spec>& steps) {
  install_report report;
  for (const auto& step : steps) {
    step_result pending;
    pending.id = step.id;
    pending.description = step.description;
    report.steps.push_back(std::move(pending));
  }
  return report;
}

// False when the sync failed, which fails the install; before the sentinel it is the sentinel
// step's failure too.
bool record_sync(install_report& report, sync_report sync, step_result* sentinel) {
  report.sync = std::move(sync);
  if (report.sync.ok) return true;
  if (sentinel != nullptr) {
    sentinel->outcome = step_outcome::failed;
    sentinel->reason = "config sync failed: " + report.sync.error;
  }
  report.error = "config sync failed: " + report.sync.error;
  return false;
}

// False when the step failed: the install stops there.
bool record_step(install_report& report, std::size_t i, step_result result, const step_spec& step, run_observer* observer) {
  report.steps[i] = std::move(result);
  if (observer != nullptr) observer->on_step_finished(report.steps[i]);
  if (report.steps[i].outcome == step_outcome::failed) {
    report.error = "step '" + step.id + "' failed: " + report.steps[i].reason;
    return false;
  }
  if (step.kind == step_kind::sentinel) report.sentinel_written = true;
  return true;
}

}  // namespace

asio::awaitable<result<install_report>> data_installer::install(run_context& ctx) {
  install_report report = pending_report(spec_.install_steps);
  auto cancelled = [this] { return fail(errc::cancelled, "install of '" + spec_.id + "' cancelled"); };
  bool synced = false;
  bool failed = false;
  for (std::size_t i = 0; i < spec_.install_steps.size() && !failed; ++i) {
    const step_spec& step = spec_.install_steps[i];
    if (is_cancelled(co_await asio::this_coro::cancellation_state)) co_return cancelled();
    if (step.kind == step_kind::sentinel) {
      // Config sync runs before the sentinel: a host is only "installed" once its config is in place.
      auto sync = co_await sync_config(ctx);
      if (!sync) co_return sync.error();
      synced = true;
      if (!record_sync(report, std::move(*sync), &report.steps[i])) {
        failed = true;
        break;
      }
    }
    if (is_cancelled(co_await asio::this_coro::cancellation_state)) co_return cancelled();
    if (ctx.observer != nullptr) ctx.observer->on_step_started(step);
    auto result = co_await run_step(step, ctx);
    if (!result) co_return result.error();
    failed = !record_step(report, i, std::move(*result), step, ctx.observer);
  }
  if (!failed && !synced) {
    if (is_cancelled(co_await asio::this_coro::cancellation_state)) co_return cancelled();
    auto sync = co_await sync_config(ctx);
    if (!sync) co_return sync.error();
    failed = !record_sync(report, std::move(*sync), nullptr);
  }
  report.state = failed ? install_state::failed : install_state::installed;
  co_return report;
}

asio::awaitable<result<install_report>> run_steps(const module_spec& spec, const std::vector<step_spec>& steps,
                                                  run_context& ctx) {
  install_report report = pending_report(steps);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (is_cancelled(co_await asio::this_coro::cancellation_state)) {
      co_return fail(errc::cancelled, "steps of '" + spec.id + "' cancelled");
    }
    if (ctx.observer != nullptr) ctx.observer->on_step_started(steps[i]);
    auto result = co_await run_step(spec, steps[i], ctx);
    if (!result) co_return result.error();
    if (!record_step(report, i, std::move(*result), steps[i], ctx.observer)) co_return report;
  }
  report.state = install_state::installed;
  co_return report;
}

asio::awaitable<result<sync_report>> data_installer::sync_config(run_context& ctx) {
  sync_report report;
  for (const auto& entry : spec_.config_sync) {
    if (is_cancelled(co_await asio::this_coro::cancellation_state)) {
      co_return fail(errc::cancelled, "config sync of '" + spec_.id + "' cancelled");
    }
    sync_result item;
    item.source = entry.source;
    item.destination = entry.destination;
    item.description = entry.description;
    auto destination = render_path(entry.destination, spec_, ctx.options);
    if (!destination) {
      item.reason = destination.error().message;
    } else {
      item.destination = *destination;
      std::error_code ec;
      auto source = ctx.asset_root / entry.source;
      if (!std::filesystem::exists(source, ec)) {
        if (entry.optional) {
          item.outcome = sync_outcome::skipped_optional;
          item.reason = "optional source not present: " + entry.source;
        } else {
          item.reason = "missing required asset '" + entry.source + "' (looked for " + source.string() + ")";
        }
      } else {
        upload_request request;
        request.local = source;
        request.remote = *destination;
        request.no_clobber = true;
        auto up = co_await ctx.shell.upload(std::move(request));
        if (!up) {
          if (is_cancel(up.error())) co_return up.error();
          item.reason = "upload to " + *destination + " failed: " + up.error().describe();
        } else if (up->left_existing) {
          item.outcome = sync_outcome::destination_exists;
          item.reason = "destination exists; left untouched";
        } else {
          item.outcome = sync_outcome::uploaded;
        }
      }
    }
    if (ctx.observer != nullptr) ctx.observer->on_sync_finished(item);
    bool item_failed = item.outcome == sync_outcome::failed;
    if (item_failed) {
      report.ok = false;
      report.error = item.description + ": " + item.reason;
    }
    report.entries.push_back(std::move(item));
    if (item_failed) break;  // the first failure halts the module, as for steps
  }
  co_return report;
}

}  // namespace rio::sdk
