#pragma once
// The boundary every module hook is called through: a deadline, cancellation, and conversion of
// anything the module throws into an error value. Nothing a plugin throws crosses into the kernel.

#include <rio/kernel/error.hpp>
#include <rio/sdk/coro.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <chrono>
#include <exception>
#include <string>
#include <variant>

namespace rio::kernel {

/**
 * Awaits `make()` (which returns awaitable<sdk::result<T>>) for at most `deadline`.
 * Errors: errc::hook_timed_out when the deadline passes (the hook is cancelled first),
 * errc::module_threw when the hook throws, sdk::errc::cancelled when the caller cancels.
 * `what` names module and hook for the message, e.g. "module 'comfyui' detect".
 */
template <class T, class MakeAwaitable>
boost::asio::awaitable<result<T>> call_hook(std::string what, std::chrono::milliseconds deadline, MakeAwaitable make) {
  using namespace boost::asio::experimental::awaitable_operators;
  std::string thrown;
  bool cancelled = false;
  try {
    boost::asio::steady_timer timer{co_await boost::asio::this_coro::executor, deadline};
    auto outcome = co_await (make() || timer.async_wait(sdk::use_nothrow));
    if (outcome.index() == 0) co_return std::get<0>(std::move(outcome));
    auto [ec] = std::get<1>(outcome);
    if (ec) {
      cancelled = true;  // the timer was cancelled: the caller cancelled the whole call
    } else {
      co_return fail(errc::hook_timed_out,
                     what + " did not finish within " + std::to_string(deadline.count()) + " ms and was cancelled");
    }
  } catch (const boost::system::system_error& e) {
    if (e.code() == boost::asio::error::operation_aborted) {
      cancelled = true;
    } else {
      thrown = e.what();
    }
  } catch (const std::exception& e) {
    thrown = e.what();
  } catch (...) {
    thrown = "unknown exception";
  }
  if (cancelled) co_return sdk::fail(sdk::errc::cancelled, what + " was cancelled");
  co_return fail(errc::module_threw, what + " threw: " + thrown);
}

}  // namespace rio::kernel
