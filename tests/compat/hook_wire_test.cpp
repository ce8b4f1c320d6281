// Issue 16, point 7: the original's hook consumers read `{event, ts, data}` envelopes (history and
// webhook deliveries), verify webhooks by `X-Comfy-Signature` (bare hex HMAC-SHA256 of the body),
// and subscribe to the WebSocket at /api/modder/hooks/ws with a first message `{"topics": [...]}`.
// Each test acts as such a client: the original's request bodies, and the fields it reads.
#include "../http/api_test_support.hpp"
#include "../http/webhook_receiver.hpp"

#include <rio/vault/hmac.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

namespace rio::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace json = boost::json;
namespace websocket = boost::beast::websocket;

double now_epoch() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

// The original's WebSocket client on 127.0.0.1. Every step is bounded (10 s): a message that never
// comes fails the test instead of hanging it.
class hook_socket {
 public:
  /** `receive_buffer`: the client socket's SO_RCVBUF when not 0 (a client that reads slowly). */
  explicit hook_socket(std::uint16_t port, std::vector<std::pair<std::string, std::string>> headers = {}, int receive_buffer = 0) {
    if (receive_buffer > 0) {
      auto& socket = beast::get_lowest_layer(ws_).socket();
      socket.open(asio::ip::tcp::v4());
      socket.set_option(asio::socket_base::receive_buffer_size{receive_buffer});
    }
    expire();
    beast::get_lowest_layer(ws_).async_connect(asio::ip::tcp::endpoint{asio::ip::make_address("127.0.0.1"), port},
                                               [this](beast::error_code ec) { ec_ = ec; });
    run();
    if (ec_) return;
    ws_.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
      for (const auto& [k, v] : headers) req.set(k, v);
    }));
    expire();
    ws_.async_handshake(response_, "127.0.0.1:" + std::to_string(port), "/api/modder/hooks/ws",
                        [this](beast::error_code ec) { ec_ = ec; });
    run();
  }
  bool open() const { return !ec_; }
  int status() const { return response_.result_int(); }
  std::string refusal() const { return response_.body(); }
  std::string header(const char* name) const { return std::string{response_[name]}; }
  beast::error_code error() const { return ec_; }
  websocket::close_reason reason() const { return ws_.reason(); }

  bool send(const std::string& text) {
    expire();
    ws_.async_write(asio::buffer(text), [this](beast::error_code ec, std::size_t) { ec_ = ec; });
    run();
    return !ec_;
  }
  std::optional<std::string> receive() {
    beast::flat_buffer buffer;
    expire();
    ws_.async_read(buffer, [this](beast::error_code ec, std::size_t) { ec_ = ec; });
    run();
    if (ec_) return std::nullopt;
    return beast::buffers_to_string(buffer.data());
  }
  json::object receive_json() {
    auto text = receive();
    if (!text) return {};
    boost::system::error_code ec;
    auto v = json::parse(*text, ec);
    return !ec && v.is_object() ? v.get_object() : json::object{};
  }

 private:
  void expire() { beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds{10}); }
  void run() {
    ctx_.restart();
    ctx_.run();
  }
  asio::io_context ctx_;
  websocket::stream<beast::tcp_stream> ws_{ctx_};
  websocket::response_type response_;
  beast::error_code ec_;
};

std::vector<std::string> names_of(const json::value& array) {
  std::vector<std::string> out;
  for (const auto& v : array.as_array()) out.emplace_back(v.is_string() ? std::string{v.get_string()} : json::serialize(v));
  return out;
}

std::vector<std::string> catalogue_names(const api_server& api) {
  std::vector<std::string> out;
  const json::object listing = api.get("/api/modder/hooks").json();
  for (const auto& h : listing.at("hooks").as_array()) out.emplace_back(h.as_object().at("name").as_string());
  return out;
}

