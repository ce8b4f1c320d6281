// Host patterns: `web,db1,all`. Only ',' separates, because simple-list names may contain ':'
// (`web1:2222`), which Ansible's older pattern syntax would have taken as a separator.

#include "inventory_detail.hpp"

#include <algorithm>

namespace rio::kernel::inventory {

result<inventory> select_hosts(const inventory& all, std::string_view pattern) {
  std::vector<bool> chosen(all.hosts.size(), false);
  std::string_view rest = pattern;
  while (true) {
    auto comma = rest.find(',');
    auto one = detail::trim(rest.substr(0, comma));
    if (one.empty()) return fail(errc::bad_usage, "empty host pattern in " + detail::shown(pattern));
    bool matched = false;
    for (std::size_t i = 0; i < all.hosts.size(); ++i) {
      const host_entry& h = all.hosts[i];
      if (one == "all" || h.name == one || std::find(h.groups.begin(), h.groups.end(), one) != h.groups.end()) {
        chosen[i] = true;
        matched = true;
      }
    }
    // A typo must not quietly shrink the fleet a run touches.
    if (!matched) return fail(errc::bad_usage, "host pattern " + detail::shown(one) + " matches no host or group");
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  inventory out;
  for (std::size_t i = 0; i < all.hosts.size(); ++i) {
    if (chosen[i]) out.hosts.push_back(all.hosts[i]);
  }
  return out;
}

}  // namespace rio::kernel::inventory
