// The listener and the HTTP/1.1 connection loop (Boost.Beast). Everything about a request that is
// not transport (routing, JSON, runs) lives in the routes, which never see Beast types.
#include "api_errors.hpp"
#include "request_guard.hpp"
#include "routes.hpp"

#include <rio/http/server.hpp>
#include <rio/sdk/coro.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/serialize.hpp>

#include <array>
#include <chrono>
#include <random>

namespace rio::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using namespace detail;

struct server::state {
  state(asio::io_context& c, server_options o, api_config cfg, kernel::module_registry reg)
      : ctx(c),
        options(std::move(o)),
        api(std::move(cfg), std::move(reg), c.get_executor(),
            delivery_policy{options.webhook_attempts, options.webhook_first_backoff, std::chrono::seconds{10}}),
        acceptor(c) {}
  asio::io_context& ctx;
  server_options options;
  api_state api;
  tcp::acceptor acceptor;
  std::size_t connections = 0;
};

namespace {

std::string new_request_id() {
  static std::mt19937_64 rng{std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (auto& c : id) c = hex[rng() & 15];
  return id.substr(0, 8) + "-" + id.substr(8, 4) + "-" + id.substr(12, 4) + "-" + id.substr(16, 4) + "-" + id.substr(20, 12);
}

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

api_request to_api_request(bhttp::request<bhttp::string_body>& req) {
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
  r.body = std::move(req.body());
  auto rid = r.headers.find("x-request-id");
  // A client's id is echoed only when it is short and printable (it goes into headers and logs).
  bool usable = rid != r.headers.end() && !rid->second.empty() && rid->second.size() <= 128 &&
                std::all_of(rid->second.begin(), rid->second.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; });
  r.request_id = usable ? rid->second : new_request_id();
  return r;
}

bool token_matches(const vault::secret& token, std::string_view header) {
  constexpr std::string_view scheme = "Bearer ";
  if (header.size() < scheme.size() || !std::equal(scheme.begin(), scheme.end(), header.begin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
      })) {
    return false;
  }
  std::string_view given = header.substr(scheme.size());
  std::string_view want = token.reveal();
  // Constant time in the token's length: no early exit on the first differing byte.
  unsigned char diff = given.size() == want.size() ? 0 : 1;
  for (std::size_t i = 0; i < want.size(); ++i) diff |= static_cast<unsigned char>(want[i] ^ (i < given.size() ? given[i] : 0));
  return diff == 0;
}

