#pragma once
// What the server holds (internal to rio::http): options, the routes' shared state, the listener
// and the table of connections. Lives as long as the server; used on its one thread.

#include "api_state.hpp"
#include "connection_table.hpp"

#include <rio/http/server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <memory>

namespace rio::http {

struct server::state {
  state(boost::asio::io_context& c, server_options o, api_config cfg, kernel::module_registry reg);
  void notice(const std::string& text) const {
    if (options.log) options.log(text);
  }
  boost::asio::io_context& ctx;
  server_options options;
  detail::api_state api;
  boost::asio::ip::tcp::acceptor acceptor;
  detail::connection_table connections;
  std::size_t refusing = 0;  ///< 503s being written
};

namespace detail {

/** Serves one admitted connection until it closes (connection.cpp, the one Beast TU of the server). */
boost::asio::awaitable<void> serve_connection(server::state& st, boost::asio::ip::tcp::socket socket,
                                              std::unique_ptr<connection_slot> slot);

}  // namespace detail
}  // namespace rio::http
