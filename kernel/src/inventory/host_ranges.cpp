// Ansible host ranges: web[01:20].example.com, db-[a:f], node[1:9:2]; several may appear in
// one name and multiply. The size is computed before anything is generated, so a typo such as
// [1:99999999] is refused instead of exhausting memory.

#include "inventory_detail.hpp"

#include <algorithm>
#include <charconv>

namespace rio::kernel::inventory::detail {
namespace {

constexpr std::string_view letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string in_brackets(std::string_view range) { return shown("[" + std::string{range} + "]"); }

// 18 digits always fit in 64 bits.
result<std::uint64_t> number(std::string_view s, std::string_view range) {
  std::uint64_t v = 0;
  if (s.size() > 18 || std::from_chars(s.data(), s.data() + s.size(), v).ec != std::errc{}) {
    return problem("range " + in_brackets(range) + ": " + shown(s) + " is too large");
  }
  return v;
}

std::vector<std::string_view> split_colons(std::string_view s) {
  std::vector<std::string_view> parts;
  for (auto colon = s.find(':'); colon != std::string_view::npos; colon = s.find(':')) {
    parts.push_back(s.substr(0, colon));
    s.remove_prefix(colon + 1);
  }
  parts.push_back(s);
  return parts;
}

// One [begin:end(:step)] as the list of strings it stands for, refusing more than `room` of them.
result<std::vector<std::string>> expand_one(std::string_view range, std::string_view pattern, std::size_t room) {
  auto parts = split_colons(range);
  if (parts.size() != 2 && parts.size() != 3) {
    return problem("range " + in_brackets(range) + " must be [begin:end] or [begin:end:step]");
  }
  // Ansible's reading: an empty begin is 0, the end is required.
  std::string_view begin = parts[0].empty() ? std::string_view{"0"} : parts[0];
  std::string_view end = parts[1];
  if (end.empty()) return problem("range " + in_brackets(range) + " has no end");
  std::uint64_t step = 1;
  if (parts.size() == 3) {
    if (!all_digits(parts[2])) return problem("range " + in_brackets(range) + ": step must be a positive number");
    auto s = number(parts[2], range);
    if (!s) return s.error();
    step = *s;
    if (step == 0) return problem("range " + in_brackets(range) + ": step must be a positive number");
  }

  std::vector<std::string> out;
  auto too_many = [&] {
    return problem("host range " + shown(pattern) + " expands to more than " + std::to_string(max_range_hosts) +
                   " hosts");
  };
  if (all_digits(begin) && all_digits(end)) {
    // A leading zero asks for fixed width: [01:20] gives 01..20, [1:20] gives 1..20.
    std::size_t width = (begin.size() > 1 && begin.front() == '0') ? begin.size() : 0;
    if (width != 0 && end.size() != width) {
      return problem("range " + in_brackets(range) + ": a zero-padded begin and its end must have the same width");
    }
    auto b = number(begin, range);
    if (!b) return b.error();
    auto e = number(end, range);
    if (!e) return e.error();
    if (*b > *e) return problem("range " + in_brackets(range) + ": begin is greater than end");
    if ((*e - *b) / step >= room) return too_many();
    for (std::uint64_t v = *b;; v += step) {
      std::string text = std::to_string(v);
      if (text.size() < width) text.insert(0, width - text.size(), '0');
      out.push_back(std::move(text));
      if (*e - v < step) break;  // the next value would pass end; testing first also rules out wrap-around
    }
    return out;
  }
  auto ib = letters.find(begin);
  auto ie = letters.find(end);
  if (begin.size() != 1 || end.size() != 1 || ib == std::string_view::npos || ie == std::string_view::npos) {
    return problem("range " + in_brackets(range) + ": bounds must both be numbers or both single letters");
  }
  if (ib > ie) return problem("range " + in_brackets(range) + ": begin is after end");
  if ((ie - ib) / step >= room) return too_many();
  for (std::size_t i = ib; i <= ie; i += step) out.emplace_back(1, letters[i]);
  return out;
}

}  // namespace

result<std::vector<std::string>> expand_host_ranges(std::string_view pattern) {
  std::vector<std::string> names{""};
  auto append = [&](std::string_view literal) {
    for (auto& n : names) n.append(literal);
  };
  for (std::string_view rest = pattern; !rest.empty();) {
    auto open = rest.find('[');
    auto close = open == std::string_view::npos ? open : rest.find(']', open);
    if (close == std::string_view::npos) {
      append(rest);
      break;
    }
    auto inside = rest.substr(open + 1, close - open - 1);
    // Brackets without ':' are no range (Ansible reads them literally); the host checks judge them.
    if (inside.find(':') == std::string_view::npos) {
      append(rest.substr(0, close + 1));
      rest.remove_prefix(close + 1);
      continue;
    }
    auto values = expand_one(inside, pattern, max_range_hosts / names.size());
    if (!values) return values.error();
    std::vector<std::string> next;
    next.reserve(names.size() * values->size());
    for (const auto& n : names) {
      for (const auto& v : *values) next.push_back(n + std::string{rest.substr(0, open)} + v);
    }
    names = std::move(next);
    rest.remove_prefix(close + 1);
  }
  return names;
}

}  // namespace rio::kernel::inventory::detail