// What the original's consumers read from an envelope: the event, `ts` (epoch seconds, a number)
// and the payload under `data`.
void expect_original_envelope(const json::object& e, const char* event, double not_before, const char* field, const char* value) {
  EXPECT_EQ(e.if_contains("event") ? e.at("event") : json::value{}, json::value(event)) << json::serialize(e);
  ASSERT_TRUE(e.contains("ts") && e.at("ts").is_number()) << json::serialize(e);
  const double ts = e.at("ts").to_number<double>();
  EXPECT_GE(ts, not_before - 1.0);
  EXPECT_LE(ts, now_epoch() + 1.0);
  ASSERT_TRUE(e.contains("data") && e.at("data").is_object()) << json::serialize(e);
  EXPECT_EQ(e.at("data").as_object().if_contains(field) ? e.at("data").at(field) : json::value{}, json::value(value));
  // rio's own fields stay beside them; `payload` is the deprecated alias of `data`.
  EXPECT_TRUE(e.contains("seq") && e.contains("timestamp")) << json::serialize(e);
  EXPECT_EQ(e.if_contains("payload") ? e.at("payload") : json::value{}, e.at("data"));
}

TEST(CompatHookWire, HistoryAndTheCatalogueCarryTheOriginalsEnvelope) {
  temp_dir root;
  api_server api{root.path()};
  const double before = now_epoch();
  auto emitted = api.post("/api/modder/hooks/test", R"({"event": "on_remote_install_started", "payload": {"host": "compat-host"}})");
  ASSERT_EQ(emitted.status, 200) << emitted.body;

  auto history = api.get("/api/modder/hooks/history?limit=25");
  ASSERT_EQ(history.status, 200) << history.body;
  const json::object answer = history.json();
  EXPECT_EQ(answer.at("ok"), true);
  const auto& items = answer.at("items").as_array();
  ASSERT_FALSE(items.empty());
  expect_original_envelope(items.back().as_object(), "on_remote_install_started", before, "host", "compat-host");

  const auto listing = api.get("/api/modder/hooks").json();
  ASSERT_FALSE(listing.at("history").as_array().empty());
  expect_original_envelope(listing.at("history").as_array().back().as_object(), "on_remote_install_started", before, "host",
                           "compat-host");
}

TEST(CompatHookWire, WebhooksCarryTheEnvelopeAndTheOriginalsSignature) {
  temp_dir root;
  {
    std::vector<std::string> base{"--root", root.path().string()};
    ASSERT_EQ(run_cli(engine_world::with(base, {"vault", "init"}), vault_env()).code, 0);
  }
  webhook_receiver target{{}};
  api_server api{root.path(), true, std::nullopt, vault_env()};
  const std::string secret = "compat-webhook-secret";
  const std::string url = "http://127.0.0.1:" + std::to_string(target.port()) + "/hook";
  auto reg = api.post("/api/modder/hooks/webhooks", R"({"event": "on_remote_install_finished", "url": ")" + url +
                                                        R"(", "secret": ")" + secret + R"("})");
  ASSERT_EQ(reg.status, 200) << reg.body;
  const double before = now_epoch();
  ASSERT_EQ(api.post("/api/modder/hooks/test", R"({"event": "on_remote_install_finished", "payload": {"host": "h1"}})").status, 200);

  auto got = target.wait_for(1);
  ASSERT_EQ(got.size(), 1u);
  auto& delivery = got[0];
  // The original's receiver: hmac.new(secret, raw_body, sha256).hexdigest() == X-Comfy-Signature.
  EXPECT_EQ(delivery.headers["x-comfy-signature"], vault::hmac_sha256_hex(secret, delivery.body));
  EXPECT_EQ(delivery.headers["x-rio-signature-256"], "sha256=" + vault::hmac_sha256_hex(secret, delivery.body));
  EXPECT_EQ(delivery.headers["content-type"], "application/json");
  expect_original_envelope(json::parse(delivery.body).as_object(), "on_remote_install_finished", before, "host", "h1");
}

TEST(CompatHookWire, TheWebSocketSubscribesByHookNamesAndStreamsEnvelopes) {
  temp_dir root;
  api_server api{root.path()};
  hook_socket ws{api.port()};
  ASSERT_TRUE(ws.open()) << ws.error().message() << " " << ws.status() << " " << ws.refusal();
  ASSERT_TRUE(ws.send(R"({"topics": ["on_remote_install_finished"]})"));
  auto ack = ws.receive_json();
  EXPECT_EQ(ack["ok"], true) << json::serialize(ack);
  ASSERT_TRUE(ack.contains("subscribed")) << json::serialize(ack);
  EXPECT_EQ(names_of(ack["subscribed"]), std::vector<std::string>{"on_remote_install_finished"});

  // Subscribed once acknowledged: an event outside the topics is not sent, the next one is.
  const double before = now_epoch();
  ASSERT_EQ(api.post("/api/modder/hooks/test", R"({"event": "on_module_loaded", "payload": {"module": "x"}})").status, 200);
  ASSERT_EQ(api.post("/api/modder/hooks/test", R"({"event": "on_remote_install_finished", "payload": {"host": "ws-host"}})").status, 200);
  expect_original_envelope(ws.receive_json(), "on_remote_install_finished", before, "host", "ws-host");
}

