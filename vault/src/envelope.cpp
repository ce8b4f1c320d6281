#include <rio/vault/envelope.hpp>

#include <rio/vault/secure_json.hpp>

#include "sodium.hpp"

#include <boost/json/serialize.hpp>

#include <sodium.h>

namespace rio::vault {
namespace {

namespace json = boost::json;

std::string json_quoted(std::string_view s) { return json::serialize(json::string_view{s.data(), s.size()}); }

sdk::error corrupt(const std::filesystem::path& file, const std::string& problem) {
  return fail(errc::corrupt_file, file.string() + ": " + problem);
}

// A string field that must be present and decode as padded base64 of `min`..`max` bytes.
result<std::string> base64_field(const json::object& o, std::string_view name, std::size_t min, std::size_t max,
                                 const std::filesystem::path& file) {
  const auto* v = o.if_contains(name);
  if (v == nullptr || !v->is_string()) return corrupt(file, "field '" + std::string{name} + "' is missing or not a string");
  auto bytes = detail::from_base64(std::string_view{v->get_string().data(), v->get_string().size()},
                                   detail::b64::standard, true);
  if (!bytes) return corrupt(file, "field '" + std::string{name} + "' is not valid base64");
  if (bytes->size() < min || bytes->size() > max) {
    return corrupt(file, "field '" + std::string{name} + "' has " + std::to_string(bytes->size()) +
                             " bytes (truncated or altered)");
  }
  return std::move(*bytes);
}

result<std::uint64_t> uint_field(const json::object& o, std::string_view name, const std::filesystem::path& file) {
  const auto* v = o.if_contains(name);
  if (v != nullptr && v->is_uint64()) return v->get_uint64();
  if (v != nullptr && v->is_int64() && v->get_int64() >= 0) return static_cast<std::uint64_t>(v->get_int64());
  return corrupt(file, "field 'kdf." + std::string{name} + "' is missing or not a non-negative integer");
}

result<kdf_header> parse_kdf(const json::value& v, const std::filesystem::path& file) {
  if (!v.is_object()) return corrupt(file, "field 'kdf' is not an object");
  const auto& o = v.get_object();
  const auto* alg = o.if_contains("algorithm");
  if (alg == nullptr || !alg->is_string() || alg->get_string() != kdf_algorithm) {
    return fail(errc::unsupported_algorithm, file.string() + ": field 'kdf.algorithm' must be \"argon2id13\"");
  }
  kdf_header kdf;
  auto salt = base64_field(o, "salt", kdf_salt_size, kdf_salt_size, file);
  if (!salt) return salt.error();
  kdf.salt = std::move(*salt);
  auto ops = uint_field(o, "opslimit", file);
  if (!ops) return ops.error();
  auto mem = uint_field(o, "memlimit", file);
  if (!mem) return mem.error();
  kdf.params = {*ops, *mem};
  return kdf;
}

}  // namespace

result<envelope> parse_envelope(std::string_view text, const std::filesystem::path& file) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return corrupt(file, "the file is empty (truncated)");
  }
  std::string what;
  // Secure storage: a legacy plaintext vault is full of secret values.
  auto parsed = parse_secure(text, what);
  if (!parsed) return corrupt(file, "not valid JSON (" + what + "); the file is truncated or damaged");
  if (!parsed->is_object()) return corrupt(file, "not a JSON object");
  const auto& o = parsed->get_object();
  const auto* alg = o.if_contains("algorithm");
  if (!o.contains("ciphertext")) {
    return fail(errc::legacy_format, file.string() + ": a plaintext vault from the Python original (no "
                                     "'ciphertext'); run `rio vault import-legacy` to encrypt it");
  }
  if (alg != nullptr && alg->is_string() && alg->get_string() == "fernet") {
    return fail(errc::legacy_format, file.string() + ": a Fernet vault from the Python original; run "
                                     "`rio vault import-legacy` to re-encrypt it");
  }
  const auto* version = o.if_contains("version");
  if (version == nullptr || !(version->is_int64() || version->is_uint64())) {
    return corrupt(file, "field 'version' is missing or not an integer");
  }
  if (!version->is_int64() || version->get_int64() != envelope_version) {
    return fail(errc::unsupported_version, file.string() + ": envelope version " + json::serialize(*version) +
                                               " is not supported (rio reads version 2)");
  }
  if (alg == nullptr || !alg->is_string()) return corrupt(file, "field 'algorithm' is missing or not a string");
  if (alg->get_string() != envelope_algorithm) {
    return fail(errc::unsupported_algorithm, file.string() + ": algorithm " + json::serialize(*alg) +
                                                 " is not supported (rio uses \"xchacha20poly1305-ietf\")");
  }
  envelope e;
  auto nonce = base64_field(o, "nonce", crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
                            crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, file);
  if (!nonce) return nonce.error();
  e.nonce = std::move(*nonce);
  auto ct = base64_field(o, "ciphertext", crypto_aead_xchacha20poly1305_ietf_ABYTES, SIZE_MAX, file);
  if (!ct) return ct.error();
  e.ciphertext = std::move(*ct);
  for (auto [name, target] : {std::pair{"fingerprint", &e.fingerprint}, std::pair{"updated_at", &e.updated_at}}) {
    const auto* v = o.if_contains(name);
    if (v == nullptr || !v->is_string()) return corrupt(file, std::string{"field '"} + name + "' is missing or not a string");
    *target = std::string{v->get_string()};
  }
  if (e.fingerprint.size() != 16 || e.fingerprint.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return corrupt(file, "field 'fingerprint' is not 16 hex digits");
  }
  if (e.updated_at.size() > 64) return corrupt(file, "field 'updated_at' is too long");
  if (const auto* kdf = o.if_contains("kdf"); kdf != nullptr && !kdf->is_null()) {
    auto parsed_kdf = parse_kdf(*kdf, file);
    if (!parsed_kdf) return parsed_kdf.error();
    e.kdf = std::move(*parsed_kdf);
  }
  return e;
}

