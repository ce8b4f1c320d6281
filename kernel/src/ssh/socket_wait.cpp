#include "session_impl.hpp"

#include <rio/sdk/coro.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <mutex>
#include <variant>

namespace rio::kernel::ssh::detail {
namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;


asio::awaitable<wait_result> wait_socket(asio::ip::tcp::socket& socket, LIBSSH2_SESSION* session,
                                         clock::time_point deadline, std::uint64_t& directionless) {
  if (clock::now() >= deadline) co_return wait_result::deadline;
  asio::steady_timer timer{socket.get_executor(), deadline};
  const int dirs = libssh2_session_block_directions(session);
  const bool in = (dirs & LIBSSH2_SESSION_BLOCK_INBOUND) != 0;
  const bool out = (dirs & LIBSSH2_SESSION_BLOCK_OUTBOUND) != 0;

  boost::system::error_code ec;
  if (in && out) {
    // Asio flattens a || b || c into one variant: index 2 is the deadline timer.
    auto r = co_await (socket.async_wait(asio::ip::tcp::socket::wait_read, sdk::use_nothrow) ||
                       socket.async_wait(asio::ip::tcp::socket::wait_write, sdk::use_nothrow) ||
                       timer.async_wait(sdk::use_nothrow));
    ec = std::visit([](const auto& t) { return std::get<0>(t); }, r);
    if (r.index() == 2) co_return ec ? wait_result::cancelled : wait_result::deadline;
  } else if (in || out) {
    auto r = co_await (socket.async_wait(in ? asio::ip::tcp::socket::wait_read : asio::ip::tcp::socket::wait_write,
                                         sdk::use_nothrow) ||
                       timer.async_wait(sdk::use_nothrow));
    if (r.index() == 1) co_return std::get<0>(std::get<1>(r)) ? wait_result::cancelled : wait_result::deadline;
    ec = std::get<0>(std::get<0>(r));
  } else {
    // libssh2 can report EAGAIN without a direction (libssh2#1672); a short timer instead of a
    // spin, counted so the quirk stays visible.
    ++directionless;
    asio::steady_timer nudge{socket.get_executor(), std::min(deadline, clock::now() + std::chrono::milliseconds{1})};
    auto [nudge_ec] = co_await nudge.async_wait(sdk::use_nothrow);
    ec = nudge_ec;
  }
  if (ec == asio::error::operation_aborted) co_return wait_result::cancelled;
  // Any other socket error surfaces on the next libssh2 call, which reports it properly.
  co_return wait_result::ready;
}

std::string last_error(LIBSSH2_SESSION* session) {
  char* message = nullptr;
  int length = 0;
  libssh2_session_last_error(session, &message, &length, 0);
  return message != nullptr && length > 0 ? std::string{message, static_cast<std::size_t>(length)} : std::string{"unknown error"};
}

void ensure_libssh2_initialised() {
  // libssh2_init is not thread-safe; once per process, before the first session.
  static std::once_flag once;
  std::call_once(once, [] { libssh2_init(0); });
}

}  // namespace rio::kernel::ssh::detail
