#include <rio/kernel/openssh/supervise.hpp>

#include <rio/sdk/coro.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <array>
#include <exception>

namespace rio::kernel::openssh {
namespace asio = boost::asio;

namespace {

// Turns every way `io` can end into a normal return, so that `||` below never keeps waiting for
// the deadline because its first operand failed (it waits for the first *successful* operand).
asio::awaitable<void> guarded(asio::awaitable<void> io, bool& completed, std::exception_ptr& thrown) {
  try {
    co_await std::move(io);
    completed = true;
  } catch (...) {
    thrown = std::current_exception();
  }
}

}  // namespace

asio::awaitable<run_end> supervise(child_process& child, asio::awaitable<void> io, std::chrono::milliseconds deadline) {
  using namespace asio::experimental::awaitable_operators;
  const bool throw_before = co_await asio::this_coro::throw_if_cancelled();
  co_await asio::this_coro::throw_if_cancelled(false);
  auto state = co_await asio::this_coro::cancellation_state;

  bool completed = false;
  bool timer_won = false;
  std::exception_ptr thrown;
  // A cancellation that arrived before any operation was pending would be lost: check first.
  if (state.cancelled() == asio::cancellation_type::none) {
    asio::steady_timer timer{co_await asio::this_coro::executor, deadline};
    auto outcome = co_await (guarded(std::move(io), completed, thrown) || timer.async_wait(sdk::use_nothrow));
    timer_won = outcome.index() == 1;
  }
  const bool finished = completed && child.exited();
  const bool cancelled = state.cancelled() != asio::cancellation_type::none;
  if (!finished) co_await child.stop(stop_grace);
  co_await asio::this_coro::throw_if_cancelled(throw_before);

  if (finished) co_return run_end::finished;
  if (cancelled) co_return run_end::cancelled;
  // When the timer won, `thrown` is only the abort that `||` inflicted on `io`.
  if (timer_won) co_return run_end::deadline;
  if (thrown) std::rethrow_exception(thrown);
  co_return run_end::finished;  // `io` returned early without an error; stop() reaped the child
}

asio::awaitable<void> read_until_eof(asio::posix::stream_descriptor& pipe,
                                     std::function<void(std::string_view)> on_chunk) {
  std::array<char, 64 * 1024> buf;
  for (;;) {
    auto [ec, n] = co_await pipe.async_read_some(asio::buffer(buf), sdk::use_nothrow);
    if (n > 0) on_chunk(std::string_view{buf.data(), n});
    if (ec) co_return;  // eof, or cancelled by the deadline
  }
}

asio::awaitable<void> exit_then_linger(child_process& child, std::chrono::milliseconds linger) {
  co_await child.wait_exit();
  if (!child.exited()) co_return;  // cancelled: the readers finished first
  asio::steady_timer timer{co_await asio::this_coro::executor, linger};
  co_await timer.async_wait(sdk::use_nothrow);
}

}  // namespace rio::kernel::openssh
