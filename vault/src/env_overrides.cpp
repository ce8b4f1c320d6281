#include <rio/vault/env_overrides.hpp>

#include <algorithm>
#include <cctype>

namespace rio::vault {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out{s};
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string provider_env_name(std::string_view provider) {
  std::string out;
  out.reserve(provider.size());
  for (char c : trim(provider)) {
    const auto u = static_cast<unsigned char>(c);
    out += std::isalnum(u) != 0 && u < 0x80 ? static_cast<char>(std::toupper(u)) : '_';
  }
  return out;
}

std::vector<env_override> overrides_for(const environment& env, std::string_view provider,
                                        const std::vector<std::string>& known_providers) {
  const std::string wanted = provider_env_name(provider);
  std::vector<std::string> known;
  for (auto p : builtin_providers) known.push_back(provider_env_name(p));
  for (const auto& p : known_providers) known.push_back(provider_env_name(p));
  known.push_back(wanted);

  std::vector<env_override> out;
  if (wanted.empty()) return out;
  for (auto [name, value] : env.with_prefix(env_override_prefix)) {
    std::string_view rest = name.substr(env_override_prefix.size());
    // The owner is the known provider with the longest env name that prefixes `rest` and leaves
    // a non-empty field after its '_'.
    std::size_t best = 0;
    for (const auto& k : known) {
      if (k.size() + 1 < rest.size() && rest.starts_with(k) && rest[k.size()] == '_') best = std::max(best, k.size());
    }
    if (best == 0 || rest.substr(0, best) != wanted) continue;
    out.push_back({lower(rest.substr(best + 1)), std::string{name}, value});
  }
  return out;
}

override_report apply_overrides(boost::json::object& fields, const std::vector<env_override>& overrides) {
  override_report report;
  for (const auto& o : overrides) {
    std::string_view value = trim(o.value->reveal());
    auto* existing = fields.if_contains(o.field);
    if (value.empty() || (existing != nullptr && (existing->is_object() || existing->is_array()))) {
      report.ignored.push_back(o.variable);
      continue;
    }
    // Assigned through the object so the string lands in the object's (wiping) storage.
    fields[o.field] = boost::json::string_view{value.data(), value.size()};
    report.applied.push_back(o.field);
  }
  std::sort(report.applied.begin(), report.applied.end());
  report.applied.erase(std::unique(report.applied.begin(), report.applied.end()), report.applied.end());
  std::sort(report.ignored.begin(), report.ignored.end());
  return report;
}

}  // namespace rio::vault
