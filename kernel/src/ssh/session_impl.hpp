#pragma once
// The inside of ssh::session: the socket, the libssh2 session, and the one primitive everything
// is built on: call a libssh2 function, and while it answers EAGAIN wait on the socket in the
// directions libssh2 reports, then call it again with the same arguments (no busy loop).

#include <rio/kernel/ssh/session.hpp>

#include "async_mutex.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <libssh2.h>

#include <chrono>

namespace rio::kernel::ssh {

using clock = std::chrono::steady_clock;

namespace detail {

enum class wait_result { ready, deadline, cancelled };

/** Waits until the socket can move in the directions libssh2 is blocked on, or the deadline. */
boost::asio::awaitable<wait_result> wait_socket(boost::asio::ip::tcp::socket& socket, LIBSSH2_SESSION* session,
                                                clock::time_point deadline, std::uint64_t& directionless);

/** libssh2's last error text, for messages. */
std::string last_error(LIBSSH2_SESSION* session);

/** Keeps libssh2_init()/libssh2_exit() balanced for the process. */
void ensure_libssh2_initialised();

}  // namespace detail

struct session::impl {
  impl(const boost::asio::any_io_executor& ex, connect_options opts) : socket(ex), options(std::move(opts)) {}
  ~impl();

  boost::asio::ip::tcp::socket socket;
  LIBSSH2_SESSION* raw = nullptr;
  connect_options options;
  detail::async_mutex mutex;
  bool broken = false;
  std::string fingerprint;
  bool recorded = false;
  std::string host_key_warning;
  std::string auth_method;
  negotiated_algorithms algorithms;
  std::uint64_t directionless = 0;
  std::uint64_t keepalives = 0;

  /** What call() returns when it could not finish. */
  enum class stop { none, deadline, cancelled };

  /**
   * Calls `f` (returning a libssh2 int) until it stops answering EAGAIN. Returns its final
   * value, or `stop` when the deadline passed or the caller was cancelled first.
   */
  template <class F>
  boost::asio::awaitable<std::pair<int, stop>> call(F f, clock::time_point deadline) {
    for (;;) {
      int rc = f();
      if (rc != LIBSSH2_ERROR_EAGAIN) co_return std::pair{rc, stop::none};
      auto w = co_await detail::wait_socket(socket, raw, deadline, directionless);
      if (w == detail::wait_result::deadline) co_return std::pair{rc, stop::deadline};
      if (w == detail::wait_result::cancelled) co_return std::pair{rc, stop::cancelled};
    }
  }

  /** The same for functions that return a pointer and report EAGAIN through last_errno. */
  template <class T, class F>
  boost::asio::awaitable<std::pair<T*, stop>> call_ptr(F f, clock::time_point deadline) {
    for (;;) {
      T* p = f();
      if (p != nullptr || libssh2_session_last_errno(raw) != LIBSSH2_ERROR_EAGAIN) co_return std::pair{p, stop::none};
      auto w = co_await detail::wait_socket(socket, raw, deadline, directionless);
      if (w == detail::wait_result::deadline) co_return std::pair{p, stop::deadline};
      if (w == detail::wait_result::cancelled) co_return std::pair{p, stop::cancelled};
    }
  }

  /** Whether an rc means the connection itself is gone. */
  static bool is_connection_error(int rc) noexcept {
    return rc == LIBSSH2_ERROR_SOCKET_SEND || rc == LIBSSH2_ERROR_SOCKET_RECV ||
           rc == LIBSSH2_ERROR_SOCKET_DISCONNECT || rc == LIBSSH2_ERROR_SOCKET_TIMEOUT || rc == LIBSSH2_ERROR_SOCKET_NONE;
  }
};

/** Checks the server's host key against known_hosts; records it under accept_new. */
result<void> verify_host_key(session::impl& s);

/** Every explicit identity file exists and is readable: checked before connecting. */
result<void> check_identity_files(const auth_options& auth);

/** Tries the configured authentication methods in order. */
boost::asio::awaitable<result<void>> authenticate(session::impl& s, clock::time_point deadline);

}  // namespace rio::kernel::ssh
