#pragma once
// The SDK's default coroutines: a module declared as data runs with these unchanged, and a
// module that needs more overrides any hook and may still call the defaults.

#include <rio/sdk/installer.hpp>

namespace rio::sdk {

/**
 * Runs one step of `spec` as install() does: its done_check first, then its command. Remote
 * failures are reported in the step_result; the only error is errc::cancelled.
 */
boost::asio::awaitable<result<step_result>> run_step(const module_spec& spec, const step_spec& step, run_context& ctx);

/**
 * Runs `steps` in order as install() runs install steps (the first failure stops them; the
 * report lists every step), without config sync or sentinel: the lifecycle verbs' step lists.
 */
boost::asio::awaitable<result<install_report>> run_steps(const module_spec& spec, const std::vector<step_spec>& steps,
                                                         run_context& ctx);

class BOOST_SYMBOL_VISIBLE data_installer : public installer {
 public:
  /** Takes the declared spec; appends the sentinel step and probe unless already present. */
  explicit data_installer(module_spec spec);

  const module_spec& spec() const noexcept override { return spec_; }

  boost::asio::awaitable<result<detect_report>> detect(run_context& ctx) override;
  boost::asio::awaitable<result<install_report>> install(run_context& ctx) override;
  boost::asio::awaitable<result<sync_report>> sync_config(run_context& ctx) override;

 protected:
  /**
   * Runs one step: its done_check first, then its command. Remote failures are reported in the
   * step_result; the only error is errc::cancelled.
   */
  boost::asio::awaitable<result<step_result>> run_step(const step_spec& step, run_context& ctx);

 private:
  module_spec spec_;
};

}  // namespace rio::sdk
