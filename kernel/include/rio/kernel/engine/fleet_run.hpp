#pragma once
// Many hosts in one call. Hosts run concurrently on the caller's executor (at most `parallel` at
// once; the session pool's caps bound connections and handshakes underneath), so one slow or
// dead host costs only its own timeouts. Results come back in request order.

#include <rio/kernel/engine/host_run.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace rio::kernel::engine {

/**
 * Where a fleet run stands, passed to fleet_options::on_progress. `failed` and `unreachable`
 * count by counts_as_failed() and host_failure (host_outcome.hpp), not by status alone: a plan
 * keeps status "dry_run" for a host it could not reach, and that host still counts as failed.
 */
struct fleet_progress {
  std::size_t total = 0;        ///< hosts in the call
  std::size_t done = 0;         ///< finished, successfully or not
  std::size_t failed = 0;       ///< finished without doing what was asked: status failed, or a host-level
                                ///< failure (unreachable, busy, local_io) in a plan too; cancelled hosts are not counted
  std::size_t unreachable = 0;  ///< of `failed`: could not connect or authenticate (plans included)
  std::size_t running = 0;      ///< started and not finished
};

/**
 * Cancels a fleet run from outside (Ctrl-C in the CLI, a DELETE in the API). Call on the run's
 * executor. Hosts in flight stop their current command and record the rest as cancelled; hosts
 * not yet started are not started.
 */
class run_cancel {
 public:
  void cancel();
  bool cancelled() const noexcept { return cancelled_; }

  /** Used by run_fleet: `emit` is called once, on cancel(). */
  void on_cancel(std::function<void()> emit) { emit_ = std::move(emit); }

 private:
  bool cancelled_ = false;
  std::function<void()> emit_;
};

struct fleet_options {
  std::size_t parallel = 256;
  std::shared_ptr<run_cancel> cancel;  ///< optional
  /** Called when a host starts or finishes (result null on start). */
  std::function<void(const host_result* finished, const fleet_progress&)> on_progress;
};

boost::asio::awaitable<std::vector<host_result>> run_fleet(ssh::session_pool& pool, const run_settings& settings,
                                                           std::vector<host_request> hosts, fleet_options options = {});

/**
 * The call's overall status: cancelled if the run was cancelled, else failed if any host failed,
 * dry_run for plans, noop if nothing was installed, else installed.
 */
std::string fleet_status(const std::vector<host_result>& results);

}  // namespace rio::kernel::engine
