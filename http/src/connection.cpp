// One HTTP/1.1 connection (Boost.Beast), request by request: wait for the first byte (idle: the
// connection may be closed to make room); read the headers under a short deadline; refuse what
// the headers alone condemn (cross-site, no token, a declared body over the limit) without
// reading the body; then read the body, route, answer. The routes never see Beast types.
#include "api_errors.hpp"
#include "bearer_token.hpp"
#include "loopback.hpp"
#include "request_guard.hpp"
#include "request_id.hpp"
#include "routes.hpp"
#include "server_state.hpp"
#include "websocket_session.hpp"

#include <rio/sdk/coro.hpp>

#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/serialize.hpp>

#include <array>
#include <chrono>

namespace rio::http::detail {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

using request_parser = bhttp::request_parser<bhttp::string_body>;
using clock = std::chrono::steady_clock;

std::string url_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string{s.substr(i + 1, 2)}, nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Method, path, query, headers and id: everything but the body, which is read only if these pass.
api_request head_of(const request_parser::value_type& req) {
  api_request r;
  r.method = std::string{req.method_string()};
  std::string_view target = req.target();
  auto q = target.find('?');
  r.path = url_decode(target.substr(0, q));
  if (q != std::string_view::npos) {
    std::string_view query = target.substr(q + 1);
    while (!query.empty()) {
      auto amp = query.find('&');
      std::string_view pair = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
      auto eq = pair.find('=');
      r.query[url_decode(pair.substr(0, eq))] = eq == std::string_view::npos ? std::string{} : url_decode(pair.substr(eq + 1));
    }
  }
  for (const auto& field : req) {
    std::string name{field.name_string()};
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    r.headers[name] = std::string{field.value()};
  }
  auto rid = r.headers.find("x-request-id");
  r.request_id = request_id_for(rid == r.headers.end() ? std::string_view{} : std::string_view{rid->second});
  return r;
}

bhttp::response<bhttp::string_body> to_beast(const api_response& r, const api_request& req, unsigned version, clock::time_point started) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), version};
  res.set(bhttp::field::server, "rio");
  if (r.json_text) {
    res.set(bhttp::field::content_type, "application/json");
    res.body() = *r.json_text;
  } else if (r.text.empty()) {
    res.set(bhttp::field::content_type, "application/json");
    res.body() = json::serialize(r.body);
  } else {
    res.set(bhttp::field::content_type, "text/plain; charset=utf-8");
    res.body() = r.text;
  }
  res.set("X-Request-ID", req.request_id);
  auto took = std::chrono::duration<double>(clock::now() - started).count();
  res.set("X-Process-Time", std::to_string(took));
  for (const auto& [k, v] : r.headers) res.set(k, v);
  res.prepare_payload();
  return res;
}

class beast_sse final : public sse_writer {
 public:
  explicit beast_sse(beast::tcp_stream& s) : stream_(s) {}
  asio::awaitable<bool> send(std::string_view event, std::string_view id, std::string_view data) override {
    std::string frame = "event: " + std::string{event} + "\nid: " + std::string{id} + "\n";
    // A data line per line of payload (SSE's framing); payloads here are single lines anyway.
    std::size_t start = 0;
    for (std::size_t nl; (nl = data.find('\n', start)) != std::string_view::npos; start = nl + 1) {
      frame += "data: " + std::string{data.substr(start, nl - start)} + "\n";
    }
    frame += "data: " + std::string{data.substr(start)} + "\n\n";
    co_return co_await write(frame);
  }
  asio::awaitable<bool> ping() override { co_return co_await write(": keep-alive\n\n"); }

 private:
  asio::awaitable<bool> write(const std::string& text) {
    stream_.expires_after(std::chrono::seconds{30});  // a client that stops reading is dropped
    auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(text), sdk::use_nothrow);
    stream_.expires_never();
    co_return !ec;
  }
  beast::tcp_stream& stream_;
};

