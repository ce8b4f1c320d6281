// GET /api/modder/hooks/ws: the original's WebSocket for hook events, with its protocol. The
// client's first message names the hooks it wants ({"topics": [names]}); the server acknowledges
// ({"ok": true, "subscribed": [...]}) or refuses unknown names and closes; then it sends each
// event's envelope, and {"ping": true} whenever nothing happened for a while. Events come through
// a stream subscription of the bus, the SSE stream's bounded queue: a client that falls behind
// loses events, counted, and each ping says how many ("dropped"). The upgrade, and the reading of
// the client's messages, are the connection's (websocket_session.cpp).
#include "api_errors.hpp"
#include "routes.hpp"

#include <rio/kernel/hooks/catalogue.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>

namespace rio::http::detail {
namespace asio = boost::asio;
namespace json = boost::json;
namespace hooks = kernel::hooks;

namespace {

struct topic_choice {
  std::vector<std::string> names;    ///< hooks asked for, in order; empty for all of them
  std::vector<std::string> unknown;  ///< entries that are no hook's name: the request is refused
};

// As in the original, only an object's "topics" list filters. Anything else (no message within
// the wait, not JSON, not an object, no list, an empty list) means every hook.
topic_choice choose_topics(const std::optional<std::string>& first) {
  topic_choice c;
  if (!first) return c;
  boost::system::error_code ec;
  auto doc = json::parse(*first, ec);
  if (ec || !doc.is_object()) return c;
  const auto* topics = doc.get_object().if_contains("topics");
  if (topics == nullptr || !topics->is_array()) return c;
  for (const auto& t : topics->get_array()) {
    const std::string name = t.is_string() ? std::string{t.get_string()} : json::serialize(t);
    if (!t.is_string() || hooks::find_event(name) == nullptr) c.unknown.push_back(name);
    else if (std::find(c.names.begin(), c.names.end(), name) == c.names.end()) c.names.push_back(name);
  }
  return c;
}

std::string refusal(std::vector<std::string> unknown) {
  std::sort(unknown.begin(), unknown.end());
  std::string names;
  for (const auto& n : unknown) names += (names.empty() ? "" : ", ") + n;
  return json::serialize(json::object{{"ok", false}, {"error", "Unsupported modder hook topics: " + names}});
}

std::string acknowledgement(const std::vector<std::string>& names) {
  json::array subscribed;
  if (names.empty()) {
    for (const auto& e : hooks::catalogue()) subscribed.emplace_back(e.name);
  } else {
    for (const auto& n : names) subscribed.emplace_back(n);
  }
  return json::serialize(json::object{{"ok", true}, {"subscribed", std::move(subscribed)}});
}

// Envelopes as they come; a ping after each quiet interval. Ends when the client stops taking
// them or the server stops.
asio::awaitable<void> pump(api_state& state, ws_channel& ws, hooks::stream_subscription& sub) {
  for (;;) {
    auto e = co_await sub.next(state.limits.hook_ws_ping);
    if (state.stopping) co_return;
    const std::string text = e ? json::serialize(e->to_json())
                               : json::serialize(json::object{{"ping", true}, {"dropped", sub.dropped()}});
    if (!co_await ws.write(text)) co_return;
  }
}

asio::awaitable<void> serve_hook_socket(api_state& state, ws_channel& ws) {
  const topic_choice choice = choose_topics(co_await ws.read(state.limits.hook_ws_subscribe_wait));
  if (!choice.unknown.empty()) {
    co_await ws.write(refusal(choice.unknown));
    co_return;  // the connection closes the socket
  }
  const std::unique_ptr<hooks::stream_subscription> sub =
      state.bus.open_stream(choice.names.empty() ? std::vector<std::string>{"*"} : choice.names);
  if (!co_await ws.write(acknowledgement(choice.names))) co_return;
  using namespace asio::experimental::awaitable_operators;
  // A client that leaves is noticed at once, not at the next event or ping; then the
  // subscription ends with this frame.
  co_await (pump(state, ws, *sub) || ws.until_gone());
}

bool asks_for_websocket(const api_request& req) {
  auto upgrade = req.headers.find("upgrade");
  if (upgrade == req.headers.end()) return false;
  std::string value = upgrade->second;
  std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return value == "websocket";
}

}  // namespace

api_response hook_socket(api_state& state, const api_request& req) {
  if (!asks_for_websocket(req)) {
    auto r = error_response(426, "this route is a WebSocket: connect with Upgrade: websocket (see docs/sdk/hooks.md)", req.request_id);
    r.body.as_object()["code"] = "upgrade_required";
    r.headers.emplace_back("Upgrade", "websocket");
    return r;
  }
  api_response r;
  r.status = 101;
  r.websocket = [&state](ws_channel& ws) { return serve_hook_socket(state, ws); };
  return r;
}

}  // namespace rio::http::detail
