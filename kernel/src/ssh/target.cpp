#include <rio/kernel/ssh/target.hpp>

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

namespace rio::kernel::ssh {
namespace {

bool is_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

bool is_hostname(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  if (h.back() == '.') h.remove_suffix(1);  // a fully qualified name may end in a dot
  std::size_t start = 0;
  while (start <= h.size()) {
    auto dot = h.find('.', start);
    auto label = h.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    // RFC 1123 labels; '_' is refused (it is not valid in host names, only in other DNS records).
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    if (!std::all_of(label.begin(), label.end(), is_label_char)) return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

bool is_ipv4(const std::string& h) {
  in_addr a{};
  return ::inet_pton(AF_INET, h.c_str(), &a) == 1;
}

bool is_ipv6(const std::string& h) {
  in6_addr a{};
  return ::inet_pton(AF_INET6, h.c_str(), &a) == 1;
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
  bool bracketed = h.size() != t.host.size();
  if (bracketed ? !is_ipv6(h) : !(is_ipv4(h) || is_ipv6(h) || is_hostname(h))) {
    return fail(errc::invalid_target, "host '" + t.host + "' is not a valid host name, IPv4 or IPv6 address");
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
