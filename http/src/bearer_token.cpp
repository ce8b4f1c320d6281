#include "bearer_token.hpp"

#include <algorithm>
#include <cctype>

namespace rio::http::detail {

bool token_matches(const vault::secret& token, std::string_view header) {
  constexpr std::string_view scheme = "Bearer ";
  if (header.size() < scheme.size() || !std::equal(scheme.begin(), scheme.end(), header.begin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
      })) {
    return false;
  }
  std::string_view given = header.substr(scheme.size());
  std::string_view want = token.reveal();
  // Constant time in the token's length: no early exit on the first differing byte. The length
  // check is part of the answer: without it the token plus any suffix would pass.
  unsigned char diff = given.size() == want.size() ? 0 : 1;
  for (std::size_t i = 0; i < want.size(); ++i) diff |= static_cast<unsigned char>(want[i] ^ (i < given.size() ? given[i] : 0));
  return diff == 0;
}

}  // namespace rio::http::detail
