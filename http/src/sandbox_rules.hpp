#pragma once
// The original's sandbox network rules, as POST /api/security/sandbox/check evaluates them: does
// an allow-list let a process reach host:port? A pure function of the strings: nothing is
// resolved and no connection is opened, so asking about a name never touches the network.
//
// Rule forms: `*` (anything), `*.suffix` (names ending in `.suffix`), `localhost` (also 127.0.0.1
// and ::1), `host`, `host:port`, `[v6]` or `[v6]:port`, or a URL (`https://host:8443/...`: its
// host and explicit port). A rule with a port matches only that port; names compare without case.
// A rule that does not parse is ignored, as in the original.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rio::http::detail {

struct network_rule {
  std::string host;  ///< lower case, without brackets; "*", "*.suffix" or "localhost" are patterns
  std::optional<std::uint16_t> port;
};

/** The rule `text` names, or nullopt when it is malformed (empty, bad port, unclosed bracket). */
std::optional<network_rule> parse_network_rule(std::string_view text);

/** Whether `rule` lets a connection to `host` (any case, `[v6]` or bare) on `port` through. */
bool rule_matches(const network_rule& rule, std::string_view host, std::optional<std::uint16_t> port);

/** Whether any rule in `rules` that parses matches; an empty list allows nothing. */
bool network_allowed(const std::vector<std::string>& rules, std::string_view host, std::optional<std::uint16_t> port);

/** SANDBOX_NETWORK_ALLOW's form: a comma list, each entry trimmed, empty entries dropped. */
std::vector<std::string> split_allow_list(std::string_view comma_list);

}  // namespace rio::http::detail
