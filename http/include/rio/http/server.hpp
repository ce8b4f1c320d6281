#pragma once
// The REST API server: ComfyVN's routes (/api/remote/modules, /install, /status) with the
// original's request fields and response keys, plus asynchronous runs, cancellation and live
// Server-Sent Events streams. One io_context thread serves requests and runs installs side by
// side: handlers never block, so other requests keep answering while installs take minutes.

#include <rio/kernel/error.hpp>
#include <rio/kernel/module_registry.hpp>
#include <rio/kernel/settings.hpp>
#include <rio/vault/secret.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
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
  std::chrono::seconds read_timeout{30};                 ///< a request (headers and body) must arrive within this
  std::chrono::seconds idle_timeout{60};                 ///< keep-alive connections idle longer are closed
  std::size_t max_connections = 1024;                    ///< further connections are closed at once
  int webhook_attempts = 5;                              ///< deliveries per event before giving up
  std::chrono::milliseconds webhook_first_backoff{500};  ///< doubles after each failed attempt
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
