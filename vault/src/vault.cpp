#include <rio/vault/vault.hpp>

#include <rio/vault/connection_fields.hpp>
#include <rio/vault/env_overrides.hpp>
#include <rio/vault/key_guidance.hpp>
#include <rio/vault/secure_json.hpp>

#include "vault_impl.hpp"

#include <boost/json/array.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace rio::vault {
namespace {

namespace json = boost::json;
using detail::file_lock;

bool valid_provider_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x80 && (std::isalnum(u) != 0 || c == '_' || c == '-' || c == '.');
  });
}

result<void> check_names(std::string_view provider, const std::vector<std::string>& path) {
  if (!valid_provider_name(provider)) {
    return fail(errc::invalid_argument, "provider name must be 1-64 characters of letters, digits, '_', '-', '.'");
  }
  for (const auto& part : path) {
    if (part.empty() || part.size() > 256) {
      return fail(errc::invalid_argument, "field names must be 1-256 characters");
    }
  }
  return {};
}

std::string joined(std::string_view provider, const std::vector<std::string>& path) {
  std::string out{provider};
  for (const auto& part : path) out += "." + part;
  return out;
}

// The provider object to write into, created when missing.
json::object& provider_for_write(json::object& data, std::string_view provider) {
  auto stored = find_provider(data, provider);
  auto& slot = data[stored ? std::string_view{*stored} : provider];
  if (!slot.is_object()) slot = json::object{data.storage()};
  return slot.get_object();
}

}  // namespace

vault::vault(vault_options options) : impl_(std::make_unique<impl>(std::move(options))) {}
vault::~vault() = default;
vault::vault(vault&&) noexcept = default;
vault& vault::operator=(vault&&) noexcept = default;

const vault_paths& vault::paths() const noexcept { return impl_->paths; }

result<init_result> vault::init() {
  auto held = impl_->lock(file_lock::mode::exclusive);
  if (!held) return held.error();
  auto loaded = impl_->load_adopting(*held, file_lock::mode::exclusive);
  if (!loaded) return loaded.error();
  init_result out;
  if (loaded->exists) {
    out.source = *loaded->source;
    out.fingerprint = loaded->sealed->fingerprint;
    return out;
  }
  auto key = impl_->sealing_key_for(*loaded);
  if (!key) return key.error();
  auto fingerprint = impl_->commit(loaded->data, *key, "vault");
  if (!fingerprint) return fingerprint.error();
  auto source = impl_->keys.configured();
  out = {true, key->generated, source && *source ? **source : key_source::key_file, *fingerprint};
  json::object fields;
  fields["providers"] = json::array{};
  fields["fingerprint"] = out.fingerprint;
  if (auto ok = impl_->record("secrets.write", fields, impl_->now()); !ok) return ok.error();
  return out;
}

result<provider_view> vault::get(std::string_view provider) {
  auto held = impl_->lock(file_lock::mode::shared);
  if (!held) return held.error();
  auto loaded = impl_->load_adopting(*held, file_lock::mode::shared);
  if (!loaded) return loaded.error();

  provider_view view;
  view.fields = json::object{secure_storage()};
  auto stored = find_provider(loaded->data, provider);
  view.provider = stored ? *stored : std::string{provider};
  if (stored) view.fields = json::object(loaded->data.at(*stored).get_object(), secure_storage());
  view.stored_keys = sorted_keys(view.fields);
  auto overrides = overrides_for(impl_->options.env, view.provider, sorted_keys(loaded->data));
  auto report = apply_overrides(view.fields, overrides);
  view.override_keys = std::move(report.applied);
  view.ignored_overrides = std::move(report.ignored);
  view.present = !view.fields.empty();
  view.fingerprint = loaded->sealed ? loaded->sealed->fingerprint : std::string{};
  view.warnings = impl_->warnings_for(*loaded);

  const std::string timestamp = impl_->now();
  json::object meta;
  meta["provider"] = view.provider;
  meta["keys"] = to_json_array(sorted_keys(view.fields));
  meta["overrides"] = to_json_array(view.override_keys);
  meta["present"] = view.present;
  meta["fingerprint"] = view.fingerprint.empty() ? json::value(nullptr) : json::value(view.fingerprint);
  if (auto ok = impl_->record("secrets.read", meta, timestamp); !ok) return ok.error();
  json::object payload;
  payload["timestamp"] = timestamp;
  for (const auto& field : meta) payload[field.key()] = field.value();
  impl_->notify(on_security_secret_read, payload);
  return view;
}

