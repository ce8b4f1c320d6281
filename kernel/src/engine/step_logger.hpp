#pragma once
// The run_observer a module's install reports to: logs each step as it starts and finishes (and
// each config-sync upload), points the logging shell at the step that runs, and forwards finished
// steps as run events, redacted as the log is. Internal to the engine.

#include "logging_shell.hpp"

#include <rio/kernel/engine/host_run.hpp>
#include <rio/kernel/engine/run_log.hpp>
#include <rio/sdk/run_context.hpp>

#include <string>

namespace rio::kernel::engine::detail {

class step_logger final : public sdk::run_observer {
 public:
  step_logger(run_log& log, logging_shell& shell, const run_settings& settings, std::string host, std::string module)
      : log_(log), shell_(shell), settings_(settings), host_(std::move(host)), module_(std::move(module)) {}

  void on_step_started(const sdk::step_spec& step) override;
  void on_step_finished(const sdk::step_result& r) override;
  void on_sync_finished(const sdk::sync_result& r) override;

 private:
  void emit(run_event_kind kind, std::string step, std::string state, std::string detail);

  run_log& log_;
  logging_shell& shell_;
  const run_settings& settings_;
  std::string host_;
  std::string module_;
};

}  // namespace rio::kernel::engine::detail
