#include "webhook_client.hpp"

#include "webhooks.hpp"

#include <rio/sdk/coro.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <tuple>

namespace rio::http::detail {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

asio::awaitable<kernel::result<int>> post_json(const http_url& url, std::string body,
                                               std::vector<std::pair<std::string, std::string>> headers,
                                               std::chrono::seconds timeout) {
  auto ex = co_await asio::this_coro::executor;
  beast::tcp_stream stream{ex};
  stream.expires_after(timeout);
  // An address needs no resolver (Asio's resolver runs a thread of its own for getaddrinfo).
  boost::system::error_code not_ip;
  const auto address = asio::ip::make_address(url.host, not_ip);
  boost::system::error_code cerr;
  if (!not_ip) {
    std::tie(cerr) = co_await stream.async_connect(
        asio::ip::tcp::endpoint{address, static_cast<unsigned short>(std::stoi(url.port))}, sdk::use_nothrow);
  } else {
    asio::ip::tcp::resolver resolver{ex};
    auto [rerr, endpoints] = co_await resolver.async_resolve(url.host, url.port, sdk::use_nothrow);
    if (rerr) co_return kernel::fail(kernel::errc::io_error, "cannot resolve " + url.host + ": " + rerr.message());
    std::tie(cerr, std::ignore) = co_await stream.async_connect(endpoints, sdk::use_nothrow);
  }
  if (cerr) co_return kernel::fail(kernel::errc::io_error, "cannot connect to " + url.host + ":" + url.port + ": " + cerr.message());
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, url.target, 11};
  req.set(bhttp::field::host, url.host);
  req.set(bhttp::field::user_agent, "rio-webhooks");
  req.set(bhttp::field::content_type, "application/json");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = std::move(body);
  req.prepare_payload();
  auto [werr, wn] = co_await bhttp::async_write(stream, req, sdk::use_nothrow);
  if (werr) co_return kernel::fail(kernel::errc::io_error, "cannot send to " + url.host + ": " + werr.message());
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  auto [herr, hn] = co_await bhttp::async_read(stream, buffer, res, sdk::use_nothrow);
  if (herr) co_return kernel::fail(kernel::errc::io_error, "no answer from " + url.host + ": " + herr.message());
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  co_return static_cast<int>(res.result_int());
}

}  // namespace rio::http::detail
