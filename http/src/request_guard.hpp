#pragma once
// Who may drive the API from a browser: nobody but a page the server itself serves. A web page the
// operator visits can send requests to 127.0.0.1 (CSRF) and, through DNS rebinding, even read the
// answers; these checks run on the headers alone, before authentication, before the body is read
// and before any route.

#include "api_types.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rio::http::detail {

struct origin_policy {
  std::string bound_address;               ///< the listen address, as configured (e.g. "127.0.0.1")
  std::vector<std::string> allowed_hosts;  ///< further names the Host header may carry (--allow-host)
};

/**
 * The refusal for a request that a foreign web page could have sent, or nothing when it may go on:
 *  - `Host` (required in HTTP/1.1) must name the bound address, a loopback name when bound to
 *    loopback, any IP literal when bound to all addresses, or one of `allowed_hosts`: a DNS-rebinding
 *    page names its own domain there;
 *  - `Origin`, when a browser sends it, must be this server's own origin (its host and port equal
 *    `Host`); "null" and every other origin are refused, on loopback too;
 *  - POST, and any other method with a body (or whose headers announce one), must say
 *    `Content-Type: application/json`: a
 *    form or a no-cors fetch cannot, so a cross-site request never reaches a handler that changes
 *    anything.
 */
std::optional<api_response> refuse_cross_site(const api_request& request, unsigned http_version,
                                              const origin_policy& policy);

}  // namespace rio::http::detail
