#include "vault_state.hpp"

#include <rio/vault/key_guidance.hpp>
#include <rio/vault/secure_json.hpp>

#include "secure_file.hpp"

#include <chrono>

namespace rio::vault::detail {
namespace {

namespace json = boost::json;

result<loaded_vault> open_existing(const vault_paths& paths, key_sources& keys, std::string_view text) {
  loaded_vault v;
  v.exists = true;
  auto sealed = parse_envelope(text, paths.vault_file);
  if (!sealed) return sealed.error();
  v.sealed = std::move(*sealed);

  auto source = keys.configured();
  if (!source) return source.error();
  if (!*source) {
    return fail(errc::no_key, paths.vault_file.string() + " is encrypted but no key is configured: set " +
                                  env_secrets_key + ", restore " + paths.key_file.string() + ", or set " +
                                  env_secrets_passphrase + " (" + key_sources_hint(paths) + ")");
  }
  v.source = *source;
  auto candidates = keys.candidates(*v.sealed, **source);
  if (!candidates) return candidates.error();

  std::string tried;
  for (auto& candidate : *candidates) {
    const std::string fp = candidate.key.fingerprint();
    if (fp != v.sealed->fingerprint) {
      tried += (tried.empty() ? "" : ", ") + candidate.label + " has " + fp;
      continue;
    }
    auto plain = open_envelope(*v.sealed, candidate.key, paths.vault_file);
    if (!plain) return plain.error();
    std::string what;
    auto parsed = parse_secure(plain->reveal(), what);
    if (!parsed || !parsed->is_object()) {
      return fail(errc::corrupt_file, paths.vault_file.string() + ": decrypted, but the contents are not a JSON object");
    }
    for (const auto& provider : parsed->get_object()) {
      if (!provider.value().is_object()) {
        return fail(errc::corrupt_file, paths.vault_file.string() + ": provider '" + std::string{provider.key()} +
                                            "' is not a JSON object");
      }
    }
    v.data = std::move(parsed->get_object());
    v.opened_with = std::move(candidate);
    return v;
  }
  if (tried.empty()) tried = "no key could be loaded";
  return fail(errc::wrong_key, paths.vault_file.string() + ": sealed with key fingerprint " + v.sealed->fingerprint +
                                   ", but " + tried + " (wrong key, or the header was altered). " + key_sources_hint(paths));
}

}  // namespace

result<loaded_vault> load_vault(const vault_paths& paths, key_sources& keys, const audit_log& audit) {
  auto text = read_file_if_exists(paths.vault_file);
  if (!text) return text.error();
  if (!*text) {
    return loaded_vault{};
  }
  auto opened = open_existing(paths, keys, **text);
  if (!opened) {
    json::object fields;
    fields["path"] = paths.vault_file.string();
    fields["error"] = opened.error().code.message();
    // The envelope's fingerprint, when the header parsed far enough to have one.
    auto sealed = parse_envelope(**text, paths.vault_file);
    fields["fingerprint"] = sealed ? json::value(sealed->fingerprint) : json::value(nullptr);
    // The open already failed; an audit failure here must not mask the original error.
    (void)audit.append("secrets.decrypt.failed", utc_timestamp(std::chrono::system_clock::now()), fields);
  }
  return opened;
}

secret plaintext_of(const boost::json::object& data) { return serialize_secure(data); }

}  // namespace rio::vault::detail
