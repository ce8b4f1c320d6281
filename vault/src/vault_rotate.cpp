// Key rotation. Each protocol orders its renames so that a process killed between any two file
// operations leaves a set of files that still opens with the old key or the new one:
//
// key file:  1. copy the current key to <key>.previous (atomic)
//            2. stage <key>.tmp (new key) and <vault>.tmp (sealed under it), both fsynced
//            3. rename the new key into place   -> vault opens via .previous
//            4. rename the new vault into place -> vault opens via the key file
//            5. remove .previous
// environment: 1. write the new key to <key>.pending (atomic) -- the operator's copy can never be lost
//            2. write the vault sealed under it (atomic) -> opens via .pending until the operator
//               sets COMFYVN_SECRETS_KEY; the next write with the new key removes .pending
// passphrase: one atomic rewrite with a fresh salt, under COMFYVN_SECRETS_NEW_PASSPHRASE if set.
#include <rio/vault/vault.hpp>

#include "secure_file.hpp"
#include "sodium.hpp"
#include "vault_impl.hpp"

#include <boost/json/array.hpp>

namespace rio::vault {
namespace {

namespace json = boost::json;
using detail::file_lock;
using detail::key_origin;

std::string_view source_token(key_source s) {
  switch (s) {
    case key_source::environment: return "environment";
    case key_source::key_file: return "key_file";
    case key_source::passphrase: return "passphrase";
  }
  return "unknown";
}

result<void> rotate_key_file(vault::impl& v, const detail::loaded_vault& loaded, master_key next, rotation_result& out) {
  const auto& fault = v.options.fault;
  secret current = loaded.opened_with->key.to_text();
  current.append("\n");
  if (auto ok = detail::write_file_atomic(v.paths.previous_key_file, current.reveal(), fault, "rotate.previous_key"); !ok) {
    return ok.error();
  }
  secret next_text = next.to_text();
  next_text.append("\n");
  auto staged_key = detail::stage_file(v.paths.key_file, next_text.reveal(), fault, "rotate.new_key");
  if (!staged_key) return staged_key.error();
  auto sealed = seal_envelope(detail::plaintext_of(loaded.data).reveal(), next, std::nullopt, v.now());
  if (!sealed) return sealed.error();
  auto staged_vault = detail::stage_file(v.paths.vault_file, serialize_envelope(*sealed), fault, "rotate.new_vault");
  if (!staged_vault) {
    detail::remove_stale_temp(v.paths.key_file);
    return staged_vault.error();
  }
  if (auto ok = detail::commit_file(*staged_key, fault, "rotate.new_key"); !ok) {
    detail::remove_stale_temp(v.paths.vault_file);
    return ok.error();
  }
  if (auto ok = detail::commit_file(*staged_vault, fault, "rotate.new_vault"); !ok) return ok.error();
  if (auto ok = detail::remove_file_durably(v.paths.previous_key_file, fault, "rotate.drop_previous"); !ok) {
    return ok.error();
  }
  out.fingerprint = sealed->fingerprint;
  return {};
}

result<void> rotate_env_key(vault::impl& v, const detail::loaded_vault& loaded, master_key next, rotation_result& out) {
  const auto& fault = v.options.fault;
  secret text = next.to_text();
  secret line = text;
  line.append("\n");
  if (auto ok = detail::write_file_atomic(v.paths.pending_key_file, line.reveal(), fault, "rotate.pending_key"); !ok) {
    return ok.error();
  }
  auto sealed = seal_envelope(detail::plaintext_of(loaded.data).reveal(), next, std::nullopt, v.now());
  if (!sealed) return sealed.error();
  if (auto ok = detail::write_file_atomic(v.paths.vault_file, serialize_envelope(*sealed), fault, "rotate.new_vault"); !ok) {
    return ok.error();
  }
  out.fingerprint = sealed->fingerprint;
  out.new_key = std::move(text);
  out.pending_key_file = v.paths.pending_key_file;
  return {};
}

result<void> rotate_passphrase(vault::impl& v, const detail::loaded_vault& loaded, rotation_result& out) {
  const bool change = v.options.env.find(env_secrets_new_passphrase) != nullptr;
  const char* variable = change ? env_secrets_new_passphrase : env_secrets_passphrase;
  kdf_header kdf{detail::random_bytes(kdf_salt_size), v.options.kdf};
  auto next = v.keys.passphrase_key(variable, kdf);
  if (!next) return next.error();
  if (!*next) return fail(errc::no_key, std::string{variable} + " is not set");
  auto sealed = seal_envelope(detail::plaintext_of(loaded.data).reveal(), (*next)->key, kdf, v.now());
  if (!sealed) return sealed.error();
  if (auto ok = detail::write_file_atomic(v.paths.vault_file, serialize_envelope(*sealed), v.options.fault,
                                          "rotate.new_vault");
      !ok) {
    return ok.error();
  }
  out.fingerprint = sealed->fingerprint;
  out.passphrase_changed = change;
  return {};
}

// A key the caller supplied (the REST route's new_key) is refused before anything is written: a
// passphrase vault has no key to replace, and "rotating" to the current key would report a change
// that did not happen.
result<void> check_supplied(const std::optional<master_key>& supplied, const detail::loaded_vault& loaded) {
  if (!supplied) return {};
  if (*loaded.source == key_source::passphrase) {
    return fail(errc::invalid_argument,
                "this vault is sealed with COMFYVN_SECRETS_PASSPHRASE and takes no new key: rotation re-encrypts it "
                "under COMFYVN_SECRETS_NEW_PASSPHRASE when that is set, else under a fresh salt");
  }
  if (supplied->same_as(loaded.opened_with->key)) {
    return fail(errc::invalid_argument, "the new key is the vault's current key (fingerprint " +
                                            loaded.sealed->fingerprint + "): nothing would change");
  }
  return {};
}

result<void> rotate_with(vault::impl& v, const detail::loaded_vault& loaded, std::optional<master_key> supplied,
                         rotation_result& out) {
  if (out.source == key_source::passphrase) return rotate_passphrase(v, loaded, out);
  if (!supplied) {
    auto generated = master_key::generate();
    if (!generated) return generated.error();
    supplied.emplace(std::move(*generated));
  }
  return out.source == key_source::key_file ? rotate_key_file(v, loaded, std::move(*supplied), out)
                                            : rotate_env_key(v, loaded, std::move(*supplied), out);
}

}  // namespace

result<rotation_result> vault::rotate(std::optional<master_key> new_key) {
  auto& v = *impl_;
  auto held = v.lock(file_lock::mode::exclusive);
  if (!held) return held.error();
  auto loaded = v.load_adopting(*held, file_lock::mode::exclusive);
  if (!loaded) return loaded.error();
  if (!loaded->exists) {
    return fail(errc::not_found, v.paths.vault_file.string() + " does not exist; run `rio vault init` first");
  }
  if (loaded->opened_with->origin == key_origin::pending_key_file) {
    // Rotating again would replace the only copy of a key the operator may not have adopted yet.
    return fail(errc::stale_key, std::string{env_secrets_key} + " is stale: adopt the key in " +
                                     v.paths.pending_key_file.string() + " before rotating again");
  }
  if (auto ok = check_supplied(new_key, *loaded); !ok) return ok.error();
  rotation_result out;
  out.source = *loaded->source;
  out.previous_fingerprint = loaded->sealed->fingerprint;
  out.providers = sorted_keys(loaded->data);
  detail::fire(v.options.fault, "rotate.begin");
  if (auto done = rotate_with(v, *loaded, std::move(new_key), out); !done) return done.error();

  detail::fire(v.options.fault, "rotate.audit");
  const std::string timestamp = v.now();
  json::object meta;
  meta["fingerprint"] = out.fingerprint;
  meta["previous_fingerprint"] = out.previous_fingerprint;
  meta["providers"] = to_json_array(out.providers);
  meta["key_source"] = source_token(out.source);
  if (auto ok = v.record("secrets.key.rotated", meta, timestamp); !ok) {
    // The rotation is durable; failing now would withhold a new env key from the operator.
    out.warnings.push_back("the rotation is complete, but " + ok.error().message);
  }
  json::object payload;
  payload["timestamp"] = timestamp;
  for (const auto& field : meta) payload[field.key()] = field.value();
  v.notify(on_security_key_rotated, payload);
  return out;
}

}  // namespace rio::vault
