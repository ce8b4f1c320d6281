// rio's simple list: one `[user@]host[:port] [key=value...]` per line.

#include "inventory_detail.hpp"

namespace rio::kernel::inventory::detail {
namespace {

result<host_entry> parse_line(const std::vector<std::string>& words, int line) {
  auto parts = split_host_spec(words.front());
  if (!parts) return parts.error();
  host_entry h = entry_from(*parts);
  h.line = line;
  settings values;
  for (std::size_t i = 1; i < words.size(); ++i) {
    const std::string& word = words[i];
    auto eq = word.find('=');
    if (eq == std::string::npos) return problem("expected key=value after the host, got " + shown(word));
    auto s = make_setting(std::string_view{word}.substr(0, eq), word.substr(eq + 1), line, dialect::simple);
    if (!s) return s.error();
    // In the simple dialect every accepted key yields a setting; later words win.
    if (*s) values[(*s)->key] = std::move(**s);
  }
  apply_settings(h, values);
  if (auto ok = check_target(h.where); !ok) return ok.error();
  h.name = spec_name(h.where);
  return h;
}

}  // namespace

result<inventory> parse_simple_list(const std::vector<std::string_view>& lines, std::string_view source) {
  inventory out;
  std::map<std::string, int> first_line;  // name -> line, to refuse a host listed twice
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const int line = static_cast<int>(i) + 1;
    auto words = split_words(lines[i]);
    if (!words) return at_line(source, line, words.error());
    if (words->empty()) continue;
    if (out.hosts.size() == max_inventory_hosts) return at_line(source, line, too_many_hosts());
    auto host = parse_line(*words, line);
    if (!host) return at_line(source, line, host.error());
    // Without groups a repeated host is a mistake, not a second membership: say so.
    if (auto [it, fresh] = first_line.emplace(host->name, line); !fresh) {
      return at_line(source, line,
                     problem("host " + shown(host->name) + " is listed twice (first on line " +
                             std::to_string(it->second) + ")"));
    }
    out.hosts.push_back(std::move(*host));
  }
  return out;
}

}  // namespace rio::kernel::inventory::detail
