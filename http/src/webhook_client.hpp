#pragma once
// One HTTP POST with a deadline (Boost.Beast, plain HTTP). Internal to rio::http.

#include <rio/kernel/error.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace rio::http::detail {

struct http_url;

/** The response status, or an error when the request could not be made in time. */
boost::asio::awaitable<kernel::result<int>> post_json(const http_url& url, std::string body,
                                                      std::vector<std::pair<std::string, std::string>> headers,
                                                      std::chrono::seconds timeout);

}  // namespace rio::http::detail
