// Inventory files (`rio plan|install|status -i FILE`): rio's simple list, Ansible INI, YAML and
// ansible-inventory JSON, told apart by the text itself as parse_inventory does. Every line is also read as a command-line
// host spec (parse_host_spec), the third way a host reaches rio. Checks what a successful
// result promises (kernel/include/rio/kernel/inventory.hpp): unique names, every host valid for
// ssh, selection by "all", by name and by group finds the host.

#include "fuzz_support.hpp"

#include <rio/kernel/inventory.hpp>
#include <rio/kernel/ssh/target.hpp>

#include <algorithm>
#include <set>

namespace {

namespace inv = rio::kernel::inventory;
using rio::fuzz::require;

bool selects(const inv::inventory& all, const std::string& pattern, const std::string& name) {
  auto chosen = inv::select_hosts(all, pattern);
  if (!chosen) return false;
  return std::any_of(chosen->hosts.begin(), chosen->hosts.end(), [&](const inv::host_entry& h) { return h.name == name; });
}

void check_inventory(const inv::inventory& parsed) {
  std::set<std::string> names;
  for (const auto& h : parsed.hosts) {
    require(names.insert(h.name).second, "each host is listed once", h.name);
    require(h.line >= 0, "a host has the line that declared it (0 in JSON)", h.name);
    rio::kernel::ssh::target t = h.where;
    if (t.user.empty()) t.user = "root";  // the run's default user comes later
    require(rio::kernel::ssh::validate(t).has_value(), "every host passes ssh::validate", h.name);
    require(std::find(h.groups.begin(), h.groups.end(), "all") == h.groups.end(), "groups never list 'all'", h.name);
  }
  // Selection copies what it selects: on a range of 100000 hosts, a few selections would take
  // longer than the parse under the sanitizers. Small inventories check them all the same.
  if (parsed.hosts.empty() || parsed.hosts.size() > 1000) return;
  auto all = inv::select_hosts(parsed, "all");
  require(all && all->hosts.size() == parsed.hosts.size(), "'all' selects every host");
  for (std::size_t i = 0; i < parsed.hosts.size() && i < 4; ++i) {
    const auto& h = parsed.hosts[i];
    require(selects(parsed, h.name, h.name), "a host's name selects it", h.name);
    for (std::size_t g = 0; g < h.groups.size() && g < 4; ++g) {
      // As in Ansible, a name that is a host's too selects that host, not the group.
      const auto& group = h.groups[g];
      const bool is_host = std::any_of(parsed.hosts.begin(), parsed.hosts.end(), [&](const inv::host_entry& o) { return o.name == group; });
      if (!is_host) require(selects(parsed, group, h.name), "a host's group selects it", group);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = rio::fuzz::text_of(data, size);
  if (auto parsed = inv::parse_inventory(text, "fuzz.ini")) {
    check_inventory(*parsed);
  } else {
    require(parsed.error().message.starts_with("fuzz.ini:"), "errors name the file and line", parsed.error().message);
  }
  // The first lines as `rio plan HOST` would read them.
  std::string_view rest = text;
  for (int n = 0; n < 4 && !rest.empty(); ++n) {
    const auto eol = rest.find('\n');
    if (auto h = inv::parse_host_spec(rest.substr(0, eol))) {
      require(rio::kernel::ssh::validate({h->where.host, h->where.port, h->user_set ? h->where.user : "root"}).has_value(),
              "a parsed host spec passes ssh::validate", h->name);
    }
    rest = eol == std::string_view::npos ? std::string_view{} : rest.substr(eol + 1);
  }
  return 0;
}
