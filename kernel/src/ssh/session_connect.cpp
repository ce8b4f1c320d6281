// Connecting: validate, resolve, TCP connect, SSH handshake, host key, authentication, all
// under one connect_timeout deadline; and the orderly end of a session.

#include "session_impl.hpp"

#include <rio/sdk/coro.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>

#include <string_view>

namespace rio::kernel::ssh {
namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

namespace {

// Modern, fast algorithms first; libssh2 1.10 would otherwise prefer nistp256 key exchange.
constexpr const char* kex_preference =
    "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,"
    "diffie-hellman-group16-sha512,diffie-hellman-group14-sha256";
constexpr const char* hostkey_preference =
    "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256,ssh-rsa";

sdk::error cancelled() { return sdk::fail(sdk::errc::cancelled, "connect cancelled"); }

// Our preference, reduced to what this libssh2 implements. libssh2 1.10 corrupts its heap when
// libssh2_session_method_pref is given a name it does not know (it removes it with an
// overlapping memcpy), so unknown names must never reach it.
void prefer(LIBSSH2_SESSION* session, int method, const char* wanted) {
  const char** algs = nullptr;
  int count = libssh2_session_supported_algs(session, method, &algs);
  if (count <= 0 || algs == nullptr) return;
  std::string list;
  std::string_view rest{wanted};
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string_view name = rest.substr(0, comma);
    for (int i = 0; i < count; ++i) {
      if (name == algs[i]) {
        list += (list.empty() ? "" : ",") + std::string{name};
        break;
      }
    }
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
  libssh2_free(session, static_cast<void*>(algs));
  if (!list.empty()) libssh2_session_method_pref(session, method, list.c_str());
}

// Resolves and connects the socket (every address the name resolves to, IPv4 and IPv6).
asio::awaitable<result<void>> open_socket(session::impl& s, clock::time_point deadline) {
  const target& t = s.options.where;
  asio::ip::tcp::resolver resolver{s.socket.get_executor()};
  asio::steady_timer timer{s.socket.get_executor(), deadline};
  auto resolved = co_await (resolver.async_resolve(bare_host(t.host), std::to_string(t.port), sdk::use_nothrow) ||
                            timer.async_wait(sdk::use_nothrow));
  if (resolved.index() == 1) {
    if (std::get<0>(std::get<1>(resolved))) co_return cancelled();
    co_return fail(errc::connect_timed_out, "resolving " + t.host + " took longer than the connect timeout");
  }
  auto [rec, endpoints] = std::get<0>(resolved);
  if (rec == asio::error::operation_aborted) co_return cancelled();
  if (rec) co_return fail(errc::resolve_failed, "cannot resolve host '" + t.host + "': " + rec.message());

  timer.expires_at(deadline);
  auto connected = co_await (asio::async_connect(s.socket, endpoints, sdk::use_nothrow) || timer.async_wait(sdk::use_nothrow));
  if (connected.index() == 1) {
    if (std::get<0>(std::get<1>(connected))) co_return cancelled();
    co_return fail(errc::connect_timed_out, "connecting to " + display_name(t) + " took longer than the connect timeout");
  }
  auto [cec, endpoint] = std::get<0>(connected);
  if (cec == asio::error::operation_aborted) co_return cancelled();
  if (cec) co_return fail(errc::connect_failed, "cannot connect to " + display_name(t) + ": " + cec.message());
  s.socket.set_option(asio::ip::tcp::no_delay(true));
  co_return result<void>{};
}

asio::awaitable<result<void>> handshake(session::impl& s, clock::time_point deadline) {
  detail::ensure_libssh2_initialised();
  s.raw = libssh2_session_init_ex(nullptr, nullptr, nullptr, nullptr);
  if (s.raw == nullptr) co_return fail(errc::handshake_failed, "cannot allocate an SSH session");
  libssh2_session_set_blocking(s.raw, 0);
  prefer(s.raw, LIBSSH2_METHOD_KEX, kex_preference);
  prefer(s.raw, LIBSSH2_METHOD_HOSTKEY, hostkey_preference);
  const int fd = s.socket.native_handle();
  auto [rc, stopped] = co_await s.call([&] { return libssh2_session_handshake(s.raw, fd); }, deadline);
  if (stopped == session::impl::stop::cancelled) co_return cancelled();
  if (stopped == session::impl::stop::deadline) {
    co_return fail(errc::connect_timed_out, "SSH handshake with " + display_name(s.options.where) +
                                                " took longer than the connect timeout (is it an SSH server?)");
  }
  if (rc != 0) {
    co_return fail(errc::handshake_failed, "SSH handshake with " + display_name(s.options.where) + " failed: " +
                                               detail::last_error(s.raw));
  }
  co_return result<void>{};
}

}  // namespace

session::impl::~impl() {
  if (raw != nullptr) {
    // Bounded and synchronous: a destructor cannot wait on the executor. disconnect() is the
    // graceful path; this only releases what is left.
    libssh2_session_set_blocking(raw, 1);
    libssh2_session_set_timeout(raw, 500);
    libssh2_session_free(raw);
  }
}

session::session(std::unique_ptr<impl> state) : impl_(std::move(state)) {}
session::~session() = default;

asio::awaitable<result<std::shared_ptr<session>>> session::connect(connect_options options) {
  if (auto ok = validate(options.where); !ok) co_return ok.error();
  if (options.connect_timeout.count() <= 0) co_return fail(errc::bad_option, "connect_timeout must be positive");
  const auto deadline = clock::now() + options.connect_timeout;
  auto state = std::make_unique<impl>(co_await asio::this_coro::executor, std::move(options));

  if (auto ok = co_await open_socket(*state, deadline); !ok) co_return ok.error();
  if (auto ok = co_await handshake(*state, deadline); !ok) co_return ok.error();
  if (auto ok = verify_host_key(*state); !ok) co_return ok.error();
  if (auto ok = co_await authenticate(*state, deadline); !ok) co_return ok.error();
  if (state->options.keepalive.count() > 0) {
    libssh2_keepalive_config(state->raw, 1, static_cast<unsigned>(state->options.keepalive.count()));
  }
  co_return std::shared_ptr<session>{new session(std::move(state))};
}

asio::awaitable<void> session::disconnect(std::chrono::milliseconds deadline_in) {
  impl& s = *impl_;
  if (s.raw == nullptr) co_return;
  const auto deadline = clock::now() + deadline_in;
  if (co_await s.mutex.lock()) {
    detail::unlock_on_exit unlock{s.mutex};
    if (!s.broken) {
      co_await s.call([&] { return libssh2_session_disconnect(s.raw, "rio: done"); }, deadline);
    }
    auto [rc, stopped] = co_await s.call([&] { return libssh2_session_free(s.raw); }, deadline);
    // If freeing could not finish in time, the destructor's bounded blocking free does it.
    if (stopped == impl::stop::none && rc == 0) s.raw = nullptr;
    s.broken = true;
    boost::system::error_code ignored;
    s.socket.close(ignored);
  }
}

bool session::usable() const noexcept { return impl_->raw != nullptr && !impl_->broken; }
const target& session::where() const noexcept { return impl_->options.where; }
const std::string& session::host_key_fingerprint() const noexcept { return impl_->fingerprint; }
bool session::host_key_recorded() const noexcept { return impl_->recorded; }
const std::string& session::auth_method() const noexcept { return impl_->auth_method; }
std::uint64_t session::directionless_waits() const noexcept { return impl_->directionless; }

}  // namespace rio::kernel::ssh
