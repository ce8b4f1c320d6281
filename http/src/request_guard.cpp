#include "request_guard.hpp"

#include "api_errors.hpp"
#include "loopback.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cctype>

namespace rio::http::detail {
namespace {

std::string lower(std::string_view s) {
  std::string out{s};
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

const std::string* header(const api_request& r, const char* name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? nullptr : &it->second;
}

// "name", "name:port", "[v6]" or "[v6]:port" -> the name without brackets and port; nullopt when malformed.
std::optional<std::string> host_name_of(std::string_view authority) {
  if (authority.empty()) return std::nullopt;
  if (authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return std::nullopt;
    return lower(authority.substr(1, close - 1));
  }
  auto colon = authority.find(':');
  if (colon != std::string_view::npos && authority.find(':', colon + 1) != std::string_view::npos) return std::nullopt;
  return lower(authority.substr(0, colon));
}

bool acceptable_host(const std::string& name, const origin_policy& policy) {
  for (const auto& allowed : policy.allowed_hosts) {
    if (lower(allowed) == name) return true;
  }
  boost::system::error_code ec;
  const auto bound = boost::asio::ip::make_address(policy.bound_address, ec);
  if (ec) return false;
  const bool bound_loopback = is_loopback(bound);
  const bool bound_everywhere = bound.is_unspecified();
  if (name == "localhost") return bound_loopback || bound_everywhere;
  const auto literal = boost::asio::ip::make_address(name, ec);
  if (ec) return false;  // a DNS name nobody configured: what a rebinding page sends
  if (bound_everywhere || literal == bound) return true;
  return bound_loopback && is_loopback(literal);
}

api_response refused(int status, std::string message, const api_request& r, std::string code) {
  auto out = error_response(status, std::move(message), r.request_id);
  out.body.as_object()["code"] = std::move(code);
  return out;
}

// The guard runs on the headers, before the body is read: a body is what they announce.
bool announces_body(const api_request& r) {
  const std::string* length = header(r, "content-length");
  return !r.body.empty() || header(r, "transfer-encoding") != nullptr || (length != nullptr && trim(*length) != "0");
}

// POST always (a form or a no-cors fetch can send one without a body); any other method only
// with a body, since browsers send PUT, PATCH and DELETE cross-site only after a CORS preflight,
// which this server never grants.
bool changes_state(const api_request& r) { return r.method == "POST" || (r.method != "GET" && announces_body(r)); }

bool is_json(std::string_view content_type) {
  return lower(trim(content_type.substr(0, content_type.find(';')))) == "application/json";
}

}  // namespace

std::optional<api_response> refuse_cross_site(const api_request& request, unsigned http_version,
                                              const origin_policy& policy) {
  const std::string* host = header(request, "host");
  if (host == nullptr) {
    if (http_version >= 11) return refused(400, "HTTP/1.1 requests must send a Host header", request, "missing_host");
  } else {
    auto name = host_name_of(trim(*host));
    if (!name || !acceptable_host(*name, policy)) {
      return refused(403,
                     "Host '" + std::string{trim(*host)}.substr(0, 100) +
                         "' is not an address this server answers to (a web page may be trying DNS rebinding); "
                         "name the server by its address, or start it with --allow-host NAME",
                     request, "forbidden_host");
    }
  }
  if (const std::string* origin = header(request, "origin")) {
    const std::string o = lower(trim(*origin));
    const std::string same = host == nullptr ? std::string{} : lower(trim(*host));
    const bool own = !same.empty() && (o == "http://" + same || o == "https://" + same);
    if (!own) {
      return refused(403,
                     "requests from the web page at Origin '" + std::string{trim(*origin)}.substr(0, 100) +
                         "' are refused: only rio's own pages may call this API from a browser",
                     request, "forbidden_origin");
    }
  }
  if (changes_state(request)) {
    const std::string* type = header(request, "content-type");
    if (type == nullptr || !is_json(*type)) {
      auto r = refused(415, request.method + " needs Content-Type: application/json", request, "unsupported_media_type");
      r.body.as_object()["field"] = "Content-Type";
      return r;
    }
  }
  return std::nullopt;
}

}  // namespace rio::http::detail