std::string serialize_envelope(const envelope& e) {
  std::string out = "{\n  \"version\": " + std::to_string(e.version) + ",\n  \"algorithm\": " + json_quoted(e.algorithm) + ",\n";
  if (e.kdf) {
    out += "  \"kdf\": {\"algorithm\": " + json_quoted(kdf_algorithm) + ", \"salt\": " + json_quoted(detail::to_base64(e.kdf->salt)) +
           ", \"opslimit\": " + std::to_string(e.kdf->params.opslimit) +
           ", \"memlimit\": " + std::to_string(e.kdf->params.memlimit) + "},\n";
  }
  out += "  \"nonce\": " + json_quoted(detail::to_base64(e.nonce)) + ",\n  \"ciphertext\": " +
         json_quoted(detail::to_base64(e.ciphertext)) + ",\n  \"fingerprint\": " + json_quoted(e.fingerprint) +
         ",\n  \"updated_at\": " + json_quoted(e.updated_at) + "\n}\n";
  return out;
}

std::string associated_data(const envelope& e) {
  // Length-prefixed fields: no value can be shifted into its neighbour.
  std::string ad = "rio.vault.envelope";
  auto add = [&](std::string_view field) {
    ad += '|';
    ad += std::to_string(field.size());
    ad += ':';
    ad += field;
  };
  add(std::to_string(e.version));
  add(e.algorithm);
  add(e.fingerprint);
  add(e.updated_at);
  if (e.kdf) {
    add(kdf_algorithm);
    add(e.kdf->salt);
    add(std::to_string(e.kdf->params.opslimit));
    add(std::to_string(e.kdf->params.memlimit));
  } else {
    add("no-kdf");
  }
  return ad;
}

result<envelope> seal_envelope(std::string_view plaintext, const master_key& key, std::optional<kdf_header> kdf,
                               std::string updated_at) {
  if (auto ok = detail::ensure_sodium(); !ok) return ok.error();
  envelope e;
  e.fingerprint = key.fingerprint();
  e.updated_at = std::move(updated_at);
  e.kdf = std::move(kdf);
  e.nonce = detail::random_bytes(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  const std::string ad = associated_data(e);
  const secret k = key.aead_key();
  e.ciphertext.resize(plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<unsigned char*>(e.ciphertext.data()), &written,
      reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
      reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr,
      reinterpret_cast<const unsigned char*>(e.nonce.data()), reinterpret_cast<const unsigned char*>(k.data()));
  e.ciphertext.resize(static_cast<std::size_t>(written));
  return e;
}

result<secret> open_envelope(const envelope& e, const master_key& key, const std::filesystem::path& file) {
  if (auto ok = detail::ensure_sodium(); !ok) return ok.error();
  if (e.ciphertext.size() < crypto_aead_xchacha20poly1305_ietf_ABYTES ||
      e.nonce.size() != crypto_aead_xchacha20poly1305_ietf_NPUBBYTES) {
    return fail(errc::corrupt_file, file.string() + ": nonce or ciphertext truncated");
  }
  const std::string ad = associated_data(e);
  const secret k = key.aead_key();
  secret plain = secret::zeroed(e.ciphertext.size() - crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.writable_data()), &written, nullptr,
          reinterpret_cast<const unsigned char*>(e.ciphertext.data()), e.ciphertext.size(),
          reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
          reinterpret_cast<const unsigned char*>(e.nonce.data()), reinterpret_cast<const unsigned char*>(k.data())) != 0) {
    return fail(errc::decrypt_failed, file.string() + ": authentication failed; the ciphertext or its header "
                                      "was altered or damaged");
  }
  plain.truncate(static_cast<std::size_t>(written));
  return plain;
}

}  // namespace rio::vault
