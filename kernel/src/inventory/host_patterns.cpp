// The pieces of an Ansible host pattern: splitting `a:b,&c` into terms, subscripts (`web[0:2]`),
// and name matching (fnmatch for `web*`, a regex for `~web\d+`). Follows Ansible 2.14's
// inventory/manager.py and its split_host_pattern; select_hosts.cpp combines the terms.

#include "host_patterns.hpp"

#include <regex>

namespace rio::kernel::inventory::detail {
namespace {

// Ansible keeps the whole pattern when it parses as one address (`10.0.0.5:2222`,
// `web[01:03]`, `[2001:db8::1]:22`); only otherwise is ':' a separator.
bool one_address(std::string_view p) {
  static const std::regex name_port{R"(^[A-Za-z0-9._-]*(\[[^\]]*\][A-Za-z0-9._-]*)*(:[0-9]+)?$)"};
  static const std::regex bracketed{R"(^\[([0-9A-Fa-f:.%]+)\](:[0-9]+)?$)"};
  const std::string s{p};
  if (std::regex_match(s, name_port)) return true;
  if (std::smatch m; std::regex_match(s, m, bracketed)) return is_ipv6_literal(m[1].str());
  return is_ipv6_literal(s);
}

}  // namespace

std::vector<std::string> split_pattern_terms(std::string_view pattern) {
  std::vector<std::string> raw;
  if (pattern.find(',') != std::string_view::npos) {
    std::size_t start = 0;
    while (true) {
      auto comma = pattern.find(',', start);
      raw.emplace_back(pattern.substr(start, comma == std::string_view::npos ? comma : comma - start));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  } else if (one_address(trim(pattern))) {
    raw.emplace_back(pattern);
  } else {
    // Ansible's fallback: runs of anything but blanks, ':' and brackets, or a whole [..] group.
    static const std::regex term{R"((?:[^\s:\[\]]|\[[^\]]*\])+)"};
    const std::string s{pattern};
    for (auto it = std::sregex_iterator(s.begin(), s.end(), term); it != std::sregex_iterator(); ++it) raw.push_back(it->str());
  }
  std::vector<std::string> out;
  for (auto& t : raw) out.emplace_back(trim(t));
  return out;
}

std::optional<subscript> split_subscript(std::string& expr) {
  if (expr.starts_with('~')) return std::nullopt;
  static const std::regex with_subscript{R"(^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$)"};
  std::smatch m;
  if (!std::regex_match(expr, m, with_subscript)) return std::nullopt;
  subscript s;
  // The numbers are at most a few digits in practice; stoll on a 30-digit index would throw.
  auto number = [](const std::string& digits) {
    return digits.size() > 9 ? std::numeric_limits<long>::max() : std::stol(digits);
  };
  if (m[2].matched) {
    s.start = number(m[2].str());
  } else {
    s.start = number(m[3].str());
    s.end = m[5].length() == 0 ? -1 : number(m[5].str());
    s.range = true;
  }
  expr = m[1].str();
  return s;
}

result<std::vector<std::string>> apply_subscript(const std::vector<std::string>& hosts, const subscript& s,
                                                 std::string_view term) {
  const long n = static_cast<long>(hosts.size());
  auto none = [&] { return problem("no hosts matched the subscripted pattern " + shown(term)); };
  if (!s.range) {
    long i = s.start < 0 ? n + s.start : s.start;
    if (i < 0 || i >= n) return none();
    return std::vector<std::string>{hosts[static_cast<std::size_t>(i)]};
  }
  // Python's hosts[start:end + 1]: inclusive end, -1 for "to the last", clamped to the list.
  long end = s.end == -1 ? n - 1 : s.end;
  long first = std::min(s.start, n);
  long last = std::min(end + 1, n);
  if (first >= last) return std::vector<std::string>{};
  return std::vector<std::string>(hosts.begin() + first, hosts.begin() + last);
}

}  // namespace rio::kernel::inventory::detail
