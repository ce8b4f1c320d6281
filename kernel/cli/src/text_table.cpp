#include "text_table.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace rio::kernel::cli_detail {
namespace {

constexpr std::size_t gap = 2;       // spaces between columns, at least
constexpr std::size_t min_wrap = 24;  // a last column narrower than this would be unreadable

void trim_right(std::string& s) { s.erase(s.find_last_not_of(' ') + 1); }

}  // namespace

std::string wrap(const std::string& text, std::size_t width, std::size_t pad) {
  std::string out, line;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    std::string word = text.substr(pos, end - pos);
    pos = end + 1;
    if (word.empty()) continue;
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      out += line + "\n" + std::string(pad, ' ');
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  return out + line;
}

std::size_t output_width(const char* columns_env_value, std::size_t terminal) {
  if (columns_env_value != nullptr) {
    std::size_t n = 0;
    const char* end = columns_env_value + std::strlen(columns_env_value);
    auto [p, ec] = std::from_chars(columns_env_value, end, n);
    if (ec == std::errc{} && p == end && n >= 40 && n <= 1000) return n;
  }
  return terminal >= 40 ? terminal : 100;
}

void text_table::heading(std::string text) { lines_.push_back({kind::heading, {std::move(text)}}); }
void text_table::row(std::vector<std::string> cells) { lines_.push_back({kind::row, std::move(cells)}); }
void text_table::note(std::size_t column, std::string text) { lines_.push_back({kind::note, {std::move(text)}, column}); }

// A column is as wide as its widest cell that is not the last of its row, up to the cap.
std::vector<std::size_t> text_table::widths() const {
  std::vector<std::size_t> w;
  for (const auto& l : lines_) {
    if (l.what != kind::row) continue;
    for (std::size_t c = 0; c + 1 < l.cells.size(); ++c) {
      if (w.size() <= c) w.resize(c + 1, 0);
      w[c] = std::max(w[c], std::min(l.cells[c].size(), max_cell_));
    }
  }
  return w;
}

std::string text_table::render(std::size_t width) const {
  const auto w = widths();
  auto start = [&](std::size_t column) {
    std::size_t at = indent_;
    for (std::size_t c = 0; c < column && c < w.size(); ++c) at += w[c] + gap;
    return at;
  };
  auto wrapped = [&](const std::string& text, std::size_t at) {
    return wrap(text, std::max(width > at ? width - at : 0, min_wrap), at);
  };
  std::string out;
  for (const auto& l : lines_) {
    if (l.what == kind::heading) {
      out += l.cells.front() + "\n";
      continue;
    }
    if (l.what == kind::note) {
      out += std::string(start(l.column), ' ') + wrapped(l.cells.front(), start(l.column)) + "\n";
      continue;
    }
    std::string line(indent_, ' ');
    for (std::size_t c = 0; c < l.cells.size(); ++c) {
      const std::size_t at = start(c);
      if (c > 0 && line.size() + gap > at) {  // the previous cell overflowed its column
        trim_right(line);
        out += line + "\n";
        line.clear();
      }
      line.resize(std::max(line.size(), at), ' ');
      line += c + 1 == l.cells.size() ? wrapped(l.cells[c], at) : l.cells[c];
    }
    trim_right(line);
    out += line + "\n";
  }
  return out;
}

}  // namespace rio::kernel::cli_detail
