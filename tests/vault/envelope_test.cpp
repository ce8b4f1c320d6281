#include <rio/vault/envelope.hpp>

#include "vault_test_support.hpp"

#include <gtest/gtest.h>

namespace rio::test {
namespace {

using vault::errc;

vault::master_key key() { return *vault::master_key::parse(test_key_hex, "test"); }

vault::envelope sealed(std::optional<vault::kdf_header> kdf = std::nullopt) {
  auto e = vault::seal_envelope(R"({"p":{"token":"t0p"}})", key(), std::move(kdf), "2024-01-01T00:00:00.000000Z");
  EXPECT_TRUE(e);
  return *e;
}

TEST(VaultEnvelope, SealsAndOpensAndSurvivesTheFileFormat) {
  vault::kdf_header kdf{std::string(vault::kdf_salt_size, 's'), vault::kdf_params::minimum()};
  for (auto e : {sealed(), sealed(kdf)}) {
    EXPECT_EQ(e.fingerprint, key().fingerprint());
    auto text = vault::serialize_envelope(e);
    EXPECT_NE(text.find("\"algorithm\": \"xchacha20poly1305-ietf\""), std::string::npos);
    EXPECT_EQ(text.find("t0p"), std::string::npos);
    auto parsed = vault::parse_envelope(text, "v.json");
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->kdf.has_value(), e.kdf.has_value());
    auto plain = vault::open_envelope(*parsed, key(), "v.json");
    ASSERT_TRUE(plain) << plain.error().message;
    EXPECT_EQ(plain->reveal(), R"({"p":{"token":"t0p"}})");
  }
}

TEST(VaultEnvelope, FreshNonceEveryTime) { EXPECT_NE(sealed().nonce, sealed().nonce); }

TEST(VaultEnvelope, AssociatedDataBindsEveryHeaderField) {
  vault::kdf_header kdf{std::string(vault::kdf_salt_size, 's'), vault::kdf_params::minimum()};
  const auto good = sealed(kdf);
  std::vector<std::function<void(vault::envelope&)>> edits = {
      [](auto& e) { e.version = 3; },
      [](auto& e) { e.algorithm = "xchacha20poly1305"; },
      [](auto& e) { e.fingerprint = "0000000000000000"; },
      [](auto& e) { e.updated_at = "2030-01-01T00:00:00.000000Z"; },
      [](auto& e) { e.kdf->salt[0] = 't'; },
      [](auto& e) { e.kdf->params.opslimit += 1; },
      [](auto& e) { e.kdf.reset(); },
      [](auto& e) { e.ciphertext[0] = static_cast<char>(e.ciphertext[0] ^ 1); },
      [](auto& e) { e.nonce[0] = static_cast<char>(e.nonce[0] ^ 1); },
  };
  for (std::size_t i = 0; i < edits.size(); ++i) {
    auto e = good;
    edits[i](e);
    auto plain = vault::open_envelope(e, key(), "v.json");
    ASSERT_FALSE(plain) << "edit " << i;
    EXPECT_EQ(plain.error().code, vault::make_error_code(errc::decrypt_failed)) << "edit " << i;
    EXPECT_NE(plain.error().message.find("v.json"), std::string::npos);
  }
}

TEST(VaultEnvelope, ParseNamesTheFileAndTheProblem) {
  const std::string good = vault::serialize_envelope(sealed());
  struct bad_case {
    std::string text;
    errc code;
    const char* says;
  };
  std::string v3 = good;
  v3.replace(v3.find("\"version\": 2"), 12, "\"version\": 3");
  std::string other_alg = good;
  other_alg.replace(other_alg.find("xchacha20poly1305-ietf"), 22, "aes-256-gcm");
  std::string bad_b64 = good;
  bad_b64.replace(bad_b64.find("\"nonce\": \"") + 10, 2, "!!");
  std::vector<bad_case> cases = {
      {"", errc::corrupt_file, "empty"},
      {good.substr(0, good.size() / 2), errc::corrupt_file, "not valid JSON"},
      {"hello", errc::corrupt_file, "not valid JSON"},
      {"[1,2]", errc::corrupt_file, "not a JSON object"},
      {v3, errc::unsupported_version, "version 3"},
      {other_alg, errc::unsupported_algorithm, "aes-256-gcm"},
      {bad_b64, errc::corrupt_file, "'nonce'"},
      {R"({"remote_installer":{"user":"x"}})", errc::legacy_format, "import-legacy"},
      {R"({"version":1,"algorithm":"fernet","ciphertext":"gAAA"})", errc::legacy_format, "Fernet"},
  };
  for (const auto& c : cases) {
    auto e = vault::parse_envelope(c.text, "/r/config/comfyvn.secrets.json");
    ASSERT_FALSE(e) << c.says;
    EXPECT_EQ(e.error().code, vault::make_error_code(c.code)) << e.error().message;
    EXPECT_NE(e.error().message.find("/r/config/comfyvn.secrets.json"), std::string::npos) << e.error().message;
    EXPECT_NE(e.error().message.find(c.says), std::string::npos) << e.error().message;
  }
}

}  // namespace
}  // namespace rio::test
