#pragma once
// Host-pattern pieces shared by select_hosts.cpp, host_patterns.cpp and name_match.cpp.

#include "inventory_detail.hpp"

#include <limits>
#include <memory>
#include <regex>

namespace rio::kernel::inventory::detail {

/** Ansible's split_host_pattern: by ',' if any, else one address, else by ':'. Terms trimmed. */
std::vector<std::string> split_pattern_terms(std::string_view pattern);

/** `[i]` (negative from the end) or `[start:end]` (end inclusive; -1 for the last). */
struct subscript {
  long start = 0;
  long end = -1;
  bool range = false;
};

/** Removes a trailing subscript from expr and returns it (never for a `~regex`). */
std::optional<subscript> split_subscript(std::string& expr);

/** Ansible's _apply_subscript; an index out of range is an error naming the term. */
result<std::vector<std::string>> apply_subscript(const std::vector<std::string>& hosts, const subscript& s,
                                                 std::string_view term);

/** True when a term is a regex or contains a glob character: then hosts are matched too. */
bool has_glob(std::string_view term);

/** A compiled name test: fnmatch over the whole name, or `~regex` from the start of the name. */
struct name_matcher {
  std::shared_ptr<std::regex> re;
  bool anchored_end = true;
  bool operator()(const std::string& name) const;
};
result<name_matcher> make_matcher(std::string_view expr);

}  // namespace rio::kernel::inventory::detail
