#include "suggest.hpp"

#include <algorithm>
#include <cctype>

namespace rio::kernel::cli_detail {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  auto same = [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  };
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = same(a[i - 1], b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);  // a transposition counts as one edit
      }
    }
  }
  return d[n][m];
}

std::string nearest(std::string_view input, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = 0;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(input, c);
    const std::size_t allowed = std::max<std::size_t>(2, c.size() / 3);
    // "pl" is two edits from "plan" but also from "ls": only accept what keeps part of the word.
    if (d == 0 || d > allowed || d >= std::max(input.size(), c.size())) continue;
    if (best.empty() || d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view input, const std::vector<std::string>& candidates) {
  auto n = nearest(input, candidates);
  return n.empty() ? std::string{} : " (did you mean '" + n + "'?)";
}

}  // namespace rio::kernel::cli_detail
