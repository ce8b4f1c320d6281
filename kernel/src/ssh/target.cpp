#include <rio/kernel/ssh/target.hpp>

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

namespace rio::kernel::ssh {
namespace {

// OpenSSH's rule for a host named on its command line (valid_hostname, OpenSSH 9.6+) refuses a
// leading '-', whitespace, control characters and these; it accepts everything else, so ssh-config
// aliases, container and NetBIOS names such as `gpu_box` work. rio follows it and refuses a few
// more: the remaining shell pattern and expansion characters, and the two that rio's own host
// syntax (user@host:port) splits on.
constexpr std::string_view openssh_refuses = "'`\"$\\;&<>|(){},";
constexpr std::string_view shell_pattern_chars = "*?[]!#~";

// Why `h` cannot be a host name, or empty when it can. IP literals are checked before this.
std::string host_name_problem(std::string_view h) {
  if (h.size() > 253) return "is longer than 253 characters";
  for (char c : h) {
    const auto u = static_cast<unsigned char>(c);
    const std::string shown = std::string{"'"} + c + "'";
    if (u >= 0x80) return "contains a non-ASCII byte (write an internationalised name in its ASCII form, xn--...)";
    if (openssh_refuses.find(c) != std::string_view::npos || shell_pattern_chars.find(c) != std::string_view::npos) {
      return "contains " + shown + ", a shell metacharacter";
    }
    if (c == '@') return "contains '@', which separates the user from the host";
    if (c == ':') return "contains ':', which separates the host from the port (an IPv6 address goes in brackets)";
  }
  return {};
}

bool is_ipv4(const std::string& h) {
  in_addr a{};
  return ::inet_pton(AF_INET, h.c_str(), &a) == 1;
}

// An IPv6 address, optionally with a zone id (`fe80::1%eth0`, RFC 4007): link-local addresses
// need one, and getaddrinfo, which the resolver uses, reads it.
bool is_ipv6(const std::string& h) {
  const auto percent = h.find('%');
  const std::string address = h.substr(0, percent);
  if (percent != std::string::npos) {
    const std::string_view zone = std::string_view{h}.substr(percent + 1);
    auto zone_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-'; };
    if (zone.empty() || !std::all_of(zone.begin(), zone.end(), zone_char)) return false;
  }
  in6_addr a{};
  return ::inet_pton(AF_INET6, address.c_str(), &a) == 1;
}

bool has_space_or_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

}  // namespace

known_hosts standard_known_hosts(const std::filesystem::path& root, host_key_policy policy) {
  known_hosts out;
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    out.read.push_back(std::filesystem::path{home} / ".ssh" / "known_hosts");
  }
  out.record = root / "data" / "ssh" / "known_hosts";
  out.policy = policy;
  return out;
}

std::string bare_host(const std::string& host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
  return host;
}

result<void> validate(const target& t) {
  if (t.host.empty()) return fail(errc::invalid_target, "host is required");
  if (has_space_or_control(t.host)) return fail(errc::invalid_target, "host must not contain whitespace or control characters");
  if (t.host.front() == '-') return fail(errc::invalid_target, "host must not start with '-'");
  const std::string h = bare_host(t.host);
  const bool bracketed = h.size() != t.host.size();
  if (bracketed && !is_ipv6(h)) return fail(errc::invalid_target, "host '" + t.host + "' in brackets is not an IPv6 address");
  if (!bracketed && !is_ipv4(h) && !is_ipv6(h)) {
    if (auto problem = host_name_problem(h); !problem.empty()) {
      return fail(errc::invalid_target, "host '" + t.host + "' is not a valid host name: it " + problem);
    }
  }
  if (t.port == 0) return fail(errc::invalid_target, "port must be between 1 and 65535");
  if (t.user.empty()) return fail(errc::invalid_target, "user is required");
  if (t.user.size() > 32) return fail(errc::invalid_target, "user is longer than 32 characters");
  if (has_space_or_control(t.user)) return fail(errc::invalid_target, "user must not contain whitespace or control characters");
  auto first = t.user.front();
  bool first_ok = (first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') || first == '_';
  std::string_view body{t.user};
  if (body.back() == '$') body.remove_suffix(1);
  bool rest_ok = std::all_of(body.begin(), body.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  });
  if (!first_ok || !rest_ok || body.empty()) {
    return fail(errc::invalid_target,
                "user '" + t.user + "' must start with a letter or '_' and contain only letters, digits, '.', '_' or '-'");
  }
  return {};
}

std::string canonical_host(std::string_view host) {
  std::string h = bare_host(std::string{host});
  in6_addr a6{};
  if (::inet_pton(AF_INET6, h.c_str(), &a6) == 1) {
    char text[INET6_ADDRSTRLEN];
    if (IN6_IS_ADDR_V4MAPPED(&a6)) {
      in_addr a4{};
      std::memcpy(&a4, &a6.s6_addr[12], sizeof a4);
      if (::inet_ntop(AF_INET, &a4, text, sizeof text) != nullptr) return text;
    } else if (::inet_ntop(AF_INET6, &a6, text, sizeof text) != nullptr) {
      return text;
    }
  }
  // inet_aton also takes trailing text after a blank; only an all-number spelling is an address.
  const bool numeric = !h.empty() && std::all_of(h.begin(), h.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'x' || c == 'X';
  });
  in_addr a4{};
  if (numeric && ::inet_aton(h.c_str(), &a4) != 0) {
    char text[INET_ADDRSTRLEN];
    if (::inet_ntop(AF_INET, &a4, text, sizeof text) != nullptr) return text;
  }
  std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return h;
}

std::string display_name(const target& t) {
  const std::string h = canonical_host(t.host);
  if (t.port == 22) return h;
  return "[" + h + "]:" + std::to_string(t.port);
}

}  // namespace rio::kernel::ssh
