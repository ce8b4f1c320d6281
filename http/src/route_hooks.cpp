// /api/modder/hooks: the event catalogue, recent history, a live event stream with a topic
// filter, a test emitter and webhooks. Payloads carry names and fingerprints, never secret
// values. What changes state (the emitter, webhooks) is gated by the feature flag, like installs.
#include "api_errors.hpp"
#include "http_error.hpp"
#include "routes.hpp"

#include <rio/kernel/hooks/catalogue.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>

namespace rio::http::detail {
namespace asio = boost::asio;
namespace json = boost::json;
namespace hooks = kernel::hooks;

namespace {

json::array history_json(api_state& state, std::size_t limit, std::string_view event = {}) {
  json::array items;
  for (const auto& e : state.bus.history(limit, event)) items.emplace_back(e.to_json());
  return items;
}

std::vector<std::string> split_topics(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    std::string t = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!t.empty()) out.push_back(t);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

json::object plugin_host_json(const api_state& state) {
  json::array loaded, skipped;
  for (const auto& s : state.subscribers) {
    json::array events;
    for (const auto& e : s->events) events.emplace_back(e);
    loaded.emplace_back(json::object{{"id", s->id}, {"file", s->file.string()}, {"events", std::move(events)}});
  }
  for (const auto& p : state.subscriber_problems) skipped.emplace_back(json::object{{"file", p.file.string()}, {"reason", p.reason}});
  return json::object{{"enabled", !state.subscribers.empty()},
                      {"root", state.config.settings.plugin_dir.string()},
                      {"subscribers", std::move(loaded)},
                      {"skipped", std::move(skipped)}};
}

}  // namespace

api_response get_hooks(api_state& state, const api_request&) {
  json::array catalogue;
  for (const auto& e : hooks::catalogue()) {
    json::object payload;
    for (const auto& f : e.payload) payload[f.name] = f.description;
    catalogue.emplace_back(json::object{{"name", e.name},
                                        {"description", e.description},
                                        {"ws_topic", std::string{"modder.hooks."} + std::string{e.name}},
                                        {"rest_event", e.name},
                                        {"payload", std::move(payload)}});
  }
  json::array subscribers;
  auto stats = state.bus.stats();
  for (auto& w : state.webhooks.stats()) stats.push_back(std::move(w));
  for (const auto& s : stats) {
    subscribers.emplace_back(json::object{{"name", s.name}, {"delivered", s.delivered}, {"dropped", s.dropped},
                                          {"failed", s.failed}, {"timed_out", s.timed_out}, {"queued", s.queued}});
  }
  return json_response(200, json::object{{"ok", true},
                                         {"hooks", std::move(catalogue)},
                                         {"webhooks", state.webhooks_json()},
                                         {"subscribers", std::move(subscribers)},
                                         {"plugin_host", plugin_host_json(state)},
                                         {"stream_path", "/api/modder/hooks/stream"},
                                         {"history", history_json(state, 15)}});
}

api_response get_hook_history(api_state& state, const api_request& req) {
  std::size_t limit = 25;
  if (auto q = req.query.find("limit"); q != req.query.end()) {
    auto [p, ec] = std::from_chars(q->second.data(), q->second.data() + q->second.size(), limit);
    if (ec != std::errc{} || p != q->second.data() + q->second.size()) {
      return error_response(400, "limit must be an integer", req.request_id, "limit");
    }
    limit = std::clamp<std::size_t>(limit, 1, 200);
  }
  std::string event;
  if (auto q = req.query.find("event"); q != req.query.end()) event = q->second;
  return json_response(200, json::object{{"ok", true}, {"items", history_json(state, limit, event)}});
}

api_response hook_stream(api_state& state, const api_request& req) {
  std::vector<std::string> topics{"*"};
  if (auto q = req.query.find("topics"); q != req.query.end() && !q->second.empty()) topics = split_topics(q->second);
  for (const auto& t : topics) {
    if (t != "*" && hooks::find_event(t) == nullptr) return error_response(400, "unsupported event '" + t + "'", req.request_id, "topics");
  }
  std::shared_ptr<hooks::stream_subscription> sub = state.bus.open_stream(topics);
  api_response r;
  r.stream = [sub, &state](sse_writer& out) -> asio::awaitable<void> {
    for (;;) {
      auto e = co_await sub->next(std::chrono::seconds{15});
      if (state.stopping) co_return;
      if (!e) {
        if (!co_await out.ping()) co_return;
        continue;
      }
      const std::string data = json::serialize(e->to_json());
      if (!co_await out.send(e->event, std::to_string(e->seq), data)) co_return;
    }
  };
  return r;
}

api_response post_hook_test(api_state& state, const api_request& req) {
  if (auto off = require_feature(state, req)) return *off;
  json::object body;
  if (!req.body.empty()) {
    boost::system::error_code ec;
    auto doc = json::parse(req.body, ec);
    if (ec || !doc.is_object()) return validation_error("body must be a JSON object", req.request_id);
    body = doc.get_object();
  }
  std::string event = "on_remote_install_started";
  if (auto* e = body.if_contains("event"); e != nullptr && !e->is_null()) {
    if (!e->is_string()) return error_response(400, "unsupported event", req.request_id, "event");
    event = std::string{e->get_string()};
  }
  json::object payload;
  if (auto* p = body.if_contains("payload"); p != nullptr && !p->is_null()) {
    if (!p->is_object()) return error_response(400, "payload must be an object", req.request_id, "payload");
    payload = p->get_object();
    // Every event stays in the history and in each subscriber's queue for a while: a test event
    // may not be what fills them.
    if (const auto size = json::serialize(payload).size(); size > state.limits.hook_payload_bytes) {
      auto r = error_response(413, "payload is " + std::to_string(size) + " bytes serialised; a test event's payload may have at most " +
                                       std::to_string(state.limits.hook_payload_bytes),
                              req.request_id, "payload");
      r.body.as_object()["code"] = "payload_too_large";
      return r;
    }
  }
  payload["test"] = true;  // so subscribers can tell a test event from a real one
  if (auto ok = state.bus.publish(event, std::move(payload)); !ok) {
    return error_response(400, "unsupported event", req.request_id, "event");
  }
  return json_response(200, json::object{{"ok", true}, {"event", event}});
}

namespace {

std::optional<json::object> object_body(const api_request& req) {
  boost::system::error_code ec;
  auto doc = json::parse(req.body, ec);
  if (ec || !doc.is_object()) return std::nullopt;
  return doc.get_object();
}

std::string string_field(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string{v->get_string()} : std::string{};
}

}  // namespace

asio::awaitable<api_response> put_webhook(api_state& state, const api_request& req) {
  if (auto off = require_feature(state, req)) co_return *off;
  auto body = object_body(req);
  if (!body) co_return validation_error("body must be a JSON object", req.request_id);
  const std::string event = string_field(*body, "event");
  const std::string url = string_field(*body, "url");
  if (event.empty() || (event != "*" && hooks::find_event(event) == nullptr)) {
    co_return error_response(400, "unsupported event", req.request_id, "event");
  }
  if (url.empty()) co_return error_response(400, "webhook url required", req.request_id, "url");
  auto* secret = body->if_contains("secret");
  if (secret != nullptr && !secret->is_null() && !secret->is_string()) {
    co_return error_response(400, "secret must be a string", req.request_id, "secret");
  }
  const bool signed_ = secret != nullptr && secret->is_string() && !secret->get_string().empty();
  // Built before the co_await: GCC 12 mishandles a conditional's temporaries inside one.
  std::string secret_text = signed_ ? std::string{secret->get_string()} : std::string{};
  auto id = co_await state.webhooks.add(event, url, std::move(secret_text));
  if (!id && id.error().code == make_error_code(errc::too_many_webhooks)) {
    auto r = error_response(409, id.error().message, req.request_id);
    r.body.as_object()["code"] = "too_many_webhooks";
    r.body.as_object()["limit"] = state.webhooks.limit();
    co_return r;
  }
  if (!id) co_return error_response(400, id.error().message, req.request_id, id.error().message.starts_with("webhook url") ? "url" : "secret");
  // The secret is never echoed: only the id and whether deliveries are signed.
  co_return json_response(200, json::object{{"ok", true}, {"id", *id}, {"signed", signed_}});
}

asio::awaitable<api_response> delete_webhook(api_state& state, const api_request& req) {
  if (auto off = require_feature(state, req)) co_return *off;
  auto body = object_body(req);
  if (!body) co_return validation_error("body must be a JSON object", req.request_id);
  const std::string event = string_field(*body, "event");
  if (event.empty() || (event != "*" && hooks::find_event(event) == nullptr)) {
    co_return error_response(400, "unsupported event", req.request_id, "event");
  }
  const std::string url = string_field(*body, "url");
  if (url.empty()) co_return error_response(400, "webhook url required", req.request_id, "url");
  if (auto removed = co_await state.webhooks.remove(event, url); !removed) {
    co_return error_response(404, removed.error().message, req.request_id, "url");
  }
  co_return json_response(200, json::object{{"ok", true}});
}

}  // namespace rio::http::detail
