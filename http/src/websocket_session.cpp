#include "websocket_session.hpp"

#include <rio/sdk/coro.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <deque>
#include <variant>

namespace rio::http::detail {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;

namespace {

using ws_stream = websocket::stream<beast::tcp_stream&>;

// The client's messages are read all along by read_all(): cancelling a Beast websocket read
// would break the stream, so read() waits for what read_all() received instead of reading.
class beast_channel final : public ws_channel {
 public:
  explicit beast_channel(ws_stream& ws) : ws_(ws), news_(ws.get_executor(), asio::steady_timer::time_point::max()) {}

  // Until the client goes. Protocols here want one request message; a few wait for read(),
  // later ones are dropped, so a chatty client cannot grow memory.
  asio::awaitable<void> read_all() {
    for (;;) {
      beast::flat_buffer buffer;
      auto [ec, n] = co_await ws_.async_read(buffer, sdk::use_nothrow);
      if (ec) break;
      if (inbox_.size() < 4) inbox_.push_back(beast::buffers_to_string(buffer.data()));
      news_.cancel();
    }
    gone_ = true;
    news_.cancel();
  }

  asio::awaitable<std::optional<std::string>> read(std::chrono::milliseconds patience) override {
    asio::steady_timer limit{ws_.get_executor(), patience};
    while (inbox_.empty() && !gone_ && limit.expiry() > asio::steady_timer::clock_type::now()) {
      using namespace asio::experimental::awaitable_operators;
      co_await (news_.async_wait(sdk::use_nothrow) || limit.async_wait(sdk::use_nothrow));
    }
    if (inbox_.empty()) co_return std::nullopt;
    std::string message = std::move(inbox_.front());
    inbox_.pop_front();
    co_return message;
  }

  asio::awaitable<bool> write(std::string_view text) override {
    if (gone_ || stuck_) co_return false;
    ws_.text(true);
    asio::steady_timer limit{ws_.get_executor(), std::chrono::seconds{30}};
    using namespace asio::experimental::awaitable_operators;
    auto done = co_await (ws_.async_write(asio::buffer(text), sdk::use_nothrow) || limit.async_wait(sdk::use_nothrow));
    if (done.index() == 1) {
      stuck_ = true;  // a client that stopped reading; the cancelled write left the stream unusable
      co_return false;
    }
    co_return !std::get<0>(std::get<0>(done));
  }

  asio::awaitable<void> until_gone() override {
    while (!gone_) co_await news_.async_wait(sdk::use_nothrow);
  }

  // A close handshake when the stream is still usable; otherwise the socket is closed, which
  // also ends read_all().
  asio::awaitable<void> finish() {
    if (gone_) co_return;
    if (!stuck_) {
      auto [ec] = co_await ws_.async_close(websocket::close_code::normal, sdk::use_nothrow);
      if (!ec) co_return;
    }
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

 private:
  ws_stream& ws_;
  asio::steady_timer news_;  ///< never expires: cancel() wakes read() and until_gone()
  std::deque<std::string> inbox_;
  bool gone_ = false;
  bool stuck_ = false;
};

asio::awaitable<void> run_then_close(const api_response& response, beast_channel& channel) {
  try {
    co_await response.websocket(channel);
  } catch (const std::exception&) {
    // a handler bug ends this connection only; it is closed below like any other
  }
  co_await channel.finish();
}

}  // namespace

asio::awaitable<void> serve_websocket(beast::tcp_stream& stream, const beast::http::request<beast::http::string_body>& request,
                                      const api_response& response, const std::string& request_id,
                                      std::chrono::milliseconds idle_timeout) {
  stream.expires_never();  // the websocket keeps its own time limits (handshake, close, idle pings)
  ws_stream ws{stream};
  ws.read_message_max(websocket_message_limit);
  // A subscriber may stay silent for hours after its first message. Beast closes a stream that
  // receives nothing for idle_timeout, so it pings at half that: every client (browsers included)
  // answers a ping frame by itself, and the pong counts as received data. A peer that vanished
  // without a FIN answers nothing and is closed.
  auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
  timeouts.idle_timeout = idle_timeout;
  timeouts.keep_alive_pings = true;
  ws.set_option(timeouts);
  ws.set_option(websocket::stream_base::decorator([request_id](websocket::response_type& res) {
    res.set(beast::http::field::server, "rio");
    res.set("X-Request-ID", request_id);
  }));
  auto [ec] = co_await ws.async_accept(request, sdk::use_nothrow);
  if (ec) co_return;
  beast_channel channel{ws};
  using namespace asio::experimental::awaitable_operators;
  co_await (run_then_close(response, channel) && channel.read_all());
}

}  // namespace rio::http::detail
