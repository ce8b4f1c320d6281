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

// OpenSSH's default lists (OpenSSH 9.x, ssh_config(5)), in its order, so rio offers what
// `ssh` offers; prefer() drops what this libssh2 lacks (1.10 has no chacha20, GCM, ETM MACs,
// umac or rsa-sha2 host keys; 1.11 adds some). Without them libssh2 would also offer arcfour,
// 3des-cbc, blowfish-cbc, cast128-cbc, hmac-md5, hmac-ripemd160, ssh-dss and SHA-1 key exchange.
constexpr const char* kex_preference =
    "sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,"
    "ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,"
    "diffie-hellman-group18-sha512,diffie-hellman-group14-sha256";
constexpr const char* hostkey_preference =
    "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256";
// SHA-1 RSA signatures, only for a libssh2 without rsa-sha2-512/256 host keys (1.10, Debian 12):
// dropping it there would make every RSA-only host (common with Dropbear) unreachable. rio then
// warns that the host key was checked with SHA-1 (see rsa_sha1_warning in host_run.cpp).
constexpr const char* hostkey_rsa_fallback = "ssh-rsa";
constexpr const char* cipher_preference =
    "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com";
constexpr const char* mac_preference =
    "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,"
    "hmac-sha1-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1";

sdk::error cancelled() { return sdk::fail(sdk::errc::cancelled, "connect cancelled"); }

// The names of `wanted` this libssh2 implements, in `wanted`'s order.
std::string supported_subset(LIBSSH2_SESSION* session, int method, std::string_view wanted) {
  const char** algs = nullptr;
  int count = libssh2_session_supported_algs(session, method, &algs);
  if (count <= 0 || algs == nullptr) return {};
  std::string list;
  while (!wanted.empty()) {
    auto comma = wanted.find(',');
    std::string_view name = wanted.substr(0, comma);
    for (int i = 0; i < count; ++i) {
      if (name == algs[i]) {
        list += (list.empty() ? "" : ",") + std::string{name};
        break;
      }
    }
    wanted = comma == std::string_view::npos ? std::string_view{} : wanted.substr(comma + 1);
  }
  libssh2_free(session, static_cast<void*>(algs));
  return list;
}

// Our preference, reduced to what this libssh2 implements. libssh2 1.10 corrupts its heap when
// libssh2_session_method_pref is given a name it does not know (it removes it with an
// overlapping memcpy), so unknown names must never reach it.
void prefer(LIBSSH2_SESSION* session, int method, const char* wanted) {
  const std::string list = supported_subset(session, method, wanted);
  if (!list.empty()) libssh2_session_method_pref(session, method, list.c_str());
}

void prefer_modern_algorithms(LIBSSH2_SESSION* session) {
  prefer(session, LIBSSH2_METHOD_KEX, kex_preference);
  std::string hostkeys = supported_subset(session, LIBSSH2_METHOD_HOSTKEY, hostkey_preference);
  if (hostkeys.find("rsa-sha2-") == std::string::npos) {
    hostkeys += (hostkeys.empty() ? "" : ",") + supported_subset(session, LIBSSH2_METHOD_HOSTKEY, hostkey_rsa_fallback);
  }
  if (!hostkeys.empty()) libssh2_session_method_pref(session, LIBSSH2_METHOD_HOSTKEY, hostkeys.c_str());
  for (int method : {LIBSSH2_METHOD_CRYPT_CS, LIBSSH2_METHOD_CRYPT_SC}) prefer(session, method, cipher_preference);
  for (int method : {LIBSSH2_METHOD_MAC_CS, LIBSSH2_METHOD_MAC_SC}) prefer(session, method, mac_preference);
}

negotiated_algorithms negotiated(LIBSSH2_SESSION* session) {
  auto name = [&](int method) {
    const char* n = libssh2_session_methods(session, method);
    return std::string{n == nullptr ? "" : n};
  };
  return {.kex = name(LIBSSH2_METHOD_KEX), .host_key = name(LIBSSH2_METHOD_HOSTKEY),
          .cipher = name(LIBSSH2_METHOD_CRYPT_CS), .mac = name(LIBSSH2_METHOD_MAC_CS)};
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
  prefer_modern_algorithms(s.raw);
  const int fd = s.socket.native_handle();
  auto [rc, stopped] = co_await s.call([&] { return libssh2_session_handshake(s.raw, fd); }, deadline);
  if (stopped == session::impl::stop::cancelled) co_return cancelled();
  if (stopped == session::impl::stop::deadline) {
    co_return fail(errc::connect_timed_out, "SSH handshake with " + display_name(s.options.where) +
                                                " took longer than the connect timeout (is it an SSH server?)");
  }
  if (rc != 0) {
    // No algorithm in common is the likely cause with an old server: say what rio offers.
    const std::string hint = rc == LIBSSH2_ERROR_KEX_FAILURE
                                 ? " (no algorithm in common: rio offers only OpenSSH's default algorithms that this "
                                   "libssh2 has, docs/ssh.md#algorithms; an old server may support none of them, and an "
                                   "OpenSSH 8.8+ server with only an RSA host key refuses the ssh-rsa signatures libssh2 "
                                   "1.10 is limited to: give it an ed25519 key or use the OpenSSH transport, ssh_command)"
                                 : "";
    co_return fail(errc::handshake_failed, "SSH handshake with " + display_name(s.options.where) + " failed: " +
                                               detail::last_error(s.raw) + hint);
  }
  s.algorithms = negotiated(s.raw);
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
  if (auto ok = check_identity_files(options.auth); !ok) co_return ok.error();
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
const std::string& session::host_key_warning() const noexcept { return impl_->host_key_warning; }
const std::string& session::auth_method() const noexcept { return impl_->auth_method; }
const negotiated_algorithms& session::algorithms() const noexcept { return impl_->algorithms; }
std::uint64_t session::directionless_waits() const noexcept { return impl_->directionless; }

}  // namespace rio::kernel::ssh
