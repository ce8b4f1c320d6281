#pragma once
// The installer interface every module implements (usually through data_installer).

#include <rio/sdk/error.hpp>
#include <rio/sdk/module_spec.hpp>
#include <rio/sdk/reports.hpp>
#include <rio/sdk/run_context.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/config.hpp>

namespace rio::sdk {

/**
 * One installable tool.
 *
 * Threading: every hook is started and resumed on the kernel's executor; a hook must never
 * block it (no sleeps, no blocking I/O). Cancellation: hooks observe the caller's cancellation
 * state; a cancelled hook returns errc::cancelled. Exceptions: a hook should report failures as
 * values; anything it throws is converted by the kernel into errc::module_threw.
 * Lifetime: created through the module descriptor and destroyed through it; the shared object
 * stays loaded for the life of the process.
 */
class BOOST_SYMBOL_VISIBLE installer {
 public:
  virtual ~installer() = default;

  /** The declared data; must stay valid and unchanged for the object's lifetime. */
  virtual const module_spec& spec() const noexcept = 0;

  /** Runs the detect probes (in one remote command) and reports installed, absent or unknown. */
  virtual boost::asio::awaitable<result<detect_report>> detect(run_context& ctx) = 0;

  /**
   * Runs the install steps in order, skipping those whose done_check passes, then config sync,
   * then the sentinel. The first failing step halts the module; the report says which and why.
   */
  virtual boost::asio::awaitable<result<install_report>> install(run_context& ctx) = 0;

  /** Mirrors config-sync entries whose local source exists and whose destination is absent. */
  virtual boost::asio::awaitable<result<sync_report>> sync_config(run_context& ctx) = 0;
};

}  // namespace rio::sdk
