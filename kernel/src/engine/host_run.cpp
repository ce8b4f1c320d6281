#include <rio/kernel/engine/host_run.hpp>

#include "logging_shell.hpp"

#include <rio/kernel/engine/durable_file.hpp>
#include <rio/kernel/engine/earlier_manifest.hpp>
#include <rio/kernel/engine/host_key.hpp>
#include <rio/kernel/engine/host_lock.hpp>
#include <rio/kernel/engine/run_log.hpp>
#include <rio/kernel/engine/status_manifest.hpp>
#include <rio/kernel/plugin_call.hpp>

#include <boost/asio/this_coro.hpp>

#include <optional>
#include <set>
#include <unistd.h>

namespace rio::kernel::engine {
namespace asio = boost::asio;
namespace fs = std::filesystem;

std::string address_of(const ssh::target& t) {
  std::string host = t.host.find(':') != std::string::npos && !t.host.starts_with("[") ? "[" + t.host + "]" : t.host;
  return (t.user.empty() ? std::string{} : t.user + "@") + host + ":" + std::to_string(t.port);
}

namespace {

constexpr std::size_t stderr_tail_keep = 2000;

std::string describe_ms(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

std::string tail_of(const std::string& text, std::size_t keep) {
  return text.size() <= keep ? text : "..." + text.substr(text.size() - keep);
}

// Logs steps as they start and finish, and forwards them as run events.
class step_logger final : public sdk::run_observer {
 public:
  step_logger(run_log& log, detail::logging_shell& shell, const run_settings& settings, std::string host,
              std::string module)
      : log_(log), shell_(shell), settings_(settings), host_(std::move(host)), module_(std::move(module)) {}

  void on_step_started(const sdk::step_spec& step) override {
    shell_.set_context(module_, step.id);
    log_.module_line(module_, "step " + step.id + ": " + step.description);
  }
  void on_step_finished(const sdk::step_result& r) override {
    std::string text = "step " + r.id + " " + sdk::to_string(r.outcome);
    if (r.outcome != sdk::step_outcome::not_run) {
      text += " (exit " + std::to_string(r.exit_code) + ", " + describe_ms(r.duration) + ")";
    }
    if (!r.reason.empty()) text += ": " + r.reason;
    log_.module_line(module_, text);
    shell_.set_context(module_, "");
    emit(run_event_kind::step_finished, r.id, sdk::to_string(r.outcome), text);
  }
  void on_sync_finished(const sdk::sync_result& r) override {
    std::string text = "sync " + r.source + " -> " + r.destination + ": " + sdk::to_string(r.outcome);
    if (!r.reason.empty()) text += " (" + r.reason + ")";
    log_.module_line(module_, text);
  }
  void emit(run_event_kind kind, std::string step, std::string state, std::string detail) {
    if (!settings_.on_event) return;
    // Events reach API clients: the same redaction as the log.
    detail = settings_.redact != nullptr ? settings_.redact->apply(detail) : redactor{}.apply(detail);
    settings_.on_event(run_event{kind, settings_.run_id, host_, module_, std::move(step), std::move(state), std::move(detail)});
  }

 private:
  run_log& log_;
  detail::logging_shell& shell_;
  const run_settings& settings_;
  std::string host_;
  std::string module_;
};

std::chrono::milliseconds install_deadline(const sdk::module_spec& spec) {
  std::chrono::seconds total{60};
  for (const auto& step : spec.install_steps) total += step.timeout + std::min<std::chrono::seconds>(step.timeout, std::chrono::seconds{120});
  total += std::chrono::seconds{300} * static_cast<long>(spec.config_sync.size());
  return total;
}

std::vector<step_record> step_records(const std::vector<sdk::step_result>& steps, const redactor* redact) {
  std::vector<step_record> out;
  for (const auto& s : steps) {
    out.push_back({s.id, sdk::to_string(s.outcome), s.exit_code, static_cast<std::int64_t>(s.duration.count()),
                   redact ? redact->apply(s.reason) : s.reason});
  }
  return out;
}

class host_runner {
 public:
  host_runner(ssh::session_pool& pool, const run_settings& settings, host_request request)
      : pool_(pool), s_(settings), req_(std::move(request)) {
    out_.host = req_.name;
    out_.address = address_of(req_.where);
    out_.run_id = s_.run_id;
    token_ = record_token(req_.name, req_.where.host, req_.where.port);
    out_.status_path = s_.paths.status_file(token_);
    out_.log_path = s_.paths.log_file(token_);
  }

  asio::awaitable<host_result> run() {
    // Cancellation is checked explicitly below; a nested co_await must not throw once the run
    // is cancelled, or the manifest and log could not be closed properly.
    co_await asio::this_coro::throw_if_cancelled(false);
    const auto started = std::chrono::steady_clock::now();
    emit(run_event_kind::host_started, "", "", "", out_.address);
    co_await run_inner();
    // The host is done: its connection slot goes to the next host (fleets larger than the pool).
    co_await pool_.close(req_.where);
    if (out_.status.empty()) out_.status = "failed";
    out_.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    emit(run_event_kind::host_finished, "", "", out_.status, out_.error);
    co_return std::move(out_);
  }

 private:
  asio::awaitable<void> run_inner() {
    std::optional<host_lock> lock;
    if (!s_.dry_run) {
      const fs::path lock_file = s_.paths.lock_file(lock_token(req_.where.host, req_.where.port));
      result<host_lock> taken = fail(errc::host_busy, "");
      if (s_.wait_for_lock) {
        taken = co_await host_lock::acquire(lock_file, req_.name, s_.run_id, s_.lock_patience);
      } else {
        taken = host_lock::try_acquire(lock_file, req_.name, s_.run_id);
      }
      if (!taken) {
        const auto& code = taken.error().code;
        co_return host_failed(code == make_error_code(errc::host_busy)           ? host_failure::busy
                              : code == make_error_code(sdk::errc::cancelled) ? host_failure::cancelled
                                                                              : host_failure::local_io,
                              taken.error().message);
      }
      lock.emplace(std::move(*taken));
      adopt_legacy_manifest();
      // Holding the lock, any temp file beside the manifest is a killed run's (SIGKILL mid-write).
      if (auto n = remove_stale_temp_files(out_.status_path); n > 0) {
        out_.warnings.push_back("removed " + std::to_string(n) + " temp file(s) that a killed run left beside the status manifest");
      }
    }

    load_previous_manifest();
    auto batch = build_detect_batch(req_.modules, s_.asset_root);
    if (!batch) co_return host_failed(host_failure::local_io, batch.error().message);

    if (co_await cancelled()) co_return host_failed(host_failure::cancelled, "run cancelled before connecting");
    // A connection is needed to detect, and to apply unless the run only records.
    const bool needs_host = s_.probe || (!s_.dry_run && !s_.record_only);
    result<std::shared_ptr<ssh::session>> session = sdk::fail(sdk::errc::exec_failed, "not connected");
    if (needs_host) {
      auto options = connect_options();
      session = co_await pool_.get(options);
      if (!session) note_unreachable(session.error());
      if (co_await cancelled()) co_return host_failed(host_failure::cancelled, "run cancelled while connecting");
    }
    std::vector<module_detection> found;
    if (!s_.probe) {
      result<sdk::exec_result> skipped = sdk::fail(sdk::errc::not_supported, "detection skipped: the request set probe to false");
      found = read_detect_report(*batch, skipped);
    } else if (!session) {
      result<sdk::exec_result> none = session.error();
      found = read_detect_report(*batch, none);
    } else {
      note_session(*session);
      sdk::exec_request detect;
      detect.command = batch->script;
      detect.timeout = batch->timeout;
      detect.env = req_.env;
      ++out_.remote_commands;
      auto ran = co_await (*session)->exec(std::move(detect));
      found = read_detect_report(*batch, ran);
      if (ran && !ran->timed_out) out_.facts = parse_host_facts(ran->stdout_tail, batch->tools, batch->disk_paths.size());
    }
    for (std::size_t i = 0; i < req_.modules.size(); ++i) {
      auto it = manifest_.modules.find(req_.modules[i].spec().id);
      out_.plan.push_back(plan_module(req_.modules[i], std::move(found[i]), it == manifest_.modules.end() ? nullptr : &it->second));
      module_plan& p = out_.plan.back();
      const std::size_t disk = batch->module_disk[i];
      if (disk < out_.facts.disk.size()) p.disk_free_mib = out_.facts.disk[disk];
      p.disk_need_mib = disk_need_mib(req_.modules[i].spec(), s_.preflight);
      block_on_preflight(p, check_module(req_.modules[i], p.found, out_.facts, disk, s_.preflight));
      emit(run_event_kind::module_planned, p.id, "", to_string(p.action), p.reason);
    }

    if (s_.dry_run) {
      out_.status = "dry_run";
      if (needs_host && !session) {
        out_.failure = host_failure::unreachable;
        out_.error = redact(session.error().describe());
      }
      co_return;
    }

    auto log = run_log::open(out_.log_path, s_.run_id, s_.redact);
    if (!log) co_return host_failed(host_failure::local_io, log.error().message);
    log_ = &*log;
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

  asio::awaitable<void> apply(std::shared_ptr<ssh::session> session, std::string connect_error) {
    std::string modules;
    for (const auto& m : req_.modules) modules += (modules.empty() ? "" : ",") + m.spec().id;
    log_->line("Starting remote install orchestration for host=" + req_.name + " address=" + out_.address +
               " modules=" + modules);
    for (const auto& w : out_.warnings) log_->line("warning: " + w);
    for (const auto& p : out_.plan) {
      log_->module_line(p.id, std::string{"detect: "} + sdk::to_string(p.found.detect.state) + " (" + p.found.detect.evidence + ")");
      log_->module_line(p.id, std::string{"plan: "} + to_string(p.action) + " (" + p.reason + ")");
    }

    manifest_.host = req_.name;
    manifest_.address = out_.address;
    manifest_.last_run = run_record{s_.run_id, "running", "", utc_timestamp(), "", static_cast<std::int64_t>(::getpid()), ""};
    if (!save()) co_return;

    if (!session && !s_.record_only) {
      const std::string why = "cannot connect: " + connect_error;
      log_->line(why);
      for (const auto& p : out_.plan) out_.failed.push_back(p.id);
      out_.failure = host_failure::unreachable;
      out_.error = redact(connect_error);
      finish("failed", out_.error);
      co_return;
    }

    for (std::size_t i = 0; i < out_.plan.size(); ++i) {
      const module_plan& p = out_.plan[i];
      if (co_await cancelled()) {
        record_cancelled(i);
        save();
        finish("cancelled", "run cancelled");
        co_return;
      }
      if (p.action == plan_action::noop) {
        record_noop(p);
      } else if (s_.record_only) {
        record_only(p);
      } else if (p.action == plan_action::blocked) {
        record_blocked(p);
      } else {
        co_await install_module(req_.modules[i], p);
      }
      if (!save()) co_return;
    }
    const bool was_cancelled = co_await cancelled();
    if (was_cancelled) {
      out_.failure = host_failure::cancelled;
      out_.error = "run cancelled";
    }
    std::string status = was_cancelled                ? "cancelled"
                         : !out_.failed.empty()         ? "failed"
                         : !out_.installed.empty()      ? "installed"
                         : !out_.recorded.empty()       ? "recorded"
                                                        : "noop";
    finish(status, was_cancelled ? "run cancelled" : "");
  }

  // Modules from `first` on never ran: recorded as failed (so the next run plans them), with why.
  void record_cancelled(std::size_t first) {
    out_.failure = host_failure::cancelled;
    out_.error = "run cancelled";
    for (std::size_t i = first; i < out_.plan.size(); ++i) {
      const module_plan& p = out_.plan[i];
      log_->module_line(p.id, "not started: run cancelled");
      out_.failed.push_back(p.id);
      module_record rec;
      auto prev = manifest_.modules.find(p.id);
      if (prev != manifest_.modules.end()) rec = prev->second;  // what was known stays known
      if (rec.state.empty() || rec.state == "failed") {
        rec.state = "failed";
        rec.failed_at = utc_timestamp();
        rec.error = "run " + s_.run_id + " was cancelled before this module";
      }
      rec.reason = "run " + s_.run_id + " was cancelled before this module";
      rec.run_id = s_.run_id;
      rec.notes = p.notes;
      rec.tags = p.tags;
      rec.updated_at = utc_timestamp();
      manifest_.modules[p.id] = std::move(rec);
      out_.outcomes.push_back({p.id, "failed", "run cancelled", {}, {}});
      emit(run_event_kind::module_finished, p.id, "", "failed", "run cancelled");
    }
  }

  // record_only: nothing runs on the host, and nothing claims it did (the original said "installed").
  void record_only(const module_plan& p) {
    log_->module_line(p.id, "recorded only: nothing ran on the host (" + p.reason + ")");
    out_.recorded.push_back(p.id);
    module_record rec;
    rec.state = "recorded";
    rec.notes = p.notes;
    rec.tags = p.tags;
    rec.reason = "recorded by run " + s_.run_id + " without running anything: " + p.reason;
    rec.run_id = s_.run_id;
    rec.updated_at = utc_timestamp();
    manifest_.modules[p.id] = std::move(rec);
    out_.outcomes.push_back({p.id, "recorded", "", {}, {}});
    emit(run_event_kind::module_finished, p.id, "", "recorded", p.reason);
  }

  // The preflight refused the module: nothing ran, and the manifest says why (the next run re-checks).
  void record_blocked(const module_plan& p) {
    log_->module_line(p.id, "refused: " + p.reason);
    out_.failed.push_back(p.id);
    module_record rec;
    auto prev = manifest_.modules.find(p.id);
    if (prev != manifest_.modules.end()) rec = prev->second;
    rec.state = "failed";
    rec.failed_at = utc_timestamp();
    rec.error = p.reason;
    rec.reason = p.reason;
    rec.notes = p.notes;
    rec.tags = p.tags;
    rec.run_id = s_.run_id;
    rec.steps.clear();
    rec.stderr_tail.clear();
    rec.updated_at = rec.failed_at;
    manifest_.modules[p.id] = std::move(rec);
    out_.outcomes.push_back({p.id, "failed", p.reason, {}, {}});
    emit(run_event_kind::module_finished, p.id, "", "failed", p.reason);
  }

  asio::awaitable<bool> cancelled() {
    auto state = co_await asio::this_coro::cancellation_state;
    co_return state.cancelled() != asio::cancellation_type::none;
  }

  void record_noop(const module_plan& p) {
    log_->module_line(p.id, "no-op (" + p.reason + ")");
    out_.skipped.push_back(p.id);
    module_record rec;
    auto prev = manifest_.modules.find(p.id);
    if (prev != manifest_.modules.end() && prev->second.state == "installed") rec.installed_at = prev->second.installed_at;
    rec.state = "installed";
    rec.notes = p.notes;
    rec.tags = p.tags;
    rec.reason = p.reason;
    rec.detected = true;
    rec.run_id = s_.run_id;
    rec.updated_at = utc_timestamp();
    manifest_.modules[p.id] = std::move(rec);  // replaced, so a stale error never sits beside "installed"
    out_.outcomes.push_back({p.id, "skipped", "", {}, {}});
    emit(run_event_kind::module_finished, p.id, "", "skipped", p.reason);
  }

  asio::awaitable<void> install_module(const module_request& m, const module_plan& p) {
    log_->module_line(p.id, "install begin \u2192 " + p.name);
    module_outcome outcome{p.id, "failed", "", {}, {}};
    std::string stderr_tail;

    const ssh::connect_options options = connect_options();
    auto session = co_await pool_.get(options);
    if (!session) note_unreachable(session.error());
    if (co_await cancelled()) {
      outcome.error = "run cancelled";
    } else if (!session) {
      outcome.error = "cannot reconnect: " + session.error().describe();
    } else {
      note_session(*session);
      detail::logging_shell shell{*session, log_, out_.remote_commands};
      shell.set_context(p.id, "");
      step_logger logger{*log_, shell, s_, req_.name, p.id};
      // Package steps use the manager the preflight chose from /etc/os-release (rio_pkg_manager).
      auto env = req_.env;
      if (!out_.facts.pkg_manager.empty()) env.emplace_back("RIO_PKG_MANAGER", out_.facts.pkg_manager);
      sdk::run_context ctx{shell, m.options, s_.asset_root, env, &logger};
      sdk::installer* installer = const_cast<sdk::installer*>(m.installer);
      const std::string what = "module '" + p.id + "' install";
      const auto deadline = install_deadline(m.spec());
      auto report = co_await call_plugin<sdk::install_report>(what, deadline, [installer, &ctx] { return installer->install(ctx); });
      if (!report) {
        outcome.error = report.error().describe();
      } else {
        outcome.steps = report->steps;
        outcome.sync = report->sync;
        // Remote text can echo credentials: redact before it reaches records and responses.
        for (auto& st : outcome.steps) {
          st.reason = redact(st.reason);
          st.stderr_tail = redact(st.stderr_tail);
        }
        for (auto& e : outcome.sync.entries) e.reason = redact(e.reason);
        outcome.sync.error = redact(outcome.sync.error);
        if (report->state == sdk::install_state::installed) {
          outcome.state = "installed";
        } else {
          outcome.error = report->error.empty() ? "install failed" : report->error;
          for (const auto& s : report->steps) {
            if (s.outcome == sdk::step_outcome::failed) stderr_tail = s.stderr_tail;
          }
        }
      }
    }

    module_record rec;
    rec.state = outcome.state;
    rec.notes = p.notes;
    rec.tags = p.tags;
    rec.run_id = s_.run_id;
    rec.steps = step_records(outcome.steps, s_.redact);
    rec.updated_at = utc_timestamp();
    rec.detected = false;
    if (outcome.state == "installed") {
      rec.installed_at = rec.updated_at;
      rec.reason = "installed by run " + s_.run_id;
      log_->module_line(p.id, "install marked complete");
      out_.installed.push_back(p.id);
    } else {
      outcome.error = redact(outcome.error);
      rec.failed_at = rec.updated_at;
      rec.error = outcome.error;
      rec.reason = outcome.error;
      rec.stderr_tail = redact(tail_of(stderr_tail, stderr_tail_keep));
      log_->module_line(p.id, "install failed: " + outcome.error);
      if (!stderr_tail.empty()) log_->module_line(p.id, "stderr tail: " + tail_of(stderr_tail, stderr_tail_keep));
      out_.failed.push_back(p.id);
    }
    manifest_.modules[p.id] = std::move(rec);
    emit(run_event_kind::module_finished, p.id, "", outcome.state, outcome.error);
    out_.outcomes.push_back(std::move(outcome));
  }

  void finish(const std::string& status, const std::string& error) {
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

  bool save() {
    manifest_.updated_at = utc_timestamp();
    auto saved = save_manifest(out_.status_path, manifest_);
    if (saved) return true;
    out_.failure = host_failure::local_io;
    out_.error = saved.error().message;
    out_.status = "failed";
    if (log_ != nullptr) log_->line("cannot write the status manifest: " + saved.error().message);
    return false;
  }

  // A manifest an earlier writer left under another name (rio before host names were canonical,
  // or the Python original) moves to record_token's name, under the lock, so its history stays
  // with the host.
  void adopt_legacy_manifest() {
    auto from = earlier_manifest(s_.paths, req_.name, req_.where.host, req_.where.port);
    if (!from) return;
    std::error_code ec;
    fs::rename(*from, out_.status_path, ec);
    if (!ec) out_.warnings.push_back("moved the status manifest " + from->string() + " to " + out_.status_path.string());
  }

  void load_previous_manifest() {
    // A dry run moves nothing: it reads an earlier writer's manifest where it is.
    const auto earlier = s_.dry_run ? earlier_manifest(s_.paths, req_.name, req_.where.host, req_.where.port) : std::nullopt;
    auto loaded = load_manifest(earlier ? *earlier : out_.status_path, req_.name);
    if (loaded) {
      manifest_ = std::move(*loaded);
      return;
    }
    manifest_ = host_manifest{};
    manifest_.host = req_.name;
    if (s_.dry_run) {
      out_.warnings.push_back("the status manifest is unreadable and is ignored: " + loaded.error().message);
      return;
    }
    auto aside = quarantine_manifest(out_.status_path);
    out_.warnings.push_back(aside ? "the status manifest was unreadable (" + loaded.error().message + "); kept as " +
                                        aside->string() + " and started afresh"
                                  : "the status manifest is unreadable: " + loaded.error().message);
  }

  ssh::connect_options connect_options() const {
    ssh::connect_options o;
    o.where = req_.where;
    o.hosts = s_.known_hosts;
    if (s_.dry_run && o.hosts.policy == ssh::host_key_policy::accept_new) {
      o.hosts.policy = ssh::host_key_policy::accept_new_unrecorded;  // a dry run creates no files
    }
    o.auth = req_.auth;
    o.connect_timeout = s_.connect_timeout;
    return o;
  }

  void note_unreachable(const sdk::error& e) {
    out_.connection_errors.push_back(redact(e.describe()));
    out_.connection_errors.push_back(redact(e.message));
  }

  void note_session(const std::shared_ptr<ssh::session>& s) {
    if (seen_sessions_.insert(s.get()).second) ++out_.connections;
  }

  void host_failed(host_failure f, const std::string& why) {
    out_.failure = f;
    out_.error = redact(why);
    out_.status = f == host_failure::cancelled ? "cancelled" : "failed";
    for (const auto& m : req_.modules) out_.failed.push_back(m.spec().id);
  }

  // Without a redactor the patterns (URL credentials, Bearer tokens) still apply.
  std::string redact(const std::string& text) const { return s_.redact ? s_.redact->apply(text) : redactor{}.apply(text); }

  void emit(run_event_kind kind, std::string module, std::string step, std::string state, std::string detail) {
    if (!s_.on_event) return;
    s_.on_event(run_event{kind, s_.run_id, req_.name, std::move(module), std::move(step), std::move(state), redact(detail)});
  }

  ssh::session_pool& pool_;
  const run_settings& s_;
  host_request req_;
  std::string token_;
  host_result out_;
  host_manifest manifest_;
  run_log* log_ = nullptr;
  std::set<const void*> seen_sessions_;
};

}  // namespace

asio::awaitable<host_result> run_host(ssh::session_pool& pool, const run_settings& settings, host_request request) {
  host_runner runner{pool, settings, std::move(request)};
  co_return co_await runner.run();
}

}  // namespace rio::kernel::engine
