// Runs started through the API: list, inspect, cancel, and follow their events live.
#include "api_errors.hpp"
#include "routes.hpp"

#include <boost/json/serialize.hpp>

#include <charconv>

namespace rio::http::detail {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

std::uint64_t number_or(const std::string& text, std::uint64_t fallback) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  return ec == std::errc{} && p == text.data() + text.size() ? v : fallback;
}

std::optional<api_response> unknown_run(const std::shared_ptr<api_run>& run, const std::string& id, const api_request& req) {
  if (run) return std::nullopt;
  return error_response(404, "no run '" + id.substr(0, 80) + "' (runs are kept in memory while the server runs; the last 200, fewer when they are large)",
                        req.request_id, "run_id");
}

}  // namespace

api_response get_runs(api_state& state, const api_request& req) {
  if (auto off = require_feature(state, req)) return *off;
  json::array runs;
  for (const auto& r : state.runs.recent()) {
    json::object o{{"run_id", r->id}, {"state", r->done ? "finished" : "running"}, {"started_at", r->started_at},
                   {"hosts", r->hosts.size()}, {"dry_run", r->dry_run}};
    runs.emplace_back(std::move(o));
  }
  return json_response(200, json::object{{"ok", true}, {"runs", std::move(runs)}});
}

api_response get_run(api_state& state, const api_request& req, const std::string& id) {
  if (auto off = require_feature(state, req)) return *off;
  auto run = state.runs.find(id);
  if (auto missing = unknown_run(run, id, req)) return *missing;
  return json_response(200, run->summary_json(run->view_for(req.client_loopback)));
}

api_response cancel_run(api_state& state, const api_request& req, const std::string& id) {
  if (auto off = require_feature(state, req)) return *off;
  auto run = state.runs.find(id);
  if (auto missing = unknown_run(run, id, req)) return *missing;
  if (run->done) return error_response(409, "run " + id + " already finished", req.request_id, "run_id");
  run->cancel->cancel();
  return json_response(202, json::object{{"ok", true}, {"run_id", id}, {"state", "cancelling"}});
}

api_response run_events(api_state& state, const api_request& req, const std::string& id) {
  if (auto off = require_feature(state, req)) return *off;
  auto run = state.runs.find(id);
  if (auto missing = unknown_run(run, id, req)) return *missing;
  // Replay from ?from=<seq>, or after the Last-Event-ID an EventSource reconnects with.
  std::uint64_t from = 0;
  if (auto q = req.query.find("from"); q != req.query.end()) from = number_or(q->second, 0);
  if (auto h = req.headers.find("last-event-id"); h != req.headers.end()) from = number_or(h->second, from - 1) + 1;

  api_response r;
  r.stream = [run, from, view = run->view_for(req.client_loopback)](sse_writer& out) mutable -> asio::awaitable<void> {
    std::uint64_t next = std::max(from, run->first_seq);
    for (;;) {
      while (next < run->next_seq) {
        if (next < run->first_seq) next = run->first_seq;  // dropped from the bounded buffer
        const json::object& e = run->events[static_cast<std::size_t>(next - run->first_seq)];
        const std::string data = json::serialize(e);
        const std::string event{e.at("event").as_string()};
        if (!co_await out.send(event, std::to_string(next), data)) co_return;
        ++next;
      }
      if (run->done) {
        const std::string data = json::serialize(run->summary_json(view));
        co_await out.send("end", std::to_string(next), data);
        co_return;
      }
      co_await run->wait_change(std::chrono::seconds{15});
      if (next == run->next_seq && !run->done && !co_await out.ping()) co_return;
    }
  };
  return r;
}

}  // namespace rio::http::detail