TEST(CompatHookWire, UnknownTopicsAreRefusedByNameAndTheSocketClosed) {
  temp_dir root;
  api_server api{root.path()};
  hook_socket ws{api.port()};
  ASSERT_TRUE(ws.open()) << ws.error().message() << " " << ws.status();
  ASSERT_TRUE(ws.send(R"({"topics": ["on_scene_enter", "on_remote_install_finished"]})"));
  auto refusal = ws.receive_json();
  EXPECT_EQ(refusal["ok"], false) << json::serialize(refusal);
  EXPECT_EQ(refusal["error"], "Unsupported modder hook topics: on_scene_enter");
  EXPECT_FALSE(ws.receive());
  EXPECT_EQ(ws.error(), websocket::error::closed) << ws.error().message();
}

TEST(CompatHookWire, AnythingButATopicsListMeansEveryHook) {
  temp_dir root;
  api_server api{root.path()};
  const auto all = catalogue_names(api);
  ASSERT_EQ(all.size(), 16u);
  for (const char* first : {"not json", R"(["on_module_loaded"])", R"({"topics": "on_module_loaded"})", "{}"}) {
    hook_socket ws{api.port()};
    ASSERT_TRUE(ws.open()) << ws.error().message();
    ASSERT_TRUE(ws.send(first));
    auto ack = ws.receive_json();
    EXPECT_EQ(ack["ok"], true) << first << " -> " << json::serialize(ack);
    ASSERT_TRUE(ack.contains("subscribed")) << first;
    EXPECT_EQ(names_of(ack["subscribed"]), all) << first;
  }
}

TEST(CompatHookWire, AQuietSocketIsPingedAndOneThatNeverAsksGetsEveryHook) {
  temp_dir root;
  api_server api{root.path(), true, std::nullopt, {}, [](http::server_options& o) {
                   o.hook_ws_ping_interval = std::chrono::milliseconds{200};  // 20 s by default
                   o.hook_ws_subscribe_wait = std::chrono::milliseconds{200};  // 10 s by default
                 }};
  hook_socket ws{api.port()};
  ASSERT_TRUE(ws.open()) << ws.error().message();
  // No first message: after the wait, every hook, as if it had asked for all of them.
  auto ack = ws.receive_json();
  EXPECT_EQ(ack["ok"], true) << json::serialize(ack);
  ASSERT_TRUE(ack.contains("subscribed"));
  EXPECT_EQ(names_of(ack["subscribed"]), catalogue_names(api));
  auto ping = ws.receive_json();
  EXPECT_EQ(ping["ping"], true) << json::serialize(ping);
  EXPECT_EQ(ping["dropped"], 0) << json::serialize(ping);
  // Events still come between pings.
  ASSERT_EQ(api.post("/api/modder/hooks/test", R"({"event": "on_module_loaded", "payload": {"module": "m"}})").status, 200);
  json::object next = ws.receive_json();
  for (int i = 0; i < 50 && next.contains("ping"); ++i) next = ws.receive_json();
  EXPECT_EQ(next["event"], "on_module_loaded") << json::serialize(next);
}

