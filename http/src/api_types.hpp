#pragma once
// Requests and responses as handlers see them: no Beast types, so handlers build quickly and
// are testable without a socket.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rio::http::detail {

struct api_request {
  std::string method;  ///< "GET", "POST", ...
  std::string path;    ///< without the query
  std::map<std::string, std::string, std::less<>> query;  ///< decoded
  std::map<std::string, std::string, std::less<>> headers;  ///< lower-case names
  std::string body;
  std::string request_id;
  /**
   * The client connected from a loopback address (set from the peer address in connection.cpp).
   * Unknown counts as remote: run results then name an unreachable host's failure without the
   * connection error's detail (engine::result_view::connection_detail).
   */
  bool client_loopback = false;
};

/** Writes one Server-Sent Event; false once the client has gone. */
class sse_writer {
 public:
  virtual boost::asio::awaitable<bool> send(std::string_view event, std::string_view id, std::string_view data) = 0;
  /** A comment line that keeps proxies from closing an idle stream. */
  virtual boost::asio::awaitable<bool> ping() = 0;

 protected:
  ~sse_writer() = default;
};

/**
 * One WebSocket connection after the upgrade, as handlers see it: text messages both ways. The
 * connection (connection.cpp) reads the client's messages all along, so control frames are
 * answered and a client that leaves is noticed while the handler only writes.
 */
class ws_channel {
 public:
  /** The client's next message; nullopt after `patience` without one, or once the client has gone. */
  virtual boost::asio::awaitable<std::optional<std::string>> read(std::chrono::milliseconds patience) = 0;
  /** Sends one text message; false once the client has gone (or stopped reading for 30 s). */
  virtual boost::asio::awaitable<bool> write(std::string_view text) = 0;
  /** Returns once the client has gone (closed, or the connection failed). */
  virtual boost::asio::awaitable<void> until_gone() = 0;

 protected:
  ~ws_channel() = default;
};

struct api_response {
  int status = 200;
  boost::json::value body;  ///< serialised as JSON unless `text` is set
  std::string text;         ///< a non-JSON body (rare)
  /** A JSON body serialised once and shared (responses that never change, such as /modules). */
  std::shared_ptr<const std::string> json_text;
  std::vector<std::pair<std::string, std::string>> headers;
  /** Set for event streams: the server sends the headers, then hands the connection to this. */
  std::function<boost::asio::awaitable<void>(sse_writer&)> stream;
  /** Set for WebSocket routes: the server completes the upgrade (101), runs this, then closes. */
  std::function<boost::asio::awaitable<void>(ws_channel&)> websocket;
};

api_response json_response(int status, boost::json::object body);

}  // namespace rio::http::detail