bhttp::response<bhttp::string_body> to_beast(const api_response& r, const api_request& req, unsigned version,
                                             std::chrono::steady_clock::time_point started) {
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
  auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
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

// Cross-site checks first (headers only), then the token, then the route.
asio::awaitable<api_response> answer(server::state& st, const api_request& req, unsigned version) {
  if (auto refused = refuse_cross_site(req, version, origin_policy{st.options.address, st.options.allowed_hosts})) {
    co_return std::move(*refused);
  }
  if (st.options.token) {
    auto auth = req.headers.find("authorization");
    if (auth == req.headers.end() || !token_matches(*st.options.token, auth->second)) {
      auto r = error_response(401, "missing or wrong API token (send Authorization: Bearer <token>)", req.request_id);
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      co_return r;
    }
  }
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

asio::awaitable<void> serve_connection(server::state& st, tcp::socket socket) {
  ++st.connections;
  beast::tcp_stream stream{std::move(socket)};
  beast::flat_buffer buffer;
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(st.options.body_limit);
    parser.header_limit(16 * 1024);
    stream.expires_after(buffer.size() == 0 ? st.options.idle_timeout : st.options.read_timeout);
    // The idle allowance covers the wait for a keep-alive request; once bytes arrive, the read
    // deadline bounds the rest (slow-loris clients are dropped).
    auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, sdk::use_nothrow);
    const auto started = std::chrono::steady_clock::now();
    if (ec == bhttp::error::body_limit) {
      api_request dummy;
      dummy.request_id = new_request_id();
      if (auto rid = parser.get().find("X-Request-ID"); rid != parser.get().end() && !rid->value().empty() &&
                                                      rid->value().size() <= 128) {
        dummy.request_id = std::string{rid->value()};
      }
      auto r = error_response(413, "request body larger than " + std::to_string(st.options.body_limit) + " bytes", dummy.request_id);
      auto res = to_beast(r, dummy, 11, started);
      res.keep_alive(false);
      stream.expires_after(std::chrono::seconds{10});
      co_await bhttp::async_write(stream, res, sdk::use_nothrow);
      // Lingering close: closing with unread input makes the kernel send RST, and the client
      // may lose the 413 before reading it. Stop sending, then drain (bounded) until it stops.
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
      std::array<char, 16384> sink;
      stream.expires_after(std::chrono::seconds{2});
      for (std::size_t drained = 0; drained < 8 * st.options.body_limit;) {
        auto [rerr, got] = co_await stream.async_read_some(asio::buffer(sink), sdk::use_nothrow);
        if (rerr) break;
        drained += got;
      }
      break;
    }
    if (ec) break;  // closed, timed out, or malformed HTTP
    auto& raw = parser.get();
    const unsigned version = raw.version();
    const bool keep_alive = raw.keep_alive();
    api_request req = to_api_request(raw);
    stream.expires_never();

    api_response r = co_await answer(st, req, version);

    if (r.stream) {
      bhttp::response<bhttp::empty_body> head{bhttp::status::ok, version};
      head.set(bhttp::field::server, "rio");
      head.set(bhttp::field::content_type, "text/event-stream");
      head.set(bhttp::field::cache_control, "no-cache");
      head.set("X-Request-ID", req.request_id);
      head.keep_alive(false);
      bhttp::response_serializer<bhttp::empty_body> sr{head};
      stream.expires_after(std::chrono::seconds{30});
      auto [werr, wn] = co_await bhttp::async_write_header(stream, sr, sdk::use_nothrow);
      stream.expires_never();
      if (!werr) {
        beast_sse out{stream};
        co_await r.stream(out);
      }
      break;
    }
    auto res = to_beast(r, req, version, started);
    res.keep_alive(keep_alive && !st.api.stopping);
    stream.expires_after(std::chrono::seconds{30});
    auto [werr, wn] = co_await bhttp::async_write(stream, res, sdk::use_nothrow);
    if (werr || !res.keep_alive()) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  --st.connections;
}

asio::awaitable<void> accept_loop(server::state& st) {
  for (;;) {
    auto [ec, socket] = co_await st.acceptor.async_accept(sdk::use_nothrow);
    if (ec) {
      if (ec == asio::error::operation_aborted || !st.acceptor.is_open()) co_return;
      continue;  // e.g. EMFILE: keep serving the connections we have
    }
    if (st.connections >= st.options.max_connections) {
      beast::error_code ignored;
      socket.close(ignored);
      continue;
    }
    asio::co_spawn(st.ctx, serve_connection(st, std::move(socket)), asio::detached);
  }
}

bool is_loopback(const asio::ip::address& a) {
  return a.is_loopback() || (a.is_v4() && (a.to_v4().to_uint() >> 24) == 127);
}

}  // namespace

server::server(std::unique_ptr<state> s) : state_(std::move(s)) {}
server::~server() = default;

kernel::result<std::unique_ptr<server>> server::start(asio::io_context& ctx, server_options options, api_config config) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(options.address, ec);
  if (ec) return kernel::fail(kernel::errc::bad_config, "listen address '" + options.address + "' is not an IP address");
  if (!is_loopback(address) && !options.token) {
    return kernel::fail(kernel::errc::bad_config,
                        "refusing to listen on " + options.address +
                            " without an API token: anyone who reaches it could install software on your hosts. "
                            "Configure a token (--token-file FILE or RIO_API_TOKEN), or listen on 127.0.0.1");
  }
  std::vector<kernel::load_problem> problems;
  auto registry = kernel::module_registry::load_directory(config.settings.plugin_dir, problems);
  if (!registry) return registry.error();

  auto st = std::make_unique<state>(ctx, std::move(options), std::move(config), std::move(*registry));
  if (auto loaded = st->api.webhooks.load(); !loaded) return loaded.error();
  tcp::endpoint endpoint{address, st->options.port};
  st->acceptor.open(endpoint.protocol(), ec);
  if (!ec) st->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) st->acceptor.bind(endpoint, ec);
  if (!ec) st->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return kernel::fail(kernel::errc::io_error, "cannot listen on " + st->options.address + ":" +
                                                    std::to_string(st->options.port) + ": " + ec.message());
  }
  asio::co_spawn(ctx, accept_loop(*st), asio::detached);
  return std::unique_ptr<server>{new server{std::move(st)}};
}

tcp::endpoint server::local_endpoint() const {
  boost::system::error_code ec;
  return state_->acceptor.local_endpoint(ec);
}

std::size_t server::active_runs() const { return state_->api.runs.active(); }

void server::stop() {
  state_->api.stopping = true;
  boost::system::error_code ignored;
  state_->acceptor.close(ignored);
  state_->api.runs.cancel_all();
  state_->api.log_activity.cancel();
  state_->api.bus.stop();
}

}  // namespace rio::http
