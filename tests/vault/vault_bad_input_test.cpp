// Every kind of bad vault file gives a clear error value naming the file and the problem, and
// leaves every byte under config/ exactly as it was.
#include <rio/vault/vault.hpp>

#include "vault_test_support.hpp"

#include <gtest/gtest.h>

namespace rio::test {
namespace {

namespace json = boost::json;
using vault::errc;

struct bad_vault_fixture {
  temp_dir root;
  std::map<std::string, std::string> env{{"COMFYVN_SECRETS_KEY", test_key_hex}};
  bad_vault_fixture() {
    vault::vault v{options_for(root.path(), env)};
    EXPECT_TRUE(v.set("remote_installer", {"token"}, json::value("s3cret-token")));
  }
  std::filesystem::path file() const { return root.path() / "config" / "comfyvn.secrets.json"; }
  std::string original() const { return read_file(file()); }
};

// Runs every operation that reads the vault and checks error code, message and untouched files.
void expect_refused(bad_vault_fixture& f, const std::map<std::string, std::string>& env, errc expected,
                    std::string_view says, bool names_file = true) {
  const auto before = snapshot(f.root.path() / "config");
  vault::vault v{options_for(f.root.path(), env)};
  std::vector<sdk::error> errors;
  if (auto r = v.get("remote_installer"); !r) errors.push_back(r.error());
  if (auto r = v.list(); !r) errors.push_back(r.error());
  if (auto r = v.set("remote_installer", {"x"}, json::value(1)); !r) errors.push_back(r.error());
  if (auto r = v.rotate(); !r) errors.push_back(r.error());
  if (auto r = v.init(); !r) errors.push_back(r.error());
  ASSERT_EQ(errors.size(), 5u) << "every operation must fail";
  for (const auto& e : errors) {
    EXPECT_EQ(e.code, vault::make_error_code(expected)) << e.message;
    if (names_file) {
      EXPECT_NE(e.message.find(f.file().string()), std::string::npos) << e.message;
    }
    EXPECT_NE(e.message.find(says), std::string::npos) << e.message;
    EXPECT_EQ(e.message.find("s3cret-token"), std::string::npos);
  }
  EXPECT_EQ(snapshot(f.root.path() / "config"), before);
  auto lines = audit_lines(f.root.path());
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back().at("event"), "secrets.decrypt.failed");
  EXPECT_EQ(lines.back().at("error"), json::value(vault::make_error_code(expected).message()));
}

TEST(VaultBadInput, WrongKey) {
  bad_vault_fixture f;
  expect_refused(f, {{"COMFYVN_SECRETS_KEY", other_key_hex}}, errc::wrong_key, "wrong key");
}

TEST(VaultBadInput, TamperedCiphertext) {
  bad_vault_fixture f;
  std::string text = f.original();
  auto pos = text.find("\"ciphertext\": \"") + 15;
  text[pos] = text[pos] == 'A' ? 'B' : 'A';
  f.root.write("config/comfyvn.secrets.json", text);
  expect_refused(f, f.env, errc::decrypt_failed, "authentication failed");
}

TEST(VaultBadInput, TamperedHeaderTimestamp) {
  bad_vault_fixture f;
  std::string text = f.original();
  auto pos = text.find("\"updated_at\": \"") + 15;
  text[pos] = text[pos] == '1' ? '2' : '1';
  f.root.write("config/comfyvn.secrets.json", text);
  expect_refused(f, f.env, errc::decrypt_failed, "altered");
}

TEST(VaultBadInput, TruncatedFile) {
  bad_vault_fixture f;
  f.root.write("config/comfyvn.secrets.json", f.original().substr(0, 60));
  expect_refused(f, f.env, errc::corrupt_file, "truncated");
}

TEST(VaultBadInput, EmptyFile) {
  bad_vault_fixture f;
  f.root.write("config/comfyvn.secrets.json", "");
  expect_refused(f, f.env, errc::corrupt_file, "empty");
}

TEST(VaultBadInput, NotJson) {
  bad_vault_fixture f;
  f.root.write("config/comfyvn.secrets.json", "this is not json\n");
  expect_refused(f, f.env, errc::corrupt_file, "not valid JSON");
}

TEST(VaultBadInput, UnknownVersion) {
  bad_vault_fixture f;
  std::string text = f.original();
  text.replace(text.find("\"version\": 2"), 12, "\"version\": 7");
  f.root.write("config/comfyvn.secrets.json", text);
  expect_refused(f, f.env, errc::unsupported_version, "version 7");
}

TEST(VaultBadInput, UnknownAlgorithm) {
  bad_vault_fixture f;
  std::string text = f.original();
  text.replace(text.find("xchacha20poly1305-ietf"), 22, "rot13");
  f.root.write("config/comfyvn.secrets.json", text);
  expect_refused(f, f.env, errc::unsupported_algorithm, "rot13");
}

// The original's vault is migrated on first use (legacy_import_test.cpp); one its key sources
// cannot open is refused by every operation and left exactly as it was.
TEST(VaultBadInput, LegacyFileTheKeyCannotOpenIsLeftAsItIs) {
  bad_vault_fixture f;
  f.root.write("config/comfyvn.secrets.json",
               std::string{R"({"version": 1, "algorithm": "fernet", "ciphertext": ")"} + python_token + "\"}");
  expect_refused(f, {{"COMFYVN_SECRETS_KEY", other_key_hex}}, errc::decrypt_failed, "COMFYVN_SECRETS_KEY");
}

TEST(VaultBadInput, BadKeyTextNamesItsSource) {
  bad_vault_fixture f;
  expect_refused(f, {{"COMFYVN_SECRETS_KEY", "too-short"}}, errc::bad_key, "COMFYVN_SECRETS_KEY", false);
}

}  // namespace
}  // namespace rio::test
