#include "run_registry.hpp"

#include <rio/kernel/engine/engine_json.hpp>
#include <rio/kernel/engine/status_manifest.hpp>
#include <rio/sdk/coro.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>

namespace rio::http::detail {
namespace asio = boost::asio;
namespace json = boost::json;
namespace engine = kernel::engine;

api_run::api_run(asio::any_io_executor ex) : changed_(ex, asio::steady_timer::time_point::max()) {}

void api_run::add_event(const engine::run_event& e) {
  json::object o{{"seq", next_seq++},
                 {"event", engine::to_string(e.kind)},
                 {"time", engine::utc_timestamp()},
                 {"run_id", e.run_id},
                 {"host", e.host}};
  if (!e.module.empty()) o["module"] = e.module;
  if (!e.step.empty()) o["step"] = e.step;
  if (!e.state.empty()) o["state"] = e.state;
  if (!e.detail.empty()) o["detail"] = e.detail;  // already redacted by the engine
  if (!e.from_version.empty()) o["from_version"] = e.from_version;
  if (!e.to_version.empty()) o["to_version"] = e.to_version;
  events.push_back(std::move(o));
  if (events.size() > max_events) {
    events.pop_front();
    ++first_seq;
  }
  notify();
}

void api_run::notify() { changed_.cancel(); }

asio::awaitable<void> api_run::wait_change(std::chrono::milliseconds patience) {
  // The shared timer never expires (resetting its expiry would wake every other waiter); cancel()
  // is the broadcast. A per-waiter timer bounds the wait.
  asio::steady_timer own{co_await asio::this_coro::executor, patience};
  using namespace boost::asio::experimental::awaitable_operators;
  co_await (changed_.async_wait(sdk::use_nothrow) || own.async_wait(sdk::use_nothrow));
}

json::object api_run::summary_json(const engine::result_view& view) const {
  json::object o{{"ok", true},
                 {"run_id", id},
                 {"state", done ? "finished" : "running"},
                 {"dry_run", dry_run},
                 {"started_at", started_at},
                 {"progress", json::object{{"total", progress.total}, {"done", progress.done}, {"failed", progress.failed},
                                           {"unreachable", progress.unreachable}, {"running", progress.running}}}};
  if (done) {
    o["finished_at"] = finished_at;
    o["status"] = engine::fleet_status(results);
    json::array finished_hosts;
    for (const auto& r : results) finished_hosts.emplace_back(engine::host_result_json(r, view));
    o["hosts"] = std::move(finished_hosts);
  } else {
    json::array names;
    for (const auto& h : hosts) names.emplace_back(h);
    o["hosts_requested"] = std::move(names);
  }
  o["cancelled"] = cancel->cancelled();
  return o;
}

std::shared_ptr<api_run> run_registry::start(asio::any_io_executor ex, std::shared_ptr<api_run> run,
                                             std::vector<engine::host_request> hosts, std::size_t parallel,
                                             std::function<void(const engine::run_event&)> on_event) {
  runs_[run->id] = run;
  order_.push_back(run->id);
  forget_old();
  run->started_at = engine::utc_timestamp();
  for (const auto& h : hosts) run->hosts.push_back(h.name);
  run->progress.total = hosts.size();
  std::weak_ptr<api_run> weak = run;
  run->settings.on_event = [weak, on_event = std::move(on_event)](const engine::run_event& e) {
    if (auto r = weak.lock()) r->add_event(e);
    if (on_event) on_event(e);
  };
  asio::co_spawn(
      ex,
      [run, hosts = std::move(hosts), parallel]() mutable -> asio::awaitable<void> {
        // One pool per run: its sessions close when the run ends, whatever other runs do.
        kernel::ssh::session_pool pool;
        engine::fleet_options fo;
        fo.parallel = parallel;
        fo.cancel = run->cancel;
        fo.on_progress = [run](const engine::host_result*, const engine::fleet_progress& p) {
          run->progress = p;
          run->notify();
        };
        auto results = co_await engine::run_fleet(pool, run->settings, std::move(hosts), fo);
        co_await pool.close_all();
        run->results = std::move(results);
        run->finished_at = engine::utc_timestamp();
        run->done = true;
        run->notify();
      },
      asio::detached);
  return run;
}

std::shared_ptr<api_run> run_registry::find(const std::string& id) const {
  auto it = runs_.find(id);
  return it == runs_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<api_run>> run_registry::recent() const {
  std::vector<std::shared_ptr<api_run>> out;
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
    if (auto r = find(*it)) out.push_back(r);
  }
  return out;
}

void run_registry::cancel_all() {
  for (auto& [id, run] : runs_) {
    if (!run->done) run->cancel->cancel();
  }
}

std::size_t run_registry::active() const {
  std::size_t n = 0;
  for (const auto& [id, run] : runs_) n += run->done ? 0 : 1;
  return n;
}

void run_registry::forget_old() {
  // Newest first: a run in flight is never forgotten; the newest finished run always stays; an
  // older finished run goes once the count, or the host results or events of the finished runs
  // newer than it plus its own, exceed the budgets.
  std::size_t seen = 0, hosts = 0, events = 0;
  bool newest_finished = true;
  std::vector<std::string> forget;
  for (auto id = order_.rbegin(); id != order_.rend(); ++id) {
    auto it = runs_.find(*id);
    if (it == runs_.end()) continue;
    const api_run& run = *it->second;
    ++seen;
    if (!run.done) continue;
    hosts += run.results.size();
    events += run.events.size();
    if (!newest_finished && (seen > max_runs || hosts > max_finished_hosts || events > max_finished_events)) {
      forget.push_back(*id);
    }
    newest_finished = false;
  }
  for (const auto& id : forget) runs_.erase(id);
  std::erase_if(order_, [this](const std::string& id) { return !runs_.contains(id); });
}

}  // namespace rio::http::detail
