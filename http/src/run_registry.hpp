#pragma once
// Runs started through the API: each owns its settings, redactor, session pool and cancel handle,
// collects progress and events as they happen, and wakes whoever waits on it (a synchronous
// install, GET /runs/<id> polls, event streams). Finished runs are kept for inspection (the last
// 200, fewer when they are large: see run_registry), then forgotten; their manifests and logs
// stay on disk.

#include <rio/kernel/engine/engine_json.hpp>
#include <rio/kernel/engine/fleet_run.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace rio::http::detail {

struct api_run {
  explicit api_run(boost::asio::any_io_executor ex);

  std::string id;
  bool dry_run = false;
  bool single_host = true;  ///< the request named `host`, not `hosts`: respond with one host's shape
  std::vector<std::string> hosts;
  std::string started_at;
  std::string finished_at;
  kernel::engine::run_settings settings;
  std::unique_ptr<kernel::engine::redactor> redact;
  std::shared_ptr<kernel::engine::run_cancel> cancel = std::make_shared<kernel::engine::run_cancel>();
  kernel::engine::fleet_progress progress;
  std::vector<kernel::engine::host_result> results;  ///< complete once done
  bool done = false;

  /** Run events as JSON envelopes {seq, event, time, host, module, step, state, detail}, bounded. */
  std::deque<boost::json::object> events;
  std::uint64_t first_seq = 0;  ///< seq of events.front()
  std::uint64_t next_seq = 0;
  static constexpr std::size_t max_events = 20000;

  void add_event(const kernel::engine::run_event& e);
  /** Wakes every waiter. */
  void notify();
  /** Suspends until the next notify() (or `patience`, whichever is first). */
  boost::asio::awaitable<void> wait_change(std::chrono::milliseconds patience);

  boost::json::object summary_json(const kernel::engine::result_view& view = {}) const;
  /** How this run's results are shown to a client (its redactor; connection detail on loopback only). */
  kernel::engine::result_view view_for(bool client_loopback) const { return {redact.get(), client_loopback}; }

 private:
  boost::asio::steady_timer changed_;
};

class run_registry {
 public:
  /**
   * What finished runs may hold, all together; the oldest finished runs are forgotten first, and
   * never a run in flight nor the newest finished run. Without the host and event budgets, a
   * server that installs 200-host fleets kept 200 such runs, about 7.5 MB of results and events
   * each (some 40 KB per host): its memory grew by that much per run for hours, towards 1.5 GB
   * (bench/soak.sh found it). With them, finished runs hold some 40 MB at most.
   */
  static constexpr std::size_t max_runs = 200;
  static constexpr std::size_t max_finished_hosts = 1000;    ///< host results
  static constexpr std::size_t max_finished_events = 25000;  ///< buffered events (a stream replays them)

  /**
   * Starts `hosts` on `ex` and returns at once; the run proceeds in the background. The run's
   * settings must already be complete (run id, paths, redactor pointer).
   */
  std::shared_ptr<api_run> start(boost::asio::any_io_executor ex, std::shared_ptr<api_run> run,
                                 std::vector<kernel::engine::host_request> hosts, std::size_t parallel,
                                 std::function<void(const kernel::engine::run_event&)> on_event = {});
  std::shared_ptr<api_run> find(const std::string& id) const;
  std::vector<std::shared_ptr<api_run>> recent() const;
  /** Cancels every run in flight (server shutdown). */
  void cancel_all();
  /** Runs not yet finished. */
  std::size_t active() const;

 private:
  void forget_old();
  std::map<std::string, std::shared_ptr<api_run>> runs_;
  std::deque<std::string> order_;
};

}  // namespace rio::http::detail
