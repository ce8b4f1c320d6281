// GET /api/security/sandbox/defaults and POST /api/security/sandbox/check: the original's sandbox
// network policy, from the server's environment (SANDBOX_NETWORK, SANDBOX_NETWORK_ALLOW), and a
// dry check of a host against it or against a list the request brings. Nothing here resolves a
// name or opens a connection (sandbox_rules.hpp). Gated like the rest of /api/security.
#include "api_errors.hpp"
#include "routes.hpp"
#include "sandbox_rules.hpp"
#include "text_util.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <variant>

namespace rio::http::detail {
namespace json = boost::json;

namespace {

std::vector<std::string> env_allow_list(const api_state& state) {
  auto raw = state.config.env("SANDBOX_NETWORK_ALLOW");
  return raw ? split_allow_list(*raw) : std::vector<std::string>{};
}

using port_or_refusal = std::variant<api_response, std::optional<std::uint16_t>>;

// "port": absent, null or "" for none; an integer, an integral number or a decimal string (the
// original's int()); then 0-65535.
port_or_refusal read_port(const json::value* v, const std::string& request_id) {
  if (v == nullptr || v->is_null() || (v->is_string() && v->get_string().empty())) return std::optional<std::uint16_t>{};
  auto not_integer = [&] { return error_response(400, "port must be an integer", request_id, "port"); };
  double value = 0;
  if (v->is_int64()) value = static_cast<double>(v->get_int64());
  else if (v->is_uint64()) value = static_cast<double>(v->get_uint64());
  else if (v->is_double() && std::trunc(v->get_double()) == v->get_double()) value = v->get_double();
  else if (v->is_string()) {
    std::string_view text = trim_space(v->get_string());
    const bool negative = text.starts_with('-');
    if (text.starts_with('-') || text.starts_with('+')) text.remove_prefix(1);
    if (text.empty() || text.size() > 12 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return not_integer();
    }
    value = std::stod(std::string{text}) * (negative ? -1 : 1);
  } else {
    return not_integer();
  }
  if (value < 0 || value > 65535) return error_response(400, "port must be between 0-65535", request_id, "port");
  return std::optional<std::uint16_t>{static_cast<std::uint16_t>(value)};
}

using allow_or_refusal = std::variant<api_response, std::vector<std::string>>;

// "allow": absent or null for the server's list; one rule as a string; or a list of rules (each
// trimmed, empty ones dropped).
allow_or_refusal read_allow(const json::value* v, const api_state& state, const std::string& request_id) {
  if (v == nullptr || v->is_null()) return env_allow_list(state);
  if (v->is_string()) return std::vector<std::string>{std::string{v->get_string()}};
  auto refused = [&] { return error_response(400, "allow must be a list or string", request_id, "allow"); };
  if (!v->is_array()) return refused();
  std::vector<std::string> rules;
  for (const auto& item : v->get_array()) {
    if (!item.is_string()) return refused();
    if (auto rule = trim_space(item.get_string()); !rule.empty()) rules.emplace_back(rule);
  }
  return rules;
}

}  // namespace

api_response get_sandbox_defaults(api_state& state, const api_request& req) {
  if (auto off = require_security_api(state, req)) return *off;
  const std::string flag = lower_ascii(trim_space(state.config.env("SANDBOX_NETWORK").value_or("0")));
  const bool enabled = flag == "1" || flag == "true" || flag == "yes" || flag == "on";
  return json_response(200, json::object{{"ok", true}, {"network_enabled", enabled}, {"network_allow", string_array(env_allow_list(state))}});
}

api_response post_sandbox_check(api_state& state, const api_request& req) {
  if (auto off = require_security_api(state, req)) return *off;
  boost::system::error_code ec;
  json::value doc = json::parse(req.body, ec);
  if (ec || !doc.is_object()) return validation_error("body must be a JSON object", req.request_id);
  const auto& body = doc.get_object();
  const json::value* host_field = body.if_contains("host");
  const std::string host{host_field != nullptr && host_field->is_string() ? trim_space(host_field->get_string()) : std::string_view{}};
  if (host.empty()) return error_response(400, "host is required", req.request_id, "host");
  auto port = read_port(body.if_contains("port"), req.request_id);
  if (auto* refused = std::get_if<api_response>(&port)) return std::move(*refused);
  auto allow = read_allow(body.if_contains("allow"), state, req.request_id);
  if (auto* refused = std::get_if<api_response>(&allow)) return std::move(*refused);
  const auto& p = std::get<std::optional<std::uint16_t>>(port);
  const auto& rules = std::get<std::vector<std::string>>(allow);
  return json_response(200, json::object{{"ok", true},
                                         {"host", host},
                                         {"port", p ? json::value(*p) : json::value(nullptr)},
                                         {"allowed", network_allowed(rules, host, p)},
                                         {"network_allow", string_array(rules)}});
}

}  // namespace rio::http::detail
