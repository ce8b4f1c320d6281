#pragma once
// The boundary every call into plugin code goes through: an installer module's detect, install
// and sync_config, and a hook subscriber's on_event. It adds a deadline and cancellation, and
// turns anything the plugin throws into an error value. Nothing a plugin throws crosses into the
// kernel. ("Hook" in rio means the modder events of the hook bus only, docs/sdk/hooks.md.)

#include <rio/kernel/error.hpp>
#include <rio/sdk/coro.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <chrono>
#include <string>
#include <variant>

namespace rio::kernel {

/**
 * Awaits `make()` and converts what it throws into an error value. Separate from the deadline
 * below because Asio's `||` waits for the first *successful* operand: a throwing call would
 * otherwise be ignored until the timer fired.
 */
template <class T, class MakeAwaitable>
boost::asio::awaitable<result<T>> catching(std::string what, MakeAwaitable make) {
  std::string thrown;
  try {
    co_return co_await make();
  } catch (const boost::system::system_error& e) {
    if (e.code() == boost::asio::error::operation_aborted) {
      thrown.clear();
    } else {
      thrown = e.what();
    }
  } catch (const std::exception& e) {
    thrown = e.what();
  } catch (...) {
    thrown = "unknown exception";
  }
  // Never co_await inside a catch block: the error is built here, after it.
  if (thrown.empty()) co_return sdk::fail(sdk::errc::cancelled, what + " was cancelled");
  co_return fail(errc::module_threw, what + " threw: " + thrown);
}

/**
 * Awaits `make()` (which returns awaitable<sdk::result<T>>) for at most `deadline`.
 * Errors: errc::plugin_call_timed_out when the deadline passes (the call is cancelled first),
 * errc::module_threw when the plugin throws, sdk::errc::cancelled when the caller cancels.
 * `what` names the plugin and the call for the message, e.g. "module 'comfyui' detect".
 */
template <class T, class MakeAwaitable>
boost::asio::awaitable<result<T>> call_plugin(std::string what, std::chrono::milliseconds deadline, MakeAwaitable make) {
  using namespace boost::asio::experimental::awaitable_operators;
  boost::asio::steady_timer timer{co_await boost::asio::this_coro::executor, deadline};
  auto outcome = co_await (catching<T>(what, std::move(make)) || timer.async_wait(sdk::use_nothrow));
  if (outcome.index() == 0) co_return std::get<0>(std::move(outcome));
  auto [ec] = std::get<1>(outcome);
  if (ec) co_return sdk::fail(sdk::errc::cancelled, what + " was cancelled");
  co_return fail(errc::plugin_call_timed_out,
                 what + " did not finish within " + std::to_string(deadline.count()) + " ms and was cancelled");
}

}  // namespace rio::kernel
