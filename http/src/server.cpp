// The listener: admits connections under the caps (connection_table.hpp), answers 503 cheaply
// when every connection under a cap is busy, and pauses instead of spinning when accept fails
// for want of descriptors. The connections themselves are served in connection.cpp.
#include "loopback.hpp"
#include "server_state.hpp"

#include <rio/sdk/coro.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <chrono>

#include <sys/resource.h>

namespace rio::http {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace detail;

namespace {

api_limits limits_of(const server_options& o) {
  api_limits l;
  l.max_webhooks = o.max_webhooks;
  l.hook_payload_bytes = o.hook_payload_limit;
  l.hook_history_bytes = o.hook_history_bytes;
  l.webhook_delivery.attempts = o.webhook_attempts;
  l.webhook_delivery.first_backoff = o.webhook_first_backoff;
  l.hook_ws_ping = o.hook_ws_ping_interval;
  l.hook_ws_subscribe_wait = o.hook_ws_subscribe_wait;
  return l;
}

}  // namespace

server::state::state(asio::io_context& c, server_options o, api_config cfg, kernel::module_registry reg)
    : ctx(c),
      options(std::move(o)),
      api(std::move(cfg), std::move(reg), c.get_executor(), limits_of(options)),
      acceptor(c),
      connections({options.max_connections, options.max_connections_per_address}) {}

namespace {

// Every connection under the cap is busy: a fixed 503, written without parsing anything, then a
// short drain so that the client reads it rather than a reset. Past a few dozen of these at once,
// the newcomer is just closed.
asio::awaitable<void> refuse_connection(server::state& st, tcp::socket socket) {
  using namespace asio::experimental::awaitable_operators;
  static const std::string body = R"({"ok": false, "code": "too_many_connections", "message": "the server has too many connections; try again shortly"})";
  static const std::string reply = "HTTP/1.1 503 Service Unavailable\r\nServer: rio\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
                                   "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  ++st.refusing;
  asio::steady_timer deadline{st.ctx, std::chrono::seconds{1}};
  auto written = co_await (asio::async_write(socket, asio::buffer(reply), sdk::use_nothrow) || deadline.async_wait(sdk::use_nothrow));
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_send, ignored);
  std::array<char, 4096> sink;
  for (std::size_t drained = 0; written.index() == 0 && drained < 64 * 1024;) {
    auto got = co_await (socket.async_read_some(asio::buffer(sink), sdk::use_nothrow) || deadline.async_wait(sdk::use_nothrow));
    if (got.index() != 0) break;
    auto [ec, n] = std::get<0>(got);
    if (ec) break;
    drained += n;
  }
  --st.refusing;
}

void admit(server::state& st, tcp::socket socket) {
  boost::system::error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  if (ec) return;  // already gone
  if (auto slot = st.connections.admit(peer.address())) {
    asio::co_spawn(st.ctx, serve_connection(st, std::move(socket), std::move(slot)), asio::detached);
  } else if (st.refusing < 64) {
    asio::co_spawn(st.ctx, refuse_connection(st, std::move(socket)), asio::detached);
  }
}

bool out_of_descriptors(const boost::system::error_code& ec) {
  return ec == boost::system::errc::too_many_files_open || ec == boost::system::errc::too_many_files_open_in_system ||
         ec == boost::system::errc::no_buffer_space || ec == boost::system::errc::not_enough_memory;
}

// An accept that fails for want of descriptors fails again at once: without a pause the loop
// spins. Pause (100 ms, doubling to 1 s) and close the longest-idle connection to get one back;
// say so once per episode.
asio::awaitable<void> accept_loop(server::state& st) {
  asio::steady_timer pause{st.ctx};
  auto backoff = std::chrono::milliseconds{100};
  bool troubled = false;
  for (;;) {
    auto [ec, socket] = co_await st.acceptor.async_accept(sdk::use_nothrow);
    if (ec == asio::error::operation_aborted || !st.acceptor.is_open()) co_return;
    if (ec == asio::error::connection_aborted) continue;  // the client gave up first: nothing wrong here
    if (ec) {
      if (!troubled) st.notice("rio: serve: cannot accept connections (" + ec.message() + "); pausing accepts" +
                               (out_of_descriptors(ec) ? " and closing idle connections" : std::string{}) + " until it passes");
      troubled = true;
      if (out_of_descriptors(ec)) st.connections.evict_idle();
      pause.expires_after(backoff);
      co_await pause.async_wait(sdk::use_nothrow);
      backoff = std::min(backoff * 2, std::chrono::milliseconds{1000});
      continue;
    }
    if (troubled) st.notice("rio: serve: accepting connections again");
    troubled = false;
    backoff = std::chrono::milliseconds{100};
    admit(st, std::move(socket));
  }
}


// Connections beyond the descriptor limit would fail in accept anyway; leave room for the rest
// of the server (vault, logs, SSH sessions).
void fit_descriptor_limit(server_options& o) {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return;
  const std::size_t room = rl.rlim_cur > 128 ? static_cast<std::size_t>(rl.rlim_cur) - 64 : static_cast<std::size_t>(rl.rlim_cur) / 2;
  if (o.max_connections > room) {
    if (o.log) {
      o.log("rio: serve: at most " + std::to_string(room) + " connections (RLIMIT_NOFILE is " + std::to_string(rl.rlim_cur) + ")");
    }
    o.max_connections = room;
  }
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

  fit_descriptor_limit(options);
  auto st = std::make_unique<state>(ctx, std::move(options), std::move(config), std::move(*registry));
  for (const auto& note : st->api.webhooks.load()) st->notice("rio: serve: " + note);
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
  state_->api.webhooks.stop();
  state_->api.bus.stop();
}

}  // namespace rio::http