// What the headers alone condemn: a cross-site request, then a missing or wrong token. Decided
// before the body is read, so an unauthenticated client cannot make the server hold its body.
std::optional<api_response> refuse_on_headers(server::state& st, const api_request& req, unsigned version) {
  if (auto refused = refuse_cross_site(req, version, origin_policy{st.options.address, st.options.allowed_hosts})) return refused;
  if (st.options.token) {
    auto auth = req.headers.find("authorization");
    if (auth == req.headers.end() || !token_matches(*st.options.token, auth->second)) {
      auto r = error_response(401, "missing or wrong API token (send Authorization: Bearer <token>)", req.request_id);
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return r;
    }
  }
  return std::nullopt;
}

asio::awaitable<api_response> answer(server::state& st, const api_request& req) {
  try {
    co_return co_await route(st.api, req);
  } catch (const std::exception&) {
    // falls through to the 500 below (co_return is not allowed inside a handler)
  }
  // A handler bug answers 500 with the original's envelope instead of dropping the connection.
  auto r = error_response(500, "Internal server error", req.request_id);
  r.body.as_object()["code"] = "internal_error";
  co_return r;
}

asio::awaitable<bool> send(beast::tcp_stream& stream, bhttp::response<bhttp::string_body>& res) {
  stream.expires_after(std::chrono::seconds{30});
  auto [ec, n] = co_await bhttp::async_write(stream, res, sdk::use_nothrow);
  co_return !ec;
}

// Lingering close: closing with unread input makes the kernel send RST, and the client may lose
// the answer before reading it. Stop sending, then read and discard (bounded) until it stops.
asio::awaitable<void> linger(beast::tcp_stream& stream, std::size_t at_most) {
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  std::array<char, 16384> sink;
  stream.expires_after(std::chrono::seconds{2});
  for (std::size_t drained = 0; drained < at_most;) {
    auto [ec, got] = co_await stream.async_read_some(asio::buffer(sink), sdk::use_nothrow);
    if (ec) break;
    drained += got;
  }
}

// Whether the peer is this machine: only such clients get a run's connection errors in detail
// (engine::result_view; otherwise the API would tell open ports from closed ones).
bool from_loopback(const beast::tcp_stream& stream) {
  boost::system::error_code ec;
  const auto a = stream.socket().remote_endpoint(ec).address();
  if (ec) return false;
  return is_loopback(a);
}

// 413, from a declared Content-Length (before any of the body is read) or a body that grew past it.
asio::awaitable<void> refuse_too_large(server::state& st, beast::tcp_stream& stream, const request_parser& parser, clock::time_point started) {
  api_request req;
  auto rid = parser.get().find("X-Request-ID");
  req.request_id = request_id_for(rid == parser.get().end() ? std::string_view{} : std::string_view{rid->value()});
  auto r = error_response(413, "request body larger than " + std::to_string(st.options.body_limit) + " bytes", req.request_id);
  auto res = to_beast(r, req, 11, started);
  res.keep_alive(false);
  co_await send(stream, res);
  co_await linger(stream, 8 * st.options.body_limit);
}

asio::awaitable<void> send_stream(beast::tcp_stream& stream, const api_response& r, const api_request& req, unsigned version) {
  bhttp::response<bhttp::empty_body> head{bhttp::status::ok, version};
  head.set(bhttp::field::server, "rio");
  head.set(bhttp::field::content_type, "text/event-stream");
  head.set(bhttp::field::cache_control, "no-cache");
  head.set("X-Request-ID", req.request_id);
  head.keep_alive(false);
  bhttp::response_serializer<bhttp::empty_body> sr{head};
  stream.expires_after(std::chrono::seconds{30});
  auto [ec, n] = co_await bhttp::async_write_header(stream, sr, sdk::use_nothrow);
  stream.expires_never();
  if (ec) co_return;
  beast_sse out{stream};
  co_await r.stream(out);
}

