#include <rio/kernel/ssh/session_pool.hpp>

#include "async_mutex.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <optional>
#include <vector>

namespace rio::kernel::ssh {
namespace asio = boost::asio;

namespace {

std::string key_of(const target& t) { return t.user + "@" + display_name(t); }

// A connection attempt that later callers for the same target wait on.
struct pending_connect {
  explicit pending_connect(const asio::any_io_executor& ex) : done(ex, asio::steady_timer::time_point::max()) {}
  asio::steady_timer done;
  std::optional<result<std::shared_ptr<session>>> outcome;
};

}  // namespace

struct session_pool::state {
  explicit state(pool_limits l)
      : limits(l), connections(l.max_connections), handshakes(l.max_handshakes) {}
  pool_limits limits;
  detail::async_semaphore connections;
  detail::async_semaphore handshakes;
  std::map<std::string, std::unique_ptr<detail::async_semaphore>> per_host;
  std::map<std::string, std::shared_ptr<session>> sessions;
  std::map<std::string, std::shared_ptr<pending_connect>> pending;
  std::size_t in_flight = 0;
  std::size_t peak = 0;

  detail::async_semaphore& host_limit(const std::string& host) {
    auto& slot = per_host[host];
    if (!slot) slot = std::make_unique<detail::async_semaphore>(limits.max_handshakes_per_host);
    return *slot;
  }

  // Holds a connection slot (kept by a successful session), a global handshake slot and a
  // per-host handshake slot (both returned when the handshake ends, however it ends).
  asio::awaitable<result<std::shared_ptr<session>>> connect(connect_options options) {
    const std::string host = canonical_host(options.where.host);
    auto cancelled = [] { return sdk::fail(sdk::errc::cancelled, "cancelled waiting for a connection slot"); };
    if (!co_await connections.acquire()) co_return cancelled();
    bool keep_connection = false;
    struct connection_guard {
      detail::async_semaphore& s;
      bool& keep;
      ~connection_guard() {
        if (!keep) s.release();
      }
    } connection{connections, keep_connection};

    if (!co_await handshakes.acquire()) co_return cancelled();
    detail::release_on_exit<detail::async_semaphore> handshake{handshakes};
    auto& per = host_limit(host);
    if (!co_await per.acquire()) co_return cancelled();
    detail::release_on_exit<detail::async_semaphore> per_host_slot{per};

    peak = std::max(peak, ++in_flight);
    struct in_flight_guard {
      std::size_t& n;
      ~in_flight_guard() { --n; }
    } counting{in_flight};
    auto s = co_await session::connect(std::move(options));
    keep_connection = static_cast<bool>(s);
    co_return s;
  }
};

session_pool::session_pool(pool_limits limits) : state_(std::make_unique<state>(limits)) {}
session_pool::~session_pool() = default;

asio::awaitable<result<std::shared_ptr<session>>> session_pool::get(connect_options options) {
  state& st = *state_;
  if (auto ok = validate(options.where); !ok) co_return ok.error();
  const std::string key = key_of(options.where);
  if (auto it = st.sessions.find(key); it != st.sessions.end()) {
    if (it->second->usable()) co_return it->second;
    st.sessions.erase(it);
    st.connections.release();
  }
  if (auto it = st.pending.find(key); it != st.pending.end()) {
    auto waiting = it->second;
    co_await waiting->done.async_wait(sdk::use_nothrow);
    if (waiting->outcome) co_return *waiting->outcome;
    co_return sdk::fail(sdk::errc::cancelled, "cancelled waiting for the connection to " + key);
  }

  auto attempt = std::make_shared<pending_connect>(co_await asio::this_coro::executor);
  st.pending[key] = attempt;
  auto s = co_await st.connect(std::move(options));
  st.pending.erase(key);
  if (s) st.sessions[key] = *s;
  attempt->outcome = s;
  attempt->done.cancel();
  co_return s;
}

asio::awaitable<void> session_pool::run_keepalive(std::chrono::seconds interval) {
  state& st = *state_;
  asio::steady_timer timer{co_await asio::this_coro::executor};
  for (;;) {
    timer.expires_after(interval);
    auto [ec] = co_await timer.async_wait(sdk::use_nothrow);
    if (ec) co_return;  // cancelled: the pool's owner is done with it
    // A copy: a keepalive suspends, and get() may add sessions meanwhile.
    std::vector<std::pair<std::string, std::shared_ptr<session>>> now(st.sessions.begin(), st.sessions.end());
    for (auto& [key, s] : now) {
      co_await s->keepalive();
      if (!s->usable() && st.sessions.count(key) != 0 && st.sessions[key] == s) {
        st.sessions.erase(key);
        st.connections.release();
      }
    }
  }
}

asio::awaitable<void> session_pool::close(const target& where, std::chrono::milliseconds deadline) {
  state& st = *state_;
  auto it = st.sessions.find(key_of(where));
  if (it == st.sessions.end()) co_return;
  auto s = std::move(it->second);
  st.sessions.erase(it);
  st.connections.release();
  co_await s->disconnect(deadline);
}

asio::awaitable<void> session_pool::close_all(std::chrono::milliseconds deadline) {
  state& st = *state_;
  auto sessions = std::move(st.sessions);
  st.sessions.clear();
  for (auto& [key, s] : sessions) {
    co_await s->disconnect(deadline);
    st.connections.release();
  }
}

std::size_t session_pool::size() const noexcept { return state_->sessions.size(); }
std::size_t session_pool::peak_handshakes() const noexcept { return state_->peak; }

}  // namespace rio::kernel::ssh
