#pragma once
// Coroutine helpers for Boost 1.81 (no cancel_after, no default completion token).

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace rio::sdk {

/** Completion token that returns (error_code, ...) instead of throwing. */
inline constexpr auto use_nothrow = boost::asio::as_tuple(boost::asio::use_awaitable);

}  // namespace rio::sdk
