#include <rio/vault/env_overrides.hpp>

#include <rio/vault/secure_json.hpp>

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

namespace rio::test {
namespace {

namespace json = boost::json;

std::vector<std::string> fields_of(const std::vector<vault::env_override>& overrides) {
  std::vector<std::string> out;
  for (const auto& o : overrides) out.push_back(o.field);
  return out;
}

TEST(VaultEnvOverrides, OriginalNamingStillWorks) {
  vault::environment env{{{"COMFYVN_SECRET_REMOTE_INSTALLER_USER", "ubuntu"}}};
  auto found = vault::overrides_for(env, "remote_installer", {});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].field, "user");
  EXPECT_EQ(found[0].variable, "COMFYVN_SECRET_REMOTE_INSTALLER_USER");
  EXPECT_EQ(found[0].value->reveal(), "ubuntu");
}

TEST(VaultEnvOverrides, ShorterProviderDoesNotCaptureALongerOnesVariables) {
  vault::environment env{{{"COMFYVN_SECRET_REMOTE_INSTALLER_USER", "ubuntu"}, {"COMFYVN_SECRET_REMOTE_TOKEN", "t"}}};
  // remote_installer is builtin, so it is known even when nothing is stored for it.
  EXPECT_EQ(fields_of(vault::overrides_for(env, "remote", {})), std::vector<std::string>{"token"});
  EXPECT_EQ(fields_of(vault::overrides_for(env, "remote_installer", {})), std::vector<std::string>{"user"});
  // A stored provider is known too.
  vault::environment env2{{{"COMFYVN_SECRET_GIT_HUB_TOKEN", "x"}, {"COMFYVN_SECRET_GIT_USER", "y"}}};
  EXPECT_EQ(fields_of(vault::overrides_for(env2, "git", {"git_hub"})), std::vector<std::string>{"user"});
  EXPECT_EQ(fields_of(vault::overrides_for(env2, "git_hub", {"git"})), std::vector<std::string>{"token"});
}

TEST(VaultEnvOverrides, NamesNormaliseAndKeySourcesAreNotOverrides) {
  EXPECT_EQ(vault::provider_env_name("my-provider.v2"), "MY_PROVIDER_V2");
  vault::environment env{{{"COMFYVN_SECRET_MY_PROVIDER_API_KEY", "k"},
                          {"COMFYVN_SECRETS_KEY", "not an override"},
                          {"COMFYVN_SECRET_MY_PROVIDER_", "no field"}}};
  EXPECT_EQ(fields_of(vault::overrides_for(env, "my-provider", {})), std::vector<std::string>{"api_key"});
}

TEST(VaultEnvOverrides, ReplaceTopLevelStringsButNeverBlocks) {
  json::object fields(json::parse(R"({"user":"stored","hosts":{"h":{"user":"u"}},"port":22})").as_object(),
                      vault::secure_storage());
  vault::environment env{{{"COMFYVN_SECRET_REMOTE_INSTALLER_USER", "  ubuntu  "},
                          {"COMFYVN_SECRET_REMOTE_INSTALLER_HOSTS", "x"},
                          {"COMFYVN_SECRET_REMOTE_INSTALLER_PORT", "2222"},
                          {"COMFYVN_SECRET_REMOTE_INSTALLER_IDENTITY", "   "}}};
  auto report = vault::apply_overrides(fields, vault::overrides_for(env, "remote_installer", {}));
  EXPECT_EQ(report.applied, (std::vector<std::string>{"port", "user"}));
  EXPECT_EQ(report.ignored, (std::vector<std::string>{"COMFYVN_SECRET_REMOTE_INSTALLER_HOSTS",
                                                      "COMFYVN_SECRET_REMOTE_INSTALLER_IDENTITY"}));
  EXPECT_EQ(fields.at("user"), "ubuntu");
  EXPECT_EQ(fields.at("port"), "2222");  // overrides are strings, as in the original
  EXPECT_TRUE(fields.at("hosts").is_object());
  EXPECT_FALSE(fields.contains("identity"));
}

}  // namespace
}  // namespace rio::test