result<vault_listing> vault::list() {
  auto held = impl_->lock(file_lock::mode::shared);
  if (!held) return held.error();
  auto loaded = impl_->load_adopting(*held, file_lock::mode::shared);
  if (!loaded) return loaded.error();
  vault_listing out;
  out.exists = loaded->exists;
  out.source = loaded->source;
  out.fingerprint = loaded->sealed ? loaded->sealed->fingerprint : std::string{};
  out.warnings = impl_->warnings_for(*loaded);
  std::vector<std::string> names = sorted_keys(loaded->data);
  for (auto builtin : builtin_providers) {
    if (!find_provider(loaded->data, builtin)) names.emplace_back(builtin);
  }
  for (const auto& name : names) {
    json::object fields{secure_storage()};
    if (const auto* stored = loaded->data.if_contains(name)) fields = json::object(stored->get_object(), secure_storage());
    provider_summary s{name, sorted_keys(fields), {}, false};
    s.override_keys = apply_overrides(fields, overrides_for(impl_->options.env, name, names)).applied;
    s.present = !fields.empty();
    if (s.present || loaded->data.contains(name)) out.providers.push_back(std::move(s));
  }
  json::object fields;
  json::array providers;
  for (const auto& p : out.providers) providers.emplace_back(p.provider);
  fields["providers"] = std::move(providers);
  fields["fingerprint"] = out.fingerprint.empty() ? json::value(nullptr) : json::value(out.fingerprint);
  if (auto ok = impl_->record("secrets.list", fields, impl_->now()); !ok) return ok.error();
  return out;
}

namespace {

// The shared body of set/unset/put_provider: lock, load, change, seal, audit.
template <class Change>
result<void> write_with(vault::impl& v, std::string_view provider, json::array path, Change&& change) {
  auto held = v.lock(file_lock::mode::exclusive);
  if (!held) return held.error();
  auto loaded = v.load_adopting(*held, file_lock::mode::exclusive);
  if (!loaded) return loaded.error();
  if (auto changed = change(loaded->data); !changed) return changed.error();
  auto key = v.sealing_key_for(*loaded);
  if (!key) return key.error();
  auto fingerprint = v.commit(loaded->data, *key, "vault");
  if (!fingerprint) return fingerprint.error();
  json::object fields;
  fields["provider"] = provider;
  fields["path"] = std::move(path);
  fields["providers"] = to_json_array(sorted_keys(loaded->data));
  fields["fingerprint"] = *fingerprint;
  if (auto ok = v.record("secrets.write", fields, v.now()); !ok) {
    return fail(errc::audit_failed, "the change was saved, but " + ok.error().message);
  }
  return {};
}

}  // namespace

result<void> vault::set(std::string_view provider, const std::vector<std::string>& path, const json::value& value) {
  if (auto ok = check_names(provider, path); !ok) return ok;
  if (path.empty()) return fail(errc::invalid_argument, "set needs a field name after the provider");
  return write_with(*impl_, provider, to_json_array(path), [&](json::object& data) -> result<void> {
    json::object* node = &provider_for_write(data, provider);
    for (std::size_t i = 0; i + 1 < path.size(); ++i) {
      auto& slot = (*node)[path[i]];
      if (slot.is_null()) slot = json::object{data.storage()};
      if (!slot.is_object()) {
        return fail(errc::invalid_argument, "cannot set " + joined(provider, path) + ": '" + path[i] +
                                                "' holds a value, not a block of fields");
      }
      node = &slot.get_object();
    }
    (*node)[path.back()] = json::value(value, data.storage());
    return {};
  });
}

result<void> vault::unset(std::string_view provider, const std::vector<std::string>& path) {
  if (auto ok = check_names(provider, path); !ok) return ok;
  return write_with(*impl_, provider, to_json_array(path), [&](json::object& data) -> result<void> {
    auto stored = find_provider(data, provider);
    if (!stored) {
      std::error_code ec;
      const bool no_vault = !std::filesystem::exists(impl_->paths.vault_file, ec);
      return fail(errc::not_found, "provider '" + std::string{provider} + "' is not in the vault" +
                                       (no_vault ? " (" + no_vault_hint(impl_->paths) + ")" : std::string{}));
    }
    if (path.empty()) {
      data.erase(*stored);
      return {};
    }
    json::object* node = &data[*stored].get_object();
    for (std::size_t i = 0; i + 1 < path.size() && node != nullptr; ++i) {
      auto* next = node->if_contains(path[i]);
      node = next != nullptr && next->is_object() ? &next->get_object() : nullptr;
    }
    if (node == nullptr || node->erase(path.back()) == 0) {
      return fail(errc::not_found, joined(*stored, path) + " is not in the vault");
    }
    return {};
  });
}

result<void> vault::put_provider(std::string_view provider, const json::object& fields) {
  if (auto ok = check_names(provider, {}); !ok) return ok;
  return write_with(*impl_, provider, json::array{}, [&](json::object& data) -> result<void> {
    provider_for_write(data, provider) = json::object(fields, data.storage());
    return {};
  });
}

result<ssh_credentials> vault::ssh_credentials_for(const secrets_ref& ref, std::string_view host,
                                                   const json::object& ssh_overrides) {
  json::object provider_fields{secure_storage()};
  std::vector<std::string> env_overrides;
  if (!ref.provider.empty()) {
    auto view = get(ref.provider);
    if (!view) return view.error();
    provider_fields = std::move(view->fields);
    env_overrides = std::move(view->override_keys);
  }
  const std::string_view entry = ref.key.empty() ? host : std::string_view{ref.key};
  return extract_ssh_credentials(merge_connection_fields(provider_fields, entry, host, ssh_overrides, env_overrides));
}

}  // namespace rio::vault
