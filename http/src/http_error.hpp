#pragma once
// rio::http's own error codes (category "rio.http"), for the limits and checks that belong to the
// server rather than to the kernel. Results carry them as rio::sdk::error, like every component.

#include <rio/sdk/error.hpp>

#include <string>

namespace rio::http {

enum class errc {
  too_many_webhooks = 1,  ///< registering one more webhook would pass the configured limit
  unsafe_token_file,      ///< the API token file is readable by others, foreign-owned or not a regular file
  bad_token_file,         ///< the API token file cannot be read, or holds too short a token
  unreadable_file,        ///< a file a route reads (the security log) cannot be opened or read
};

const boost::system::error_category& http_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), http_category()}; }

inline sdk::error fail(errc e, std::string message) { return sdk::error{make_error_code(e), std::move(message)}; }

}  // namespace rio::http

template <>
struct boost::system::is_error_code_enum<rio::http::errc> : std::true_type {};
