#pragma once
// Many hosts in one call. Hosts run concurrently on the caller's executor (at most `parallel` at
// once; the session pool's caps bound connections and handshakes underneath), so one slow or
// dead host costs only its own timeouts. Results come back in request order.

#include <rio/kernel/engine/host_run.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <functional>
#include <vector>

namespace rio::kernel::engine {

struct fleet_progress {
  std::size_t total = 0;
  std::size_t done = 0;     ///< finished, successfully or not
  std::size_t failed = 0;   ///< finished with status failed
  std::size_t running = 0;  ///< started and not finished
};

struct fleet_options {
  std::size_t parallel = 256;
  /** Called when a host starts or finishes (result null on start). */
  std::function<void(const host_result* finished, const fleet_progress&)> on_progress;
};

boost::asio::awaitable<std::vector<host_result>> run_fleet(ssh::session_pool& pool, const run_settings& settings,
                                                           std::vector<host_request> hosts, fleet_options options = {});

/** The call's overall status: failed if any host failed, noop if nothing was installed, else installed. */
std::string fleet_status(const std::vector<host_result>& results);

}  // namespace rio::kernel::engine
