// The vault file (<root>/config/secrets.json): parse_envelope as vault_state.cpp calls it, then
// what a successful parse leads to: the header survives rio's writer unchanged (serialize and
// parse again), and open_envelope with a fixed key either authenticates or says decrypt_failed.
// A legacy file goes where `rio vault import-legacy` sends it: a Fernet token to fernet_decrypt.
// The same text is also read as a key file (master_key::parse), the vault's other input.
//
// Seeds under seeds/vault_envelope/ were sealed with fuzz_key() below, so the mutator starts
// from envelopes that decrypt.

#include "fuzz_support.hpp"

#include <rio/vault/envelope.hpp>
#include <rio/vault/fernet.hpp>
#include <rio/vault/secure_json.hpp>

namespace {

namespace vault = rio::vault;
using rio::fuzz::require;

const std::filesystem::path file = "fuzz/config/secrets.json";

const vault::master_key& fuzz_key() {
  static const vault::master_key key =
      vault::master_key::parse("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "fuzz").value();
  return key;
}

bool same_header(const vault::envelope& a, const vault::envelope& b) {
  bool same_kdf = a.kdf.has_value() == b.kdf.has_value();
  if (same_kdf && a.kdf) {
    same_kdf = a.kdf->salt == b.kdf->salt && a.kdf->params.opslimit == b.kdf->params.opslimit &&
               a.kdf->params.memlimit == b.kdf->params.memlimit;
  }
  return same_kdf && a.version == b.version && a.algorithm == b.algorithm && a.nonce == b.nonce &&
         a.ciphertext == b.ciphertext && a.fingerprint == b.fingerprint && a.updated_at == b.updated_at;
}

bool is(const rio::sdk::error& e, vault::errc code) { return e.code == vault::make_error_code(code); }

void check_envelope(const vault::envelope& e) {
  require(e.nonce.size() == 24 && e.ciphertext.size() >= 16, "nonce and ciphertext have their sizes");
  require(e.fingerprint.size() == 16 && e.updated_at.size() <= 64, "fingerprint and timestamp have their sizes");
  require(!e.kdf || e.kdf->salt.size() == vault::kdf_salt_size, "a KDF salt has its size");
  const std::string text = vault::serialize_envelope(e);
  auto again = vault::parse_envelope(text, file);
  require(again.has_value(), "rio reads back the envelope it writes", text);
  require(same_header(e, *again), "an envelope survives a write and a read", text);
  require(vault::associated_data(e) == vault::associated_data(*again), "the associated data is stable");

  auto plain = vault::open_envelope(e, fuzz_key(), file);
  if (!plain) {
    require(is(plain.error(), vault::errc::decrypt_failed), "a failed open is decrypt_failed", plain.error().message);
    return;
  }
  std::string what;
  (void)vault::parse_secure(plain->reveal(), what);  // vault_state.cpp reads the plaintext as JSON next
}

// legacy_import.cpp's classify() and decrypt_fernet(), without the files.
void check_legacy(std::string_view text) {
  std::string what;
  auto doc = vault::parse_secure(text, what);
  if (!doc || !doc->is_object()) return;
  const auto* token = doc->get_object().if_contains("ciphertext");
  if (token == nullptr || !token->is_string()) return;
  auto plain = vault::fernet_decrypt(std::string_view{token->get_string().data(), token->get_string().size()}, fuzz_key());
  if (!plain) {
    require(is(plain.error(), vault::errc::corrupt_file) || is(plain.error(), vault::errc::decrypt_failed),
            "a bad Fernet token is corrupt_file or decrypt_failed", plain.error().message);
    return;
  }
  (void)vault::parse_secure(plain->reveal(), what);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = rio::fuzz::text_of(data, size);
  if (auto e = vault::parse_envelope(text, file)) {
    check_envelope(*e);
  } else {
    const auto& err = e.error();
    require(is(err, vault::errc::corrupt_file) || is(err, vault::errc::legacy_format) ||
                is(err, vault::errc::unsupported_version) || is(err, vault::errc::unsupported_algorithm),
            "a bad envelope has one of the four documented codes", err.message);
    require(err.message.starts_with(file.string() + ": "), "errors name the file", err.message);
    if (is(err, vault::errc::legacy_format)) check_legacy(text);
  }

  if (auto key = vault::master_key::parse(text, "fuzz key")) {
    auto back = vault::master_key::parse(key->to_text().reveal(), "fuzz key");
    require(back && back->same_as(*key), "a key's text form parses to the same key");
  } else {
    require(is(key.error(), vault::errc::bad_key), "a bad key is bad_key", key.error().message);
  }
  return 0;
}
