// Errors that say what to do: a missing vault names `rio vault init`; a vault that cannot be
// unlocked (no key source, a wrong key, a wrong passphrase) names the key sources rio reads, in
// order. The error codes stay as they were, and no message carries a key or a passphrase.
#include <rio/vault/vault.hpp>

#include <rio/kernel/engine/request_builder.hpp>

#include "vault_test_support.hpp"

#include <gtest/gtest.h>

namespace rio::test {
namespace {

namespace json = boost::json;
using vault::errc;

const std::string right_passphrase = "correct horse battery";
const std::string wrong_passphrase = "wrong pony staple";

bool mentions(const std::string& text, std::string_view what) { return text.find(what) != std::string::npos; }

// Names every source rio unlocks a vault with, and leaks none of the given secrets.
void expect_names_key_sources(const sdk::error& e, const std::filesystem::path& root, const std::vector<std::string>& secrets) {
  EXPECT_TRUE(mentions(e.message, "COMFYVN_SECRETS_KEY")) << e.message;
  EXPECT_TRUE(mentions(e.message, (root / "config" / "comfyvn.secrets.key").string())) << e.message;
  EXPECT_TRUE(mentions(e.message, "COMFYVN_SECRETS_PASSPHRASE")) << e.message;
  for (const auto& s : secrets) EXPECT_FALSE(mentions(e.message, s)) << "a secret in: " << e.message;
}

TEST(VaultGuidance, UnsetOnAMissingVaultNamesVaultInit) {
  temp_dir root;
  vault::vault v{options_for(root.path(), {{"COMFYVN_SECRETS_KEY", test_key_hex}})};
  auto r = v.unset("remote_installer", {"token"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, vault::make_error_code(errc::not_found));
  EXPECT_TRUE(mentions(r.error().message, "rio vault init")) << r.error().message;
  EXPECT_TRUE(mentions(r.error().message, (root.path() / "config" / "comfyvn.secrets.json").string())) << r.error().message;
}

TEST(VaultGuidance, AMissingProviderInAnExistingVaultDoesNotSayInit) {
  temp_dir root;
  vault::vault v{options_for(root.path(), {{"COMFYVN_SECRETS_KEY", test_key_hex}})};
  ASSERT_TRUE(v.init());
  auto r = v.unset("remote_installer", {"token"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, vault::make_error_code(errc::not_found));
  EXPECT_FALSE(mentions(r.error().message, "rio vault init")) << r.error().message;
}

TEST(VaultGuidance, SecretsFromAMissingVaultNameVaultInit) {
  temp_dir root;
  auto fields = kernel::engine::read_provider(root.path(), [](const char*) { return std::optional<std::string>{}; },
                                              "remote_installer", nullptr);
  ASSERT_FALSE(fields);
  EXPECT_TRUE(mentions(fields.error().message, "is not in the vault")) << fields.error().message;
  EXPECT_TRUE(mentions(fields.error().message, "rio vault init")) << fields.error().message;
}

TEST(VaultGuidance, NoKeySourceNamesEverySourceInOrder) {
  temp_dir root;
  {
    vault::vault v{options_for(root.path())};  // no key anywhere: a key file is generated
    ASSERT_TRUE(v.set("remote_installer", {"token"}, json::value("s3cret-token")));
  }
  std::string key_text = read_file(root.path() / "config" / "comfyvn.secrets.key");
  while (!key_text.empty() && (key_text.back() == '\n' || key_text.back() == '\r')) key_text.pop_back();
  ASSERT_FALSE(key_text.empty());
  std::filesystem::remove(root.path() / "config" / "comfyvn.secrets.key");
  vault::vault v{options_for(root.path())};
  auto r = v.get("remote_installer");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, vault::make_error_code(errc::no_key));
  expect_names_key_sources(r.error(), root.path(), {key_text, "s3cret-token"});
}

TEST(VaultGuidance, AWrongKeyNamesTheSourcesAndNoKey) {
  temp_dir root;
  {
    vault::vault v{options_for(root.path(), {{"COMFYVN_SECRETS_KEY", test_key_hex}})};
    ASSERT_TRUE(v.set("remote_installer", {"token"}, json::value("s3cret-token")));
  }
  vault::vault v{options_for(root.path(), {{"COMFYVN_SECRETS_KEY", other_key_hex}})};
  auto r = v.get("remote_installer");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, vault::make_error_code(errc::wrong_key));
  EXPECT_TRUE(mentions(r.error().message, "wrong key")) << r.error().message;
  expect_names_key_sources(r.error(), root.path(), {test_key_hex, other_key_hex, "s3cret-token"});
}

TEST(VaultGuidance, AWrongPassphraseNamesTheSourcesAndNoPassphrase) {
  temp_dir root;
  {
    vault::vault v{options_for(root.path(), {{"COMFYVN_SECRETS_PASSPHRASE", right_passphrase}})};
    ASSERT_TRUE(v.set("remote_installer", {"token"}, json::value("s3cret-token")));
  }
  vault::vault v{options_for(root.path(), {{"COMFYVN_SECRETS_PASSPHRASE", wrong_passphrase}})};
  auto r = v.get("remote_installer");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, vault::make_error_code(errc::wrong_key));
  expect_names_key_sources(r.error(), root.path(), {right_passphrase, wrong_passphrase, "s3cret-token"});
}

}  // namespace
}  // namespace rio::test
