#include "sandbox_rules.hpp"

#include "text_util.hpp"

#include <algorithm>
#include <charconv>
#include <cctype>

namespace rio::http::detail {
namespace {

// Decimal digits only, 0-65535 ("8080"; not "+80", "0x50" or "80 ").
std::optional<std::uint16_t> port_of(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

// "host", "host:port", "[v6]", "[v6]:port"; a bare IPv6 literal ("::1", several colons) is a host
// without a port (the original split it at its last colon).
std::optional<network_rule> from_authority(std::string_view a) {
  network_rule rule;
  std::string_view host = a;
  std::string_view port;
  bool has_port = false;
  if (a.starts_with('[')) {
    const auto close = a.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = a.substr(1, close - 1);
    const std::string_view rest = a.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return std::nullopt;
    has_port = !rest.empty();
    port = has_port ? rest.substr(1) : rest;
  } else if (const auto colon = a.rfind(':'); colon != std::string_view::npos && a.find(':') == colon) {
    host = a.substr(0, colon);
    port = a.substr(colon + 1);
    has_port = !host.empty() && !port.empty();  // "host:" and ":port" are a host, as in the original
    if (!has_port) host = a;
  }
  if (has_port) {
    rule.port = port_of(port);
    if (!rule.port) return std::nullopt;
  }
  host = trim_space(host);
  if (host.empty()) return std::nullopt;
  rule.host = lower_ascii(host);
  return rule;
}

}  // namespace

std::optional<network_rule> parse_network_rule(std::string_view text) {
  text = trim_space(text);
  if (text.empty()) return std::nullopt;
  if (const auto scheme = text.find("://"); scheme != std::string_view::npos) {
    std::string_view authority = text.substr(scheme + 3);
    authority = authority.substr(0, authority.find_first_of("/?#"));
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
    return from_authority(authority);
  }
  return from_authority(text);
}

bool rule_matches(const network_rule& rule, std::string_view host, std::optional<std::uint16_t> port) {
  if (rule.port && port != rule.port) return false;
  std::string name = lower_ascii(trim_space(host));
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') name = name.substr(1, name.size() - 2);
  const std::string& pattern = rule.host;
  if (pattern == "*") return true;
  if (pattern.starts_with("*.")) return name.ends_with(std::string_view{pattern}.substr(1));
  if (pattern == "localhost") return name == "localhost" || name == "127.0.0.1" || name == "::1";
  return name == pattern;
}

bool network_allowed(const std::vector<std::string>& rules, std::string_view host, std::optional<std::uint16_t> port) {
  return std::any_of(rules.begin(), rules.end(), [&](const std::string& text) {
    auto rule = parse_network_rule(text);
    return rule && rule_matches(*rule, host, port);
  });
}

std::vector<std::string> split_allow_list(std::string_view comma_list) {
  std::vector<std::string> out;
  for (std::size_t start = 0; start <= comma_list.size();) {
    const auto comma = comma_list.find(',', start);
    const auto entry = trim_space(comma_list.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (!entry.empty()) out.emplace_back(entry);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace rio::http::detail
