#include <rio/kernel/engine/fleet_run.hpp>

#include <rio/kernel/engine/host_outcome.hpp>

#include <rio/sdk/coro.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <exception>
#include <map>
#include <memory>

namespace rio::kernel::engine {
namespace asio = boost::asio;

namespace {

struct fleet_state {
  std::vector<host_request> hosts;
  std::vector<host_result> results;
  /**
   * Host indexes by machine (host and port), in first-mention order. One worker runs a machine's
   * aliases one after the other: run in parallel, the second alias would find the machine's lock
   * taken by its sibling and fail as busy.
   */
  std::vector<std::vector<std::size_t>> machines;
  std::size_t next = 0;  ///< next machine to start
  std::size_t workers_left = 0;
  fleet_progress progress;
  std::vector<std::unique_ptr<asio::cancellation_signal>> signals;  // one per worker
  bool cancelled = false;
  asio::steady_timer all_done;
  explicit fleet_state(asio::any_io_executor ex) : all_done(ex, asio::steady_timer::time_point::max()) {}
};

void count_finished(fleet_progress& p, const host_result& r) {
  if (counts_as_failed(r)) ++p.failed;
  if (r.failure == host_failure::unreachable) ++p.unreachable;
}

asio::awaitable<void> worker(ssh::session_pool& pool, const run_settings& settings, const fleet_options& options,
                             std::shared_ptr<fleet_state> st) {
  co_await asio::this_coro::throw_if_cancelled(false);
  while (st->next < st->machines.size() && !st->cancelled) {
    const auto& aliases = st->machines[st->next++];
    for (std::size_t k = 0; k < aliases.size() && !st->cancelled; ++k) {
      const std::size_t i = aliases[k];
      ++st->progress.running;
      if (options.on_progress) options.on_progress(nullptr, st->progress);
      host_request request = std::move(st->hosts[i]);
      st->results[i] = co_await run_host(pool, settings, std::move(request));
      --st->progress.running;
      ++st->progress.done;
      count_finished(st->progress, st->results[i]);
      if (options.on_progress) options.on_progress(&st->results[i], st->progress);
    }
  }
}

// Groups host indexes by the machine they connect to (the key of the per-machine lock).
std::vector<std::vector<std::size_t>> by_machine(const std::vector<host_request>& hosts) {
  std::vector<std::vector<std::size_t>> out;
  std::map<std::string, std::size_t> slot;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    auto key = hosts[i].where.host + " " + std::to_string(hosts[i].where.port);
    auto [it, fresh] = slot.try_emplace(key, out.size());
    if (fresh) out.emplace_back();
    out[it->second].push_back(i);
  }
  return out;
}

}  // namespace

asio::awaitable<std::vector<host_result>> run_fleet(ssh::session_pool& pool, const run_settings& settings,
                                                    std::vector<host_request> hosts, fleet_options options) {
  // The workers borrow `settings`, `pool` and `options`: this frame must outlive them, so a
  // cancellation of the caller is forwarded to the workers and then waited out, never thrown.
  co_await asio::this_coro::throw_if_cancelled(false);
  auto ex = co_await asio::this_coro::executor;
  auto st = std::make_shared<fleet_state>(ex);
  st->results.resize(hosts.size());
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    st->results[i].host = hosts[i].name;
    st->results[i].address = address_of(hosts[i].where);
    st->results[i].run_id = settings.run_id;
  }
  st->hosts = std::move(hosts);
  st->machines = by_machine(st->hosts);
  st->progress.total = st->hosts.size();
  const std::size_t workers = std::min(std::max<std::size_t>(options.parallel, 1), st->machines.size());
  st->workers_left = workers;
  for (std::size_t w = 0; w < workers; ++w) st->signals.push_back(std::make_unique<asio::cancellation_signal>());
  auto cancel_all = [st] {
    if (st->cancelled) return;
    st->cancelled = true;
    for (auto& sig : st->signals) sig->emit(asio::cancellation_type::terminal);
  };
  if (options.cancel) options.cancel->on_cancel(cancel_all);
  for (std::size_t w = 0; w < workers; ++w) {
    // Workers start only once this coroutine suspends below (co_spawn posts), so the count is
    // complete before any of them can finish.
    asio::co_spawn(ex, worker(pool, settings, options, st), asio::bind_cancellation_slot(st->signals[w]->slot(), [st](std::exception_ptr e) {
      if (e) {
        // run_host reports failures as values; an exception here is a bug, and the host it hit
        // stays marked failed instead of taking the whole call down.
        for (auto& r : st->results) {
          if (r.status.empty()) {
            r.status = "failed";
            r.error = "internal error while running this host";
          }
        }
      }
      if (--st->workers_left == 0) st->all_done.cancel();
    }));
  }
  while (st->workers_left > 0) {
    co_await st->all_done.async_wait(sdk::use_nothrow);
    if (st->workers_left > 0) cancel_all();  // woken early: the caller cancelled us
  }
  if (options.cancel) options.cancel->on_cancel(nullptr);
  for (auto& r : st->results) {
    if (r.status.empty()) {  // never started: the run was cancelled first
      r.status = "cancelled";
      r.failure = host_failure::cancelled;
      r.error = "run cancelled before this host started";
    }
  }
  co_return std::move(st->results);
}

void run_cancel::cancel() {
  if (cancelled_) return;
  cancelled_ = true;
  if (emit_) emit_();
}

std::string fleet_status(const std::vector<host_result>& results) {
  bool installed = false, recorded = false, uninstalled = false;
  for (const auto& r : results) {
    if (r.status == "cancelled") return "cancelled";
  }
  for (const auto& r : results) {
    if (r.status == "failed") return "failed";
    if (r.status == "installed") installed = true;
    if (r.status == "recorded") recorded = true;
    if (r.status == "uninstalled") uninstalled = true;
    if (r.status == "dry_run") return "dry_run";
  }
  return installed ? "installed" : uninstalled ? "uninstalled" : recorded ? "recorded" : "noop";
}

}  // namespace rio::kernel::engine
