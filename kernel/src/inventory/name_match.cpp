// Name matching for host patterns: fnmatch (`web*`, `db?`, `n[0-9]`) and `~regex`. Ansible uses
// Python's fnmatch.translate and re.match; rio uses std::regex (ECMAScript), which agrees on the
// common syntax and is refused for Python-only constructs rather than read differently.

#include "host_patterns.hpp"

#include <regex>

namespace rio::kernel::inventory::detail {
namespace {

// fnmatch.translate: '*' any run, '?' one character, [..] a set ([!..] negated), else literal.
std::string fnmatch_regex(std::string_view glob) {
  std::string out;
  for (std::size_t i = 0; i < glob.size(); ++i) {
    const char c = glob[i];
    if (c == '*') {
      out += ".*";
    } else if (c == '?') {
      out += '.';
    } else if (c == '[' && glob.find(']', i + 2) != std::string_view::npos) {
      auto close = glob.find(']', i + 2);
      std::string set{glob.substr(i + 1, close - i - 1)};
      if (set.starts_with('!')) set[0] = '^';
      for (std::size_t k = set.size(); k-- > 0;) {
        if (set[k] == '\\') set.insert(k, 1, '\\');
      }
      out += "[" + set + "]";
      i = close;
    } else {
      if (std::string_view{"\\^$.|+()[]{}"}.find(c) != std::string_view::npos) out += '\\';
      out += c;
    }
  }
  return out;
}

// Python-only regex syntax that std::regex would reject or read differently.
std::optional<std::string_view> python_only(std::string_view re) {
  for (std::string_view bad : {"(?P", "(?<", "(?i", "(?m", "(?s", "(?x", "(?a", "(?#", "\\A", "\\Z", "\\Z", "(?("}) {
    if (re.find(bad) != std::string_view::npos) return bad;
  }
  return std::nullopt;
}

}  // namespace

bool has_glob(std::string_view term) {
  return term.starts_with('~') || term.find_first_of(".?*[") != std::string_view::npos;
}

result<name_matcher> make_matcher(std::string_view expr) {
  const bool is_regex = expr.starts_with('~');
  std::string source = is_regex ? std::string{expr.substr(1)} : fnmatch_regex(expr);
  if (is_regex) {
    if (auto bad = python_only(source)) {
      return problem("host pattern " + shown(expr) + " uses " + shown(*bad) +
                     ", Python regex syntax that rio's ECMAScript regex does not support");
    }
  }
  // std::regex reports a bad expression only by throwing; this is the one place it is caught.
  try {
    name_matcher m;
    m.re = std::make_shared<std::regex>(source, std::regex::ECMAScript);
    m.anchored_end = !is_regex;  // re.match anchors the start only; fnmatch the whole name
    return m;
  } catch (const std::regex_error&) {
    return problem("host pattern " + shown(expr) + " is not a valid regular expression");
  }
}

bool name_matcher::operator()(const std::string& name) const {
  if (anchored_end) return std::regex_match(name, *re);
  return std::regex_search(name, *re, std::regex_constants::match_continuous);
}

}  // namespace rio::kernel::inventory::detail
