#pragma once
// Runs a coroutine to completion on a fresh io_context and returns its value.
// GoogleTest's ASSERT_* cannot be used inside a coroutine (it expands to `return`), so tests
// call run_co and assert on the returned value outside.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <utility>

namespace rio::sdk::testing {

/** `make` returns an awaitable<T>; run_co returns the T, or rethrows what the coroutine threw. */
template <class MakeAwaitable>
auto run_co(MakeAwaitable make) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io, make(), boost::asio::use_future);
  io.run();
  return future.get();
}

}  // namespace rio::sdk::testing
