// Lines, words and message text shared by both inventory formats.

#include "inventory_detail.hpp"

#include <cstdio>

namespace rio::kernel::inventory::detail {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

constexpr std::size_t max_shown = 60;

}  // namespace

std::vector<std::string_view> split_lines(std::string_view text) {
  // Files saved by Windows editors start with a BOM and end lines with CRLF; both are noise here.
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    if (line.ends_with('\r')) line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

result<std::vector<std::string>> split_words(std::string_view line, comments where) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;  // separate from word.empty(): '' is an (empty) word
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (is_blank(c)) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    // The simple list comments only with a '#' that begins a word (`key=a#b` keeps its value);
    // Ansible's shlex reading also ends a word there (`note=a#b port=2` is `note=a`).
    if (c == '#' && (!in_word || where == comments::anywhere)) break;
    in_word = true;
    if (c == '\\') {
      if (++i == line.size()) return problem("line ends with a backslash");
      word += line[i];
    } else if (c == '\'') {
      auto close = line.find('\'', i + 1);
      if (close == std::string_view::npos) return problem("unterminated ' quote");
      word.append(line.substr(i + 1, close - i - 1));
      i = close;
    } else if (c == '"') {
      bool closed = false;
      for (++i; i < line.size(); ++i) {
        if (line[i] == '"') {
          closed = true;
          break;
        }
        // As in POSIX shells: inside "..." a backslash escapes only '"' and itself.
        if (line[i] == '\\' && i + 1 < line.size() && (line[i + 1] == '"' || line[i + 1] == '\\')) ++i;
        word += line[i];
      }
      if (!closed) return problem("unterminated \" quote");
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

std::string shown(std::string_view value) {
  std::string out = "'";
  std::size_t n = 0;
  for (char c : value) {
    if (n++ == max_shown) {
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      out += hex;
    } else {
      out += c;
    }
  }
  return out + "'";
}

sdk::error at_line(std::string_view source, int line, const sdk::error& e) {
  // JSON inventories have no line numbers (Boost.JSON keeps none): line 0 names the file only.
  if (line <= 0) return fail(errc::bad_config, std::string{source} + ": " + e.message);
  return fail(errc::bad_config, std::string{source} + ":" + std::to_string(line) + ": " + e.message);
}

sdk::error problem(std::string text) { return fail(errc::bad_config, std::move(text)); }

sdk::error too_many_hosts() {
  return problem("the inventory lists more than " + std::to_string(max_inventory_hosts) +
                 " hosts (ranges expanded, a host listed twice counted twice)");
}

}  // namespace rio::kernel::inventory::detail

namespace rio::kernel::inventory::detail {

bool has_template(std::string_view value) {
  return value.find("{{") != std::string_view::npos || value.find("{%") != std::string_view::npos;
}

sdk::error template_problem(std::string_view key, std::string_view value) {
  return problem(std::string{key} + ": " + shown(value) +
                 " is a Jinja template; rio does not evaluate templates, so write the value itself");
}

}  // namespace rio::kernel::inventory::detail
