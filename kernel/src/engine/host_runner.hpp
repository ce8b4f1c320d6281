#pragma once
// The state of one host's run, and its two phases: host_run.cpp takes the lock, connects,
// detects and plans; host_apply.cpp opens the log, applies the plan module by module and records
// each outcome in the status manifest. Internal to the engine; run_host() is the public entry.

#include <rio/kernel/engine/host_lock.hpp>
#include <rio/kernel/engine/host_run.hpp>
#include <rio/kernel/engine/run_log.hpp>
#include <rio/kernel/engine/status_manifest.hpp>
#include <rio/sdk/reports.hpp>

#include <boost/asio/awaitable.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace rio::kernel::engine::detail {

class host_runner {
 public:
  host_runner(ssh::session_pool& pool, const run_settings& settings, host_request request);

  boost::asio::awaitable<host_result> run();

 private:
  using session_result = result<std::shared_ptr<ssh::session>>;

  // Plan phase (host_run.cpp).
  boost::asio::awaitable<void> run_inner();
  boost::asio::awaitable<bool> lock_host(std::optional<host_lock>& lock);
  boost::asio::awaitable<session_result> connect();
  boost::asio::awaitable<std::vector<module_detection>> detect(const detect_batch& batch, const session_result& session);
  void plan_modules(const detect_batch& batch, std::vector<module_detection> found);
  void finish_plan(bool needed_host, const session_result& session);
  void adopt_legacy_manifest();
  void load_previous_manifest();
  ssh::connect_options connect_options() const;

  // Apply phase (host_apply.cpp).
  boost::asio::awaitable<void> open_log_and_apply(session_result session);
  boost::asio::awaitable<void> apply(std::shared_ptr<ssh::session> session, std::string connect_error);
  void log_plan();
  void fail_unreachable(const std::string& connect_error);
  boost::asio::awaitable<bool> apply_modules();
  boost::asio::awaitable<void> finish_applied();
  const module_record* previous_record(const std::string& id) const;
  void record_cancelled(std::size_t first);
  void record_only(const module_plan& p);
  void record_blocked(const module_plan& p);
  void record_noop(const module_plan& p);
  boost::asio::awaitable<void> install_module(const module_request& m, const module_plan& p);
  boost::asio::awaitable<void> run_installer(const module_request& m, const module_plan& p,
                                             std::shared_ptr<ssh::session> session, module_outcome& outcome,
                                             std::string& stderr_tail);
  bool take_report(const sdk::install_report& report, module_outcome& outcome, std::string& stderr_tail) const;
  void record_untouched(const module_plan& p);

  // The verbs (host_lifecycle.cpp): each fills `outcome` from the steps it ran.
  void apply_pins();
  boost::asio::awaitable<void> survey_removals(const session_result& session);
  boost::asio::awaitable<void> do_install(const module_request& m, sdk::run_context& ctx, module_outcome& outcome,
                                          std::string& stderr_tail);
  boost::asio::awaitable<void> do_update(const module_request& m, const module_plan& p, sdk::run_context& ctx,
                                         module_outcome& outcome, std::string& stderr_tail);
  boost::asio::awaitable<void> do_rollback(const module_request& m, sdk::run_context& ctx, module_outcome& outcome,
                                           std::string& stderr_tail);
  boost::asio::awaitable<void> do_uninstall(const module_request& m, const module_plan& p, sdk::run_context& ctx,
                                            module_outcome& outcome, std::string& stderr_tail);
  boost::asio::awaitable<bool> run_lifecycle_steps(const module_request& m, const std::vector<sdk::step_spec>& steps,
                                                   sdk::run_context& ctx, module_outcome& outcome, std::string& stderr_tail);
  boost::asio::awaitable<bool> save_rollback_point(const module_request& m, const module_plan& p, sdk::remote_shell& shell,
                                                   module_outcome& outcome);
  void note_lifecycle(const module_request& m, const module_plan& p, const module_outcome& outcome);
  boost::asio::awaitable<std::string> read_version(const module_request& m, sdk::remote_shell& shell);
  void record_install(const module_plan& p, module_outcome outcome, const std::string& stderr_tail);
  void finish(const std::string& status, const std::string& error);
  bool save();

  // Shared (host_run.cpp).
  boost::asio::awaitable<bool> cancelled();
  void note_unreachable(const sdk::error& e);
  void note_session(const std::shared_ptr<ssh::session>& s);
  void host_failed(host_failure f, const std::string& why);
  std::string redact(const std::string& text) const;
  void emit_verb(bool started, const module_plan& p, const module_outcome* outcome);
  void emit(run_event_kind kind, std::string module, std::string step, std::string state, std::string detail);

  ssh::session_pool& pool_;
  const run_settings& s_;
  host_request req_;
  std::string token_;
  host_result out_;
  host_manifest manifest_;
  run_log* log_ = nullptr;
  std::set<const void*> seen_sessions_;
  // Why the detection script told nothing although the host was reached; empty when it ran.
  std::string detect_failure_;
};

}  // namespace rio::kernel::engine::detail
