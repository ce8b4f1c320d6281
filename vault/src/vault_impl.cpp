// The machinery behind every vault operation: locking, choosing the key a write seals with,
// committing an envelope durably, auditing and notifying.
#include "vault_impl.hpp"

#include "secure_file.hpp"
#include "sodium.hpp"

#include <boost/json/array.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>

namespace rio::vault {

namespace json = boost::json;
using detail::file_lock;

std::vector<std::string> sorted_keys(const json::object& o) {
  std::vector<std::string> keys;
  for (const auto& field : o) keys.emplace_back(field.key());
  std::sort(keys.begin(), keys.end());
  return keys;
}

json::array to_json_array(const std::vector<std::string>& names) {
  json::array out;
  for (const auto& n : names) out.emplace_back(n);
  return out;
}

std::optional<std::string> find_provider(const json::object& data, std::string_view provider) {
  if (data.contains(provider)) return std::string{provider};
  for (const auto& field : data) {
    std::string_view key = field.key();
    if (key.size() == provider.size() &&
        std::equal(key.begin(), key.end(), provider.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return std::string{key};
    }
  }
  return std::nullopt;
}

vault::impl::impl(vault_options o)
    : options(std::move(o)), paths(options.root), audit(paths.audit_log), keys(paths, options.env, options.stretches.get()) {}

std::string vault::impl::now() const { return utc_timestamp(std::chrono::system_clock::now()); }

result<std::optional<file_lock>> vault::impl::lock(file_lock::mode m) {
  if (m == file_lock::mode::shared) {
    std::error_code ec;
    if (!std::filesystem::is_directory(paths.config_dir, ec)) return std::optional<file_lock>{};
  } else if (auto dir = detail::ensure_directory(paths.config_dir, 0700); !dir) {
    return dir.error();
  }
  auto held = file_lock::acquire(paths.lock_file, m);
  if (!held) return held.error();
  if (m == file_lock::mode::exclusive) {
    // Only an exclusive holder may remove temps: nobody else can be writing them now.
    for (const auto* target : {&paths.vault_file, &paths.key_file, &paths.previous_key_file, &paths.pending_key_file}) {
      detail::remove_stale_temp(*target);
    }
  }
  return std::optional<file_lock>{std::move(*held)};
}

result<sealing_key> vault::impl::sealing_key_for(const detail::loaded_vault& loaded) {
  using detail::key_origin;
  if (loaded.opened_with) {
    const auto& with = *loaded.opened_with;
    switch (with.origin) {
      case key_origin::pending_key_file:
        return fail(errc::stale_key, std::string{env_secrets_key} + " no longer opens " + paths.vault_file.string() +
                                         ": the key was rotated. Set it to the new key printed by `rio vault rotate` "
                                         "(a copy is in " + paths.pending_key_file.string() + "); writes are refused until then");
      case key_origin::previous_key_file: {
        // A rotation died after installing the new key file: finish it by sealing under that key.
        auto current = keys.file_key(paths.key_file, key_origin::key_file);
        if (!current) return current.error();
        if (!*current) return fail(errc::no_key, paths.key_file.string() + " is missing");
        return sealing_key{std::move((*current)->key), std::nullopt};
      }
      case key_origin::passphrase:
      case key_origin::new_passphrase: return sealing_key{with.key, loaded.sealed->kdf};
      case key_origin::env_key:
      case key_origin::key_file: return sealing_key{with.key, std::nullopt};
    }
  }
  auto source = keys.configured();
  if (!source) return source.error();
  if (*source == key_source::environment) {
    auto key = keys.env_key();
    if (!key) return key.error();
    return sealing_key{std::move(key->key), std::nullopt};
  }
  if (*source == key_source::key_file) {
    auto key = keys.file_key(paths.key_file, key_origin::key_file);
    if (!key) return key.error();
    if (!*key) return fail(errc::no_key, paths.key_file.string() + " disappeared");
    return sealing_key{std::move((*key)->key), std::nullopt};
  }
  if (*source == key_source::passphrase) {
    if (auto ok = detail::ensure_sodium(); !ok) return ok.error();
    kdf_header kdf{detail::random_bytes(kdf_salt_size), options.kdf};
    auto key = keys.passphrase_key(env_secrets_passphrase, kdf);
    if (!key) return key.error();
    return sealing_key{std::move((*key)->key), std::move(kdf)};
  }
  // No source at all: create the key file before anything is sealed under it.
  auto key = master_key::generate();
  if (!key) return key.error();
  secret text = key->to_text();
  text.append("\n");
  if (auto written = detail::write_file_atomic(paths.key_file, text.reveal(), options.fault, "key_file"); !written) {
    return written.error();
  }
  json::object fields;
  fields["fingerprint"] = key->fingerprint();
  fields["destination"] = paths.key_file.string();
  if (auto ok = record("secrets.key.generated", fields, now()); !ok) return ok.error();
  return sealing_key{std::move(*key), std::nullopt, true};
}

result<std::string> vault::impl::commit(const json::object& data, const sealing_key& key, std::string_view step) {
  auto sealed = seal_envelope(detail::plaintext_of(data).reveal(), key.key, key.kdf, now());
  if (!sealed) return sealed.error();
  if (auto ok = detail::write_file_atomic(paths.vault_file, serialize_envelope(*sealed), options.fault, step); !ok) {
    return ok.error();
  }
  // The new envelope is durable, so keys kept only to open an older one are now dead weight.
  for (const auto* stale : {&paths.previous_key_file, &paths.pending_key_file}) {
    if (auto ok = detail::remove_file_durably(*stale, options.fault, "cleanup"); !ok) return ok.error();
  }
  return sealed->fingerprint;
}

result<void> vault::impl::record(std::string_view event, const json::object& fields, std::string_view timestamp) {
  return audit.append(event, timestamp, fields);
}

void vault::impl::notify(std::string_view name, const json::object& metadata) const {
  if (options.listener == nullptr) return;
  try {
    options.listener->on_event(name, metadata);
  } catch (...) {
    // A subscriber's failure must not fail or undo a vault operation; the audit line stands.
  }
}

std::vector<std::string> vault::impl::warnings_for(const detail::loaded_vault& loaded) const {
  using detail::key_origin;
  std::vector<std::string> out;
  if (!loaded.opened_with) return out;
  switch (loaded.opened_with->origin) {
    case key_origin::pending_key_file:
      out.push_back(std::string{env_secrets_key} + " is stale: the vault was rotated and opened with the new key kept in " +
                    paths.pending_key_file.string() + ". Set " + env_secrets_key + " to it; writes are refused until then.");
      break;
    case key_origin::previous_key_file:
      out.push_back("a key rotation was interrupted; opened with " + paths.previous_key_file.string() +
                    ". The next write or `rio vault rotate` completes it.");
      break;
    case key_origin::new_passphrase:
      out.push_back(std::string{"opened with "} + env_secrets_new_passphrase + ": set " + env_secrets_passphrase +
                    " to the new passphrase.");
      break;
    default: break;
  }
  return out;
}

}  // namespace rio::vault
