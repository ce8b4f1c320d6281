// `[user@]host[:port]` as written on a simple-list line or on the command line.

#include "inventory_detail.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace rio::kernel::inventory::detail {
namespace {

// Replaces every 'value' in an ssh::validate message by its shortened form, so a 10 kB "host"
// does not come back whole in the error.
std::string shorten_echo(std::string message, const std::string& value) {
  if (value.size() <= 60) return message;
  const std::string full = "'" + value + "'";
  const std::string brief = shown(value);
  for (auto pos = message.find(full); pos != std::string::npos; pos = message.find(full, pos + brief.size())) {
    message.replace(pos, full.size(), brief);
  }
  return message;
}

bool has_blank_or_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

}  // namespace

bool is_ipv6_literal(const std::string& host) {
  // ssh::validate's rule, zone ids (`fe80::1%eth0`) included.
  return ssh::validate({host, 22, "root"}).has_value() && host.find(':') != std::string::npos &&
         ssh::bare_host(host).size() == host.size();
}

result<std::uint16_t> parse_port(std::string_view text) {
  if (text.empty()) return problem("port is empty");
  unsigned value = 0;
  bool digits = std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  // At most 5 digits after leading zeros, so from_chars cannot overflow and 99999999 is refused.
  auto significant = text.substr(std::min(text.find_first_not_of('0'), text.size()));
  if (!digits || significant.size() > 5 ||
      std::from_chars(text.data(), text.data() + text.size(), value).ec != std::errc{} || value == 0 || value > 65535) {
    return problem("port " + shown(text) + " is not a number between 1 and 65535");
  }
  return static_cast<std::uint16_t>(value);
}

result<spec_parts> split_host_spec(std::string_view spec) {
  spec_parts out;
  if (auto at = spec.find('@'); at != std::string_view::npos) {
    out.user = std::string{spec.substr(0, at)};
    if (out.user.empty()) return problem("user before '@' is empty");
    spec.remove_prefix(at + 1);
  }
  if (spec.empty()) return problem("host is empty");
  if (spec.front() == '[') {
    auto close = spec.find(']');
    if (close == std::string_view::npos) return problem("'[' without ']' in " + shown(spec));
    out.host = std::string{spec.substr(1, close - 1)};
    if (!is_ipv6_literal(out.host)) return problem(shown(out.host) + " in brackets is not an IPv6 address");
    auto tail = spec.substr(close + 1);
    if (tail.empty()) return out;
    if (tail.front() != ':') return problem("expected ':port' after ']' in " + shown(spec));
    auto port = parse_port(tail.substr(1));
    if (!port) return port.error();
    out.port = *port;
    return out;
  }
  // One ':' separates a port. More are a bare IPv6 address, which cannot carry a port unbracketed.
  if (std::count(spec.begin(), spec.end(), ':') == 1) {
    auto colon = spec.find(':');
    out.host = std::string{spec.substr(0, colon)};
    if (out.host.empty()) return problem("host is empty");
    auto port = parse_port(spec.substr(colon + 1));
    if (!port) return port.error();
    out.port = *port;
    return out;
  }
  out.host = std::string{spec};
  return out;
}

result<void> check_target(const ssh::target& where) {
  // Said first and plainly: a leading '-' is how `-oProxyCommand=...` would reach an ssh client.
  if (where.host.starts_with('-')) {
    return problem("host " + shown(where.host) + " starts with '-', which ssh would read as an option");
  }
  if (where.user.starts_with('-')) {
    return problem("user " + shown(where.user) + " starts with '-', which ssh would read as an option");
  }
  if (has_blank_or_control(where.host)) return problem("host " + shown(where.host) + " contains whitespace or control characters");
  if (has_blank_or_control(where.user)) return problem("user " + shown(where.user) + " contains whitespace or control characters");
  ssh::target t = where;
  // The user may come later (the run's default); the host and port can be checked now.
  if (t.user.empty()) t.user = "root";
  if (auto ok = ssh::validate(t); !ok) return problem(shorten_echo(ok.error().message, where.host));
  return {};
}

std::string spec_name(const ssh::target& where) {
  if (where.port == 22) return where.host;
  bool v6 = where.host.find(':') != std::string::npos;
  return (v6 ? "[" + where.host + "]" : where.host) + ":" + std::to_string(where.port);
}

}  // namespace rio::kernel::inventory::detail

namespace rio::kernel::inventory {

result<host_entry> parse_host_spec(std::string_view spec) {
  auto usage = [&](const sdk::error& e) {
    return fail(errc::bad_usage, "host " + detail::shown(spec) + ": " + e.message);
  };
  auto parts = detail::split_host_spec(spec);
  if (!parts) return usage(parts.error());
  host_entry h = detail::entry_from(*parts);
  if (auto ok = detail::check_target(h.where); !ok) return usage(ok.error());
  h.name = detail::spec_name(h.where);
  return h;
}

}  // namespace rio::kernel::inventory
