#pragma once
// Requests and responses as handlers see them: no Beast types, so handlers build quickly and
// are testable without a socket.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <memory>
#include <map>
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

struct api_response {
  int status = 200;
  boost::json::value body;  ///< serialised as JSON unless `text` is set
  std::string text;         ///< a non-JSON body (rare)
  /** A JSON body serialised once and shared (responses that never change, such as /modules). */
  std::shared_ptr<const std::string> json_text;
  std::vector<std::pair<std::string, std::string>> headers;
  /** Set for event streams: the server sends the headers, then hands the connection to this. */
  std::function<boost::asio::awaitable<void>(sse_writer&)> stream;
};

api_response json_response(int status, boost::json::object body);

}  // namespace rio::http::detail