// A subscriber that has nothing to say after its topics stays connected: the server pings it
// with a WebSocket ping frame at half the idle timeout and the client's automatic pong keeps
// the connection alive (Beast would otherwise close a peer silent for the idle timeout).
TEST(CompatHookWire, ASilentSubscriberOutlivesTheIdleTimeout) {
  temp_dir root;
  api_server api{root.path(), true, std::nullopt, {}, [](http::server_options& o) {
                   o.hook_ws_idle_timeout = std::chrono::milliseconds{300};  // 300 s by default
                   o.hook_ws_ping_interval = std::chrono::milliseconds{1500};
                 }};
  hook_socket ws{api.port()};
  ASSERT_TRUE(ws.open()) << ws.error().message();
  ASSERT_TRUE(ws.send(R"({"topics": ["on_module_loaded"]})"));
  ASSERT_EQ(ws.receive_json()["ok"], true);
  // Five idle timeouts later the application's own ping still arrives.
  auto ping = ws.receive_json();
  EXPECT_EQ(ping["ping"], true) << json::serialize(ping) << " " << ws.error().message();
}

// The SSE stream's bounded queue: a client that does not keep up loses events, for itself only,
// and the next ping says how many. Nothing lost goes unaccounted: received + dropped = published.
TEST(CompatHookWire, AClientThatFallsBehindLosesEventsAndThePingCountsThem) {
  temp_dir root;
  api_server api{root.path(), true, std::nullopt, {}, [](http::server_options& o) {
                   o.hook_history_bytes = 256 * 1024;  // also each subscriber's queue: 4 events of 60 KB
                   o.hook_ws_ping_interval = std::chrono::milliseconds{300};
                 }};
  hook_socket ws{api.port(), {}, 4096};
  ASSERT_TRUE(ws.open()) << ws.error().message();
  ASSERT_TRUE(ws.send(R"({"topics": ["on_module_loaded"]})"));
  ASSERT_EQ(ws.receive_json()["ok"], true);
  // 12 MB while the client reads nothing: more than the socket buffers and the queue hold.
  const std::string blob(60000, 'x');
  constexpr int published = 200;
  for (int i = 0; i < published; ++i) {
    ASSERT_EQ(api.post("/api/modder/hooks/test", R"({"event": "on_module_loaded", "payload": {"blob": ")" + blob + R"("}})").status, 200);
  }
  // Events, then pings once the queue is empty (a slow machine may ping between the posts too:
  // the count is cumulative). Read until every event is accounted for, or a read fails.
  std::uint64_t received = 0, dropped = 0;
  for (int i = 0; i < 2 * published && received + dropped < published; ++i) {
    json::object message = ws.receive_json();
    if (message.contains("event")) ++received;
    else if (message.contains("ping") && message["dropped"].is_number()) dropped = message["dropped"].to_number<std::uint64_t>();
    else break;
  }
  EXPECT_GT(dropped, 0u);
  EXPECT_EQ(received + dropped, static_cast<std::uint64_t>(published)) << received << " received, " << dropped << " dropped";
}

TEST(CompatHookWire, TheSocketKeepsTheGuardsOfEveryRoute) {
  temp_dir root;
  api_server api{root.path(), true, std::string{"compat-token-0123456789"}};
  const std::pair<std::string, std::string> auth{"Authorization", "Bearer compat-token-0123456789"};
  {
    hook_socket ws{api.port()};
    EXPECT_FALSE(ws.open());
    EXPECT_EQ(ws.status(), 401) << ws.refusal();
  }
  {
    // A web page elsewhere: browsers send no CORS preflight for a WebSocket, only its Origin.
    hook_socket ws{api.port(), {auth, {"Origin", "http://evil.example"}}};
    EXPECT_FALSE(ws.open());
    EXPECT_EQ(ws.status(), 403) << ws.refusal();
    EXPECT_NE(ws.refusal().find("forbidden_origin"), std::string::npos) << ws.refusal();
  }
  auto plain = api.get("/api/modder/hooks/ws", {auth});
  EXPECT_EQ(plain.status, 426) << plain.body;
  EXPECT_EQ(plain.json()["code"], "upgrade_required");

  hook_socket ws{api.port(), {auth}};
  ASSERT_TRUE(ws.open()) << ws.error().message() << " " << ws.status() << " " << ws.refusal();
  EXPECT_FALSE(ws.header("X-Request-ID").empty());
  // A first message over 64 KiB ends the connection (close code 1009, message too big).
  ASSERT_TRUE(ws.send("{\"topics\": [\"" + std::string(70 * 1024, 'x') + "\"]}"));
  EXPECT_FALSE(ws.receive());
  EXPECT_EQ(ws.reason().code, websocket::close_code::too_big) << ws.error().message();
}

}  // namespace
}  // namespace rio::test
