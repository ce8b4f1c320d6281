#pragma once
// The WebSocket side of a connection: a request that a route answered with `websocket` is
// upgraded here (Boost.Beast's websocket over the connection's own socket, so it has passed the
// same guard, token check and connection caps as every request), then that route's handler runs
// over a ws_channel. Only connection.cpp includes this; Beast stays inside http/src.

#include "api_types.hpp"

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <string>

namespace rio::http::detail {

/** Messages from a client larger than this end the connection (close code 1009). */
inline constexpr std::size_t websocket_message_limit = 64 * 1024;

/**
 * Answers `request` with 101 (carrying `request_id`), runs `response.websocket`, then closes.
 * A peer silent for `idle_timeout` (it is pinged at half of it) is closed. Returns when the
 * connection is over.
 */
boost::asio::awaitable<void> serve_websocket(boost::beast::tcp_stream& stream,
                                             const boost::beast::http::request<boost::beast::http::string_body>& request,
                                             const api_response& response, const std::string& request_id,
                                             std::chrono::milliseconds idle_timeout);

}  // namespace rio::http::detail