// A client that sent `Expect: 100-continue` (curl does for bodies over 1 KiB) waits for this
// before sending its body: now that the headers have passed, it may.
asio::awaitable<bool> continue_if_asked(beast::tcp_stream& stream, const api_request& req) {
  auto expect = req.headers.find("expect");
  if (expect == req.headers.end() || !boost::beast::iequals(expect->second, "100-continue")) co_return true;
  static const std::string go_on = "HTTP/1.1 100 Continue\r\n\r\n";
  stream.expires_after(std::chrono::seconds{30});
  auto [ec, n] = co_await asio::async_write(stream, asio::buffer(go_on), sdk::use_nothrow);
  co_return !ec;
}

// Waits for the first byte of the next request. Meanwhile the connection is idle: it may be
// closed to make room (connection_table). A new connection gets the header deadline for it, a
// kept-alive one the idle allowance.
asio::awaitable<bool> await_request(server::state& st, beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                    connection_slot& slot, bool first) {
  if (buffer.size() > 0) co_return true;  // pipelined
  slot.set_idle(true);
  stream.expires_after(first ? st.options.header_timeout : st.options.idle_timeout);
  auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), sdk::use_nothrow);
  slot.set_idle(false);
  if (ec || slot.evicted()) co_return false;
  buffer.commit(n);
  co_return true;
}

// One request. False when the connection must close.
asio::awaitable<bool> serve_request(server::state& st, beast::tcp_stream& stream, beast::flat_buffer& buffer) {
  request_parser parser;
  parser.body_limit(st.options.body_limit);
  parser.header_limit(16 * 1024);
  stream.expires_after(st.options.header_timeout);  // slow-loris headers are dropped
  auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, sdk::use_nothrow);
  const auto started = clock::now();
  if (ec == bhttp::error::body_limit) co_await refuse_too_large(st, stream, parser, started);
  if (ec) co_return false;  // closed, timed out, malformed, or too large
  const unsigned version = parser.get().version();
  const bool keep_alive = parser.get().keep_alive();
  api_request req = head_of(parser.get());
  req.client_loopback = from_loopback(stream);
  if (auto refused = refuse_on_headers(st, req, version)) {
    const bool unread = !parser.is_done();  // never read: answer, then close
    auto res = to_beast(*refused, req, version, started);
    res.keep_alive(keep_alive && !unread && !st.api.stopping);
    const bool sent = co_await send(stream, res);
    if (unread) co_await linger(stream, st.options.body_limit);
    co_return sent && res.keep_alive();
  }
  if (!parser.is_done()) {
    if (!co_await continue_if_asked(stream, req)) co_return false;
  }
  stream.expires_after(st.options.read_timeout);
  auto [berr, bn] = co_await bhttp::async_read(stream, buffer, parser, sdk::use_nothrow);
  if (berr == bhttp::error::body_limit) co_await refuse_too_large(st, stream, parser, started);
  if (berr) co_return false;
  req.body = std::move(parser.get().body());
  stream.expires_never();
  api_response r = co_await answer(st, req);
  if (r.websocket) {
    co_await serve_websocket(stream, parser.get(), r, req.request_id, st.options.hook_ws_idle_timeout);
    co_return false;
  }
  if (r.stream) {
    co_await send_stream(stream, r, req, version);
    co_return false;
  }
  auto res = to_beast(r, req, version, started);
  res.keep_alive(keep_alive && !st.api.stopping);
  co_return co_await send(stream, res) && res.keep_alive();
}

}  // namespace

asio::awaitable<void> serve_connection(server::state& st, tcp::socket socket, std::unique_ptr<connection_slot> slot) {
  if (slot->evicted()) co_return;  // made room for a newer connection before it started
  beast::tcp_stream stream{std::move(socket)};
  slot->attach(stream.socket());
  beast::flat_buffer buffer;
  for (bool first = true; co_await await_request(st, stream, buffer, *slot, first); first = false) {
    if (!co_await serve_request(st, stream, buffer)) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace rio::http::detail
