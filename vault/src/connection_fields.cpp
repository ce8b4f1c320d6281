#include <rio/vault/connection_fields.hpp>

#include <rio/vault/secure_json.hpp>

#include <algorithm>
#include <array>

namespace rio::vault {
namespace {

namespace json = boost::json;

void overlay(json::object& into, const json::object& from) {
  for (const auto& field : from) {
    if (field.value().is_null()) continue;
    into[field.key()] = json::value(field.value(), into.storage());
  }
}

const json::object* object_at(const json::object& o, std::string_view key) {
  if (key.empty()) return nullptr;
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_object() ? &v->get_object() : nullptr;
}

// Names that are parts of the provider's own structure, never a host entry.
bool reserved(std::string_view key) {
  return key == "defaults" || key == "hosts" ||
         std::find(std::begin(connection_field_names), std::end(connection_field_names), key) !=
             std::end(connection_field_names);
}

}  // namespace

json::object merge_connection_fields(const json::object& provider, std::string_view entry_key, std::string_view host,
                                     const json::object& ssh_overrides, std::span<const std::string> env_overrides) {
  json::object merged{secure_storage()};
  if (const auto* defaults = object_at(provider, "defaults")) overlay(merged, *defaults);

  json::object top{secure_storage()};
  for (auto name : connection_field_names) {
    if (const auto* v = provider.if_contains(name)) top[name] = json::value(*v, secure_storage());
  }
  overlay(merged, top);

  if (const auto* hosts = object_at(provider, "hosts")) {
    for (std::string_view key : std::array<std::string_view, 3>{entry_key, host, "default"}) {
      if (const auto* block = object_at(*hosts, key)) {
        overlay(merged, *block);
        break;
      }
    }
  }
  if (!reserved(entry_key)) {
    if (const auto* block = object_at(provider, entry_key)) overlay(merged, *block);
  }
  if (!reserved(host) && host != entry_key) {
    if (const auto* block = object_at(provider, host)) overlay(merged, *block);
  }
  json::object from_env{secure_storage()};
  for (const auto& name : env_overrides) {
    const bool connection_field = std::find(std::begin(connection_field_names), std::end(connection_field_names), name) !=
                                  std::end(connection_field_names);
    if (const auto* v = provider.if_contains(name); v != nullptr && connection_field) from_env[name] = json::value(*v, secure_storage());
  }
  overlay(merged, from_env);
  overlay(merged, ssh_overrides);
  for (auto helper : {"provider", "key", "entry", "id", "record_only", "probe"}) merged.erase(helper);
  return merged;
}

}  // namespace rio::vault
