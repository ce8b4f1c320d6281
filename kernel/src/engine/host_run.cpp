#include <rio/kernel/engine/host_run.hpp>

#include "host_runner.hpp"

#include <rio/kernel/engine/durable_file.hpp>
#include <rio/kernel/engine/earlier_manifest.hpp>
#include <rio/kernel/engine/hardware_choice.hpp>
#include <rio/kernel/engine/host_key.hpp>
#include <rio/kernel/engine/lifecycle_plan.hpp>

#include <boost/asio/this_coro.hpp>

namespace rio::kernel::engine {
namespace asio = boost::asio;
namespace fs = std::filesystem;

std::string address_of(const ssh::target& t) {
  std::string host = t.host.find(':') != std::string::npos && !t.host.starts_with("[") ? "[" + t.host + "]" : t.host;
  return (t.user.empty() ? std::string{} : t.user + "@") + host + ":" + std::to_string(t.port);
}

namespace {

// The plan shows each step's command as it will run: with this host's hardware choices, which
// the detect command could not know yet.
void show_resolved_commands(module_detection& found, const module_request& m) {
  const auto& steps = m.spec().install_steps;
  for (std::size_t i = 0; i < found.steps.size() && i < steps.size(); ++i) {
    if (auto shown = sdk::render_command(steps[i].command, m.spec(), m.options)) found.steps[i].command = std::move(*shown);
  }
}

}  // namespace

asio::awaitable<host_result> run_host(ssh::session_pool& pool, const run_settings& settings, host_request request) {
  detail::host_runner runner{pool, settings, std::move(request)};
  co_return co_await runner.run();
}

namespace detail {

host_runner::host_runner(ssh::session_pool& pool, const run_settings& settings, host_request request)
    : pool_(pool), s_(settings), req_(std::move(request)) {
  out_.host = req_.name;
  out_.address = address_of(req_.where);
  out_.run_id = s_.run_id;
  token_ = record_token(req_.name, req_.where.host, req_.where.port);
  out_.status_path = s_.paths.status_file(token_);
  out_.log_path = s_.paths.log_file(token_);
}

asio::awaitable<host_result> host_runner::run() {
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

asio::awaitable<void> host_runner::run_inner() {
  std::optional<host_lock> lock;  // held until the apply has ended
  if (!s_.dry_run) {
    const bool locked = co_await lock_host(lock);
    if (!locked) co_return;
  }

  load_previous_manifest();
  apply_pins();
  // Hardware options (a torch build on `auto`) are chosen from facts the detection itself reads:
  // until then, the module's checks see the value the last install recorded.
  std::vector<sdk::option_values> requested;
  for (auto& m : req_.modules) {
    requested.push_back(m.options);
    auto it = manifest_.modules.find(m.spec().id);
    use_recorded_hardware(m, it == manifest_.modules.end() ? nullptr : &it->second);
  }
  auto batch = build_detect_batch(req_.modules, s_.asset_root, s_.lifecycle.verb == run_verb::repair);
  if (!batch) co_return host_failed(host_failure::local_io, batch.error().message);

  if (co_await cancelled()) co_return host_failed(host_failure::cancelled, "run cancelled before connecting");
  // A connection is needed to detect, and to apply unless the run only records.
  const bool needs_host = s_.probe || (!s_.dry_run && !s_.record_only);
  session_result session = sdk::fail(sdk::errc::exec_failed, "not connected");
  if (needs_host) {
    session = co_await connect();
    if (co_await cancelled()) co_return host_failed(host_failure::cancelled, "run cancelled while connecting");
  }
  auto found = co_await detect(*batch, session);
  for (std::size_t i = 0; i < req_.modules.size(); ++i) req_.modules[i].options = std::move(requested[i]);
  plan_modules(*batch, std::move(found));
  co_await survey_removals(session);

  if (s_.dry_run) co_return finish_plan(needs_host, session);
  co_await open_log_and_apply(std::move(session));
}

// Takes the host's lock (waiting for it if asked). On failure the host has failed: busy,
// cancelled while waiting, or the lock file could not be written.
asio::awaitable<bool> host_runner::lock_host(std::optional<host_lock>& lock) {
  const fs::path lock_file = s_.paths.lock_file(lock_token(req_.where.host, req_.where.port));
  result<host_lock> taken = fail(errc::host_busy, "");
  if (s_.wait_for_lock) {
    taken = co_await host_lock::acquire(lock_file, req_.name, s_.run_id, s_.lock_patience);
  } else {
    taken = host_lock::try_acquire(lock_file, req_.name, s_.run_id);
  }
  if (!taken) {
    const auto& code = taken.error().code;
    host_failed(code == make_error_code(errc::host_busy)           ? host_failure::busy
                : code == make_error_code(sdk::errc::cancelled) ? host_failure::cancelled
                                                                : host_failure::local_io,
                taken.error().message);
    co_return false;
  }
  lock.emplace(std::move(*taken));
  adopt_legacy_manifest();
  // Holding the lock, any temp file beside the manifest is a killed run's (SIGKILL mid-write).
  if (auto n = remove_stale_temp_files(out_.status_path); n > 0) {
    out_.warnings.push_back("removed " + std::to_string(n) + " temp file(s) that a killed run left beside the status manifest");
  }
  co_return true;
}

asio::awaitable<host_runner::session_result> host_runner::connect() {
  const ssh::connect_options options = connect_options();
  auto session = co_await pool_.get(options);
  if (!session) note_unreachable(session.error());
  co_return session;
}

// One command runs every module's probes and done-checks, and the preflight. Without it (probe
// off, or no session) every module reads as unknown, and the evidence says why.
asio::awaitable<std::vector<module_detection>> host_runner::detect(const detect_batch& batch, const session_result& session) {
  if (!s_.probe) {
    result<sdk::exec_result> skipped = sdk::fail(sdk::errc::not_supported, "detection skipped: the request set probe to false");
    co_return read_detect_report(batch, skipped);
  }
  if (!session) {
    result<sdk::exec_result> none = session.error();
    co_return read_detect_report(batch, none);
  }
  note_session(*session);
  sdk::exec_request request;
  request.command = batch.script;
  request.timeout = batch.timeout;
  request.env = req_.env;
  ++out_.remote_commands;
  auto ran = co_await (*session)->exec(std::move(request));
  auto reading = read_detection(batch, ran);
  detect_failure_ = std::move(reading.failure);
  if (ran && !ran->timed_out) out_.facts = parse_host_facts(ran->stdout_tail, batch.tools, batch.disk_paths.size());
  co_return std::move(reading.modules);
}

void host_runner::plan_modules(const detect_batch& batch, std::vector<module_detection> found) {
  for (std::size_t i = 0; i < req_.modules.size(); ++i) {
    auto it = manifest_.modules.find(req_.modules[i].spec().id);
    hardware_resolution hardware = resolve_hardware(req_.modules[i], out_.facts);
    show_resolved_commands(found[i], req_.modules[i]);
    out_.plan.push_back(plan_module(req_.modules[i], std::move(found[i]), it == manifest_.modules.end() ? nullptr : &it->second));
    module_plan& p = out_.plan.back();
    p.hardware = std::move(hardware.notes);
    plan_verb(p, s_.lifecycle, it == manifest_.modules.end() ? nullptr : &it->second, req_.modules[i].spec());
    const std::size_t disk = batch.modules[i].disk;
    if (disk < out_.facts.disk.size()) p.disk_free_mib = out_.facts.disk[disk];
    p.disk_need_mib = disk_need_mib(req_.modules[i].spec(), s_.preflight);
    // A host that was reached but told nothing is not planned as an install: what would run,
    // and what is already there, are both unknown (a server that drops long commands, say).
    auto issues = detect_failure_.empty() ? check_module(req_.modules[i], p.found, out_.facts, disk, s_.preflight)
                                          : std::vector<preflight_issue>{{"detection", "detection failed: " + detect_failure_}};
    if (detect_failure_.empty() && s_.preflight.skip.count("torch") == 0) {
      for (auto& issue : hardware.issues) issues.push_back({issue.check, issue.message + " (override: skip check 'torch')"});
    }
    block_on_preflight(p, std::move(issues));
    emit(run_event_kind::module_planned, p.id, "", to_string(p.action), p.reason);
  }
}

// A plan ends here. Reachability first: status stays dry_run (the API's value for any plan), and
// `failure` says the host was not reached, or told nothing, so counts_as_failed() counts it.
void host_runner::finish_plan(bool needed_host, const session_result& session) {
  if (needed_host && !session) {
    out_.failure = host_failure::unreachable;
    out_.error = redact(session.error().describe());
  } else if (!detect_failure_.empty()) {
    out_.failure = host_failure::detection_failed;
    out_.error = redact("detection failed: " + detect_failure_);
  }
  out_.status = "dry_run";
}

// A manifest an earlier writer left under another name (rio before host names were canonical,
// or the Python original) moves to record_token's name, under the lock, so its history stays
// with the host.
void host_runner::adopt_legacy_manifest() {
  auto from = earlier_manifest(s_.paths, req_.name, req_.where.host, req_.where.port);
  if (!from) return;
  std::error_code ec;
  fs::rename(*from, out_.status_path, ec);
  if (!ec) out_.warnings.push_back("moved the status manifest " + from->string() + " to " + out_.status_path.string());
}

void host_runner::load_previous_manifest() {
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

ssh::connect_options host_runner::connect_options() const {
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

asio::awaitable<bool> host_runner::cancelled() {
  auto state = co_await asio::this_coro::cancellation_state;
  co_return state.cancelled() != asio::cancellation_type::none;
}

void host_runner::note_unreachable(const sdk::error& e) {
  out_.connection_errors.push_back(redact(e.describe()));
  out_.connection_errors.push_back(redact(e.message));
}

void host_runner::note_session(const std::shared_ptr<ssh::session>& s) {
  if (!seen_sessions_.insert(s.get()).second) return;
  ++out_.connections;
  if (!out_.connection.algorithms.kex.empty()) return;
  out_.connection = {s->algorithms(), s->host_key_fingerprint(), s->auth_method()};
  if (!s->host_key_warning().empty()) out_.warnings.push_back(s->host_key_warning());
  // libssh2 1.10 has no rsa-sha2-512/256 host keys: an RSA-only host's key is checked with SHA-1
  // signatures (session_connect.cpp). Said once per host, so the operator can act.
  if (out_.connection.algorithms.host_key == "ssh-rsa") {
    out_.warnings.push_back("the host's RSA key was verified with SHA-1 signatures (ssh-rsa): this libssh2 has no "
                            "rsa-sha2-512/256; give the host an ed25519 or ECDSA host key, or use the OpenSSH "
                            "transport (ssh_command)");
  }
}

void host_runner::host_failed(host_failure f, const std::string& why) {
  out_.failure = f;
  out_.error = redact(why);
  out_.status = f == host_failure::cancelled ? "cancelled" : "failed";
  for (const auto& m : req_.modules) out_.failed.push_back(m.spec().id);
}

// Without a redactor the patterns (URL credentials, Bearer tokens) still apply.
std::string host_runner::redact(const std::string& text) const {
  return s_.redact ? s_.redact->apply(text) : redactor{}.apply(text);
}

// update, rollback, repair, uninstall: a module's verb starts or ends (hooks on_remote_<verb>_*).
void host_runner::emit_verb(bool started, const module_plan& p, const module_outcome* outcome) {
  if (!s_.on_event || s_.lifecycle.verb == run_verb::install) return;
  run_event e;
  e.kind = started ? run_event_kind::verb_started : run_event_kind::verb_finished;
  e.run_id = s_.run_id;
  e.host = req_.name;
  e.module = p.id;
  e.state = to_string(s_.lifecycle.verb);
  if (started) {
    e.from_version = redact(p.installed_version);
    e.to_version = redact(p.wanted_version);
  } else if (outcome != nullptr) {
    e.step = outcome->state;
    e.to_version = redact(outcome->version);
    e.detail = redact(outcome->error);
  }
  s_.on_event(e);
}

void host_runner::emit(run_event_kind kind, std::string module, std::string step, std::string state, std::string detail) {
  if (!s_.on_event) return;
  s_.on_event(event_of(kind, s_.run_id, req_.name, std::move(module), std::move(step), std::move(state), redact(detail)));
}

}  // namespace detail
}  // namespace rio::kernel::engine
