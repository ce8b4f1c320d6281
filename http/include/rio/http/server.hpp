#pragma once
// The REST API server: ComfyVN's routes (/api/remote/modules, /install, /status) with the
// original's request fields and response keys, plus asynchronous runs, cancellation and live
// Server-Sent Events streams. One io_context thread serves requests, runs installs and delivers
// webhooks side by side: handlers never block, so other requests keep answering while installs
// take minutes. The one exception, the vault (Argon2id for a passphrase), has a worker thread.

#include <rio/kernel/error.hpp>
#include <rio/kernel/module_registry.hpp>
#include <rio/kernel/settings.hpp>
#include <rio/vault/secret.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rio::http {

struct server_options {
  /** Listen address. Anything but loopback needs `token`: rio refuses to start otherwise. */
  std::string address = "127.0.0.1";
  std::uint16_t port = 8001;  ///< 0 picks a free port (tests)
  /** When set, every request needs `Authorization: Bearer <token>`. */
  std::optional<vault::secret> token;
  std::size_t body_limit = 1024 * 1024;                  ///< 413 above this
  /** A request's headers must arrive within this of its first byte (of the connection, for the
      first request): they are read, and the token checked, before the body. */
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds read_timeout{30};                 ///< the body must arrive within this of the headers
  std::chrono::seconds idle_timeout{60};                 ///< keep-alive connections idle longer are closed
  /**
   * Connections at once, overall and per client address. At a cap, the longest-idle connection
   * (one that has not sent a byte of a request) is closed to make room; when none is idle the
   * newcomer gets 503. The total is lowered to fit the descriptor limit (RLIMIT_NOFILE) at start.
   */
  std::size_t max_connections = 512;
  std::size_t max_connections_per_address = 256;
  int webhook_attempts = 5;                              ///< deliveries per event before giving up
  std::chrono::milliseconds webhook_first_backoff{500};  ///< doubles after each failed attempt
  std::size_t max_webhooks = 32;                         ///< registered webhooks; one more is a 409
  std::size_t hook_payload_limit = 64 * 1024;            ///< a test event's payload (serialised); 413 above
  std::size_t hook_history_bytes = 4 * 1024 * 1024;      ///< payload bytes the hook history and each subscriber queue keep
  /**
   * The hook WebSocket (/api/modder/hooks/ws): `{"ping": true}` after this long without an event
   * (20 s, as in the original), and every event for a client whose first message (its topics) has
   * not come within `hook_ws_subscribe_wait`. Tests shorten both.
   */
  std::chrono::milliseconds hook_ws_ping_interval{std::chrono::seconds{20}};
  std::chrono::milliseconds hook_ws_subscribe_wait{std::chrono::seconds{10}};
  /** A hook WebSocket peer that sends nothing, not even the pong to the ping frame sent at half
      this time, is closed after it (a client that vanished without a FIN). Tests shorten it. */
  std::chrono::milliseconds hook_ws_idle_timeout{std::chrono::seconds{300}};
  /** Notices for the operator (what start-up skipped, running out of descriptors); `rio serve`
      writes them to stderr. May be empty. */
  std::function<void(const std::string&)> log;
  /**
   * Host names besides the listen address that requests may carry in `Host` (and browsers in
   * `Origin`), e.g. the name of a reverse proxy. Anything else is refused: DNS rebinding protection.
   */
  std::vector<std::string> allowed_hosts;
};

/** What the handlers work with; owned by the server. */
struct api_config {
  kernel::settings settings;  ///< root and plugin directory
  kernel::env_lookup env;     ///< vault keys, COMFYVN_* overrides, HOME
};

class server {
 public:
  /**
   * Loads the modules, binds and starts accepting on `ctx` (the caller runs it). Errors:
   * errc::bad_config (non-loopback address without a token, bad address, plugin directory),
   * errc::io_error (the port is taken).
   */
  static kernel::result<std::unique_ptr<server>> start(boost::asio::io_context& ctx, server_options options,
                                                       api_config config);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  boost::asio::ip::tcp::endpoint local_endpoint() const;
  /** Stops accepting and cancels runs in flight (they record themselves as cancelled). */
  void stop();
  /** Runs started through this server and not finished yet. */
  std::size_t active_runs() const;

  struct state;

 private:
  explicit server(std::unique_ptr<state> s);
  std::unique_ptr<state> state_;
};

}  // namespace rio::http
