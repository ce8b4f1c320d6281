#pragma once
// The API token check: `Authorization: Bearer <token>`, the scheme case-insensitive, the token
// compared in time that depends on the configured token's length only.

#include <rio/vault/secret.hpp>

#include <string_view>

namespace rio::http::detail {

/** Whether `header` (the Authorization value) carries exactly `token`: no more, no less. */
bool token_matches(const vault::secret& token, std::string_view header);

}  // namespace rio::http::detail
