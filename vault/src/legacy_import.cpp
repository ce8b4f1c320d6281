// Importing the Python original's vault. The legacy copy is removed only after the new envelope
// is durable (fsynced and renamed, directory fsynced): a crash at any point leaves the legacy
// file, the new vault, or both, and rerunning the import finishes the job (a provider already
// imported with equal contents is not a conflict).
#include <rio/vault/vault.hpp>

#include <rio/vault/fernet.hpp>
#include <rio/vault/secure_json.hpp>

#include "secure_file.hpp"
#include "vault_impl.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include <unistd.h>

namespace rio::vault {
namespace {

namespace json = boost::json;
using detail::file_lock;
using detail::key_origin;

struct legacy_source {
  std::filesystem::path file;
  std::string format;  // "fernet" or "plaintext"
  std::optional<json::value> document;
};

// Classifies one candidate: nullopt when it is missing or already in rio's format.
result<std::optional<legacy_source>> classify(const std::filesystem::path& file, bool explicit_source) {
  // Never through a symbolic link: the import removes what it imported, and unlinking the link
  // would leave the plaintext (often world-readable) at its target while reporting it removed.
  auto text = detail::read_regular_file_if_exists(file);
  if (!text && text.error().code == make_error_code(errc::invalid_argument)) {
    return fail(errc::invalid_argument, text.error().message + " (removing the link after the import would leave the "
                                        "legacy file itself in place). Import the file itself with --from, which removes "
                                        "it afterwards, or replace the link by the file");
  }
  if (!text) return text.error();
  if (!*text) {
    if (explicit_source) return fail(errc::not_found, file.string() + " does not exist");
    return std::optional<legacy_source>{};
  }
  std::string what;
  auto doc = parse_secure(**text, what);
  if (!doc || !doc->is_object()) {
    return fail(errc::corrupt_file, file.string() + ": not a JSON object" + (doc ? "" : " (" + what + ")"));
  }
  const auto& o = doc->get_object();
  if (!o.contains("ciphertext")) return std::optional{legacy_source{file, "plaintext", std::move(doc)}};
  const auto* alg = o.if_contains("algorithm");
  if (alg != nullptr && alg->is_string() && alg->get_string() == envelope_algorithm) {
    if (explicit_source) return fail(errc::invalid_argument, file.string() + " is already in rio's format");
    return std::optional<legacy_source>{};
  }
  if (alg != nullptr && !(alg->is_string() && alg->get_string() == "fernet")) {
    return fail(errc::unsupported_algorithm, file.string() + ": not a Fernet vault (algorithm " + json::serialize(*alg) + ")");
  }
  return std::optional{legacy_source{file, "fernet", std::move(doc)}};
}

// The Fernet key, in the original's order unless a file was named.
result<detail::key_candidate> legacy_key(vault::impl& v, const import_options& options) {
  if (options.legacy_key_file) {
    auto key = v.keys.file_key(*options.legacy_key_file, key_origin::key_file);
    if (!key) return key.error();
    if (!*key) return fail(errc::no_key, options.legacy_key_file->string() + " does not exist");
    return std::move(**key);
  }
  if (v.options.env.find(env_secrets_key) != nullptr) return v.keys.env_key();
  for (const auto* file : {&v.paths.key_file, &v.paths.legacy_key_file}) {
    auto key = v.keys.file_key(*file, key_origin::key_file);
    if (!key) return key.error();
    if (*key) return std::move(**key);
  }
  return fail(errc::no_key, "no key for the Fernet vault: set " + std::string{env_secrets_key} + " or provide " +
                                v.paths.key_file.string() + " or " + v.paths.legacy_key_file.string());
}

result<json::object> decrypt_fernet(vault::impl& v, const legacy_source& src, const detail::key_candidate& key) {
  const auto* token = src.document->get_object().if_contains("ciphertext");
  if (token == nullptr || !token->is_string()) {
    return fail(errc::corrupt_file, src.file.string() + ": field 'ciphertext' is not a string");
  }
  auto plain = fernet_decrypt(std::string_view{token->get_string().data(), token->get_string().size()}, key.key);
  std::string what;
  std::optional<json::value> parsed;
  if (plain) parsed = parse_secure(plain->reveal(), what);
  if (!plain || !parsed || !parsed->is_object()) {
    auto error = plain ? fail(errc::corrupt_file, "decrypted, but the contents are not a JSON object") : plain.error();
    json::object fields;
    fields["path"] = src.file.string();
    fields["error"] = error.code.message();
    fields["fingerprint"] = key.key.fingerprint();
    (void)v.record("secrets.decrypt.failed", fields, v.now());
    return fail(static_cast<errc>(error.code.value()), src.file.string() + " (key from " + key.label + "): " + error.message);
  }
  return std::move(parsed->get_object());
}

// The first legacy vault among the candidates (the one named, or the original's two paths). The
// automatic migration reads the root-level file only where the original would: when there is no
// config/comfyvn.secrets.json at all.
result<legacy_source> find_legacy(const vault::impl& v, const import_options& options, bool automatic) {
  std::vector<std::filesystem::path> candidates =
      options.from ? std::vector{*options.from} : std::vector{v.paths.vault_file, v.paths.legacy_vault_file};
  std::error_code ec;
  if (automatic && std::filesystem::exists(v.paths.vault_file, ec)) candidates.resize(1);
  for (const auto& file : candidates) {
    auto found = classify(file, options.from.has_value());
    if (!found) return found.error();
    if (*found) return std::move(**found);
  }
  return fail(errc::not_found, "no legacy vault at " + v.paths.vault_file.string() + " or " + v.paths.legacy_vault_file.string());
}

// The providers the legacy vault holds, decrypted when it is a Fernet vault; `used_key_file`
// names the key file that opened it (the original's key file goes once the import is durable).
result<json::object> legacy_contents(vault::impl& v, const import_options& options, legacy_source& src,
                                     std::optional<std::filesystem::path>& used_key_file) {
  if (src.format != "fernet") return std::move(src.document->get_object());
  auto key = legacy_key(v, options);
  if (!key) return key.error();
  if (key->origin == key_origin::key_file) used_key_file = key->label;
  return decrypt_fernet(v, src, *key);
}

// Merges the legacy providers into `target`. A provider that differs from the one already there
// is a conflict unless overwrite was asked; then nothing is changed at all.
result<void> merge_providers(const json::object& legacy, detail::loaded_vault& target, const import_options& options,
                             import_result& out, const std::string& vault_file) {
  std::vector<std::string> conflicts;
  for (const auto& entry : legacy) {
    const std::string name{entry.key()};
    if (!entry.value().is_object()) {
      out.dropped.push_back(name);
      continue;
    }
    out.providers.push_back(name);
    auto existing = find_provider(target.data, name);
    if (existing && target.data.at(*existing) == entry.value()) continue;
    if (existing && !options.overwrite) {
      conflicts.push_back(name);
      continue;
    }
    target.data[existing ? *existing : name] = json::value(entry.value(), secure_storage());
  }
  if (!conflicts.empty()) {
    std::string names;
    for (const auto& c : conflicts) names += (names.empty() ? "" : ", ") + c;
    return fail(errc::conflict, "providers " + names + " differ between " + out.source.string() + " and " + vault_file +
                                    "; nothing was changed (use --overwrite to let the legacy copy win)");
  }
  std::sort(out.providers.begin(), out.providers.end());
  return {};
}

// Durable and read back from here on: the legacy copies may go (in place: the second name kept
// for the migration). The plaintext is zeroed only once its name is gone (through the descriptor
// opened before the commit), so a crash never leaves a zeroed legacy file that a rerun would trip over.
result<void> remove_legacy_copies(const vault::impl& v, bool replaces_vault_file, detail::scrubber* scrub,
                                  const std::optional<std::filesystem::path>& used_key_file, import_result& out) {
  if (replaces_vault_file) {
    if (auto ok = detail::remove_file_durably(v.paths.legacy_backup_file, v.options.fault, "import.remove_backup"); !ok) {
      return ok.error();
    }
  } else {
    if (auto ok = detail::remove_file_durably(out.source, v.options.fault, "import.remove_source"); !ok) return ok.error();
    out.removed.push_back(out.source);
  }
  if (scrub != nullptr) scrub->scrub();
  if (used_key_file && *used_key_file == v.paths.legacy_key_file) {
    if (auto ok = detail::remove_file_durably(*used_key_file, v.options.fault, "import.remove_legacy_key"); !ok) {
      return ok.error();
    }
    out.removed.push_back(*used_key_file);
  }
  return {};
}

result<void> audit_import(vault::impl& v, const import_result& out, bool automatic) {
  detail::fire(v.options.fault, "import.audit");
  json::object fields;
  if (automatic) fields["automatic"] = true;
  fields["path"] = out.source.string();
  fields["format"] = out.format;
  fields["providers"] = to_json_array(out.providers);
  fields["dropped"] = to_json_array(out.dropped);
  json::array removed;
  for (const auto& r : out.removed) removed.emplace_back(r.string());
  fields["removed"] = std::move(removed);
  fields["fingerprint"] = out.fingerprint;
  if (auto ok = v.record(automatic ? "secrets.upgraded" : "secrets.imported", fields, v.now()); !ok) {
    return fail(errc::audit_failed, "the import was saved, but " + ok.error().message);
  }
  return {};
}

// The original's file in place gets a second name before the new vault is renamed over it, so it
// survives until the new one has been read back.
result<void> keep_legacy_copy(const vault::impl& v) {
  if (auto gone = detail::remove_file_durably(v.paths.legacy_backup_file, v.options.fault, "import.stale_backup"); !gone) {
    return gone.error();
  }
  detail::fire(v.options.fault, "import.backup");
  if (::link(v.paths.vault_file.c_str(), v.paths.legacy_backup_file.c_str()) != 0) {
    return fail(errc::io_error, "cannot keep a copy of " + v.paths.vault_file.string() + " as " +
                                    v.paths.legacy_backup_file.string() + ": " + std::strerror(errno));
  }
  return detail::fsync_directory(v.paths.config_dir);
}

// Reads the new vault back with the key it was sealed for; a vault that does not give back what
// was written is replaced by the original's file again (in place) and the migration fails.
result<void> verify_migration(vault::impl& v, const json::object& written, bool replaces_vault_file) {
  detail::fire(v.options.fault, "import.verify");
  auto again = detail::load_vault(v.paths, v.keys, v.audit);
  if (again && again->data == written) return {};
  std::string why = again ? "its contents differ from what was written" : again.error().message;
  if (replaces_vault_file && ::rename(v.paths.legacy_backup_file.c_str(), v.paths.vault_file.c_str()) == 0) {
    (void)detail::fsync_directory(v.paths.config_dir);
    why += "; the original's file is back in place";
  }
  return fail(errc::corrupt_file, "the migrated vault " + v.paths.vault_file.string() + " did not read back: " + why);
}

}  // namespace

result<import_result> vault::import_legacy(const import_options& options) {
  auto held = impl_->lock(file_lock::mode::exclusive);
  if (!held) return held.error();
  return impl_->import_locked(options, false);
}

// long-function: the import protocol reads best as one sequence of durable steps.
result<import_result> vault::impl::import_locked(const import_options& request, bool automatic) {
  auto& v = *this;
  detail::fire(v.options.fault, "import.begin");

  auto src = find_legacy(v, request, automatic);
  if (!src) return src.error();
  import_result out;
  out.source = src->file;
  out.format = src->format;
  std::optional<std::filesystem::path> used_key_file;
  auto legacy = legacy_contents(v, request, *src, used_key_file);
  if (!legacy) return legacy.error();

  // The vault it goes into: the current rio vault, or a fresh one when the legacy file is the vault file.
  const bool replaces_vault_file = src->file == v.paths.vault_file;
  detail::loaded_vault target;
  if (!replaces_vault_file) {
    auto loaded = detail::load_vault(v.paths, v.keys, v.audit);
    if (!loaded) return loaded.error();
    target = std::move(*loaded);
  }
  if (auto merged = merge_providers(*legacy, target, request, out, v.paths.vault_file.string()); !merged) return merged.error();

  auto key = v.sealing_key_for(target);
  if (!key) return key.error();
  out.key_generated = key->generated;
  // Opened before the rename, so the old plaintext inode can still be zeroed afterwards.
  std::unique_ptr<detail::scrubber> scrub;
  if (src->format == "plaintext") scrub = std::make_unique<detail::scrubber>(src->file);
  if (replaces_vault_file) {
    if (auto kept = keep_legacy_copy(v); !kept) return kept.error();
  }
  auto fingerprint = v.commit(target.data, *key, "import.vault");
  if (!fingerprint) return fingerprint.error();
  out.fingerprint = *fingerprint;
  if (auto verified = verify_migration(v, target.data, replaces_vault_file); !verified) return verified.error();

  if (auto removed = remove_legacy_copies(v, replaces_vault_file, scrub.get(), used_key_file, out); !removed) return removed.error();
  if (auto audited = audit_import(v, out, automatic); !audited) return audited.error();
  return out;
}

}  // namespace rio::vault
