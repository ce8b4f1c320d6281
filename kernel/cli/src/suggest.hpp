#pragma once
// "did you mean 'X'?" for a mistyped command, option, module id or host pattern.

#include <string>
#include <string_view>
#include <vector>

namespace rio::kernel::cli_detail {

/** Optimal-string-alignment (Damerau-Levenshtein) distance, ignoring ASCII case. */
std::size_t edit_distance(std::string_view a, std::string_view b);

/**
 * The candidate nearest to `input`, if it is near enough to be a typo: at most 2 edits, or a third
 * of its length for longer names, and never a complete rewrite. Ties go to the earlier candidate.
 */
std::string nearest(std::string_view input, const std::vector<std::string>& candidates);

/** " (did you mean 'X'?)" when nearest() finds one, else "". */
std::string did_you_mean(std::string_view input, const std::vector<std::string>& candidates);

}  // namespace rio::kernel::cli_detail
