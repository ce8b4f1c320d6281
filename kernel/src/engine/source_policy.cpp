#include <rio/kernel/engine/source_policy.hpp>

#include <algorithm>

namespace rio::kernel::engine {
namespace {

// "https://host.example/a/b" -> "https://host.example"; what the refusal names (never a path or
// query, which could carry a token).
std::string origin_of(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return url.starts_with("/") ? "a path on the host" : "'" + std::string{url.substr(0, 20)} + "...'";
  if (url.starts_with("file://")) return "a file:// path";
  auto end = url.find_first_of("/?#", scheme + 3);
  std::string_view authority = url.substr(scheme + 3, end == std::string_view::npos ? std::string_view::npos : end - scheme - 3);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  return std::string{url.substr(0, scheme + 3)} + std::string{authority};
}

}  // namespace

bool url_under(std::string_view url, std::string_view prefix) {
  if (prefix.empty() || !url.starts_with(prefix)) return false;
  if (url.size() == prefix.size() || prefix.back() == '/') return true;
  const char next = url[prefix.size()];
  return next == '/' || next == '?' || next == '#';
}

result<void> check_requested_sources(const sdk::module_spec& spec, const sdk::option_values& requested,
                                     const std::vector<std::string>& allowed) {
  for (const auto& entry : requested) {
    // Named references, not a structured binding: clang 14 (the fuzz build) cannot capture one.
    const std::string& name = entry.first;
    const std::string& value = entry.second;
    auto option = std::find_if(spec.options.begin(), spec.options.end(), [&](const sdk::option_spec& o) { return o.name == name; });
    if (option == spec.options.end() || option->type != sdk::option_type::url) continue;
    if (value == option->default_value) continue;
    if (std::any_of(allowed.begin(), allowed.end(), [&](const std::string& p) { return url_under(value, p); })) continue;
    return fail(errc::bad_request,
                "options." + spec.id + "." + name + ": a request cannot choose where code comes from (" + origin_of(value) +
                    "); it may name the module's upstream (" + (option->default_value.empty() ? "none" : option->default_value) +
                    ") or a source the operator lists in \"allowed_sources\" of config/rio.json");
  }
  return {};
}

}  // namespace rio::kernel::engine
