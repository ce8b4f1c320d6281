#include <rio/vault/connection_fields.hpp>
#include <rio/vault/ssh_credentials.hpp>

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

namespace rio::test {
namespace {

namespace json = boost::json;

json::object obj(std::string_view text) { return json::parse(text).as_object(); }

TEST(VaultConnectionFields, MergeOrderIsDefaultsGlobalHostThenRequest) {
  auto provider = obj(R"({
    "defaults": {"port": 22, "user": "default-user", "connect_timeout": 5},
    "user": "global-user",
    "identity": "~/.ssh/global",
    "hosts": {"gpu": {"user": "host-user"}, "default": {"user": "fallback"}},
    "gpu.lab": {"port": 2222}
  })");
  auto merged = vault::merge_connection_fields(provider, "gpu", "gpu.lab", obj(R"({"identity":"~/.ssh/req","probe":true})"));
  EXPECT_EQ(merged.at("user"), "host-user");          // host block beats the global value
  EXPECT_EQ(merged.at("port"), 2222);                 // flat provider[host] beats defaults
  EXPECT_EQ(merged.at("identity"), "~/.ssh/req");     // the request's ssh block wins
  EXPECT_EQ(merged.at("connect_timeout"), 5);
  EXPECT_FALSE(merged.contains("probe"));             // request-steering keys are removed
  EXPECT_FALSE(merged.contains("hosts"));
}

// The specification: COMFYVN_SECRET_REMOTE_INSTALLER_<FIELD> overrides fields at runtime, per-host
// values included (as in the original); only the request's own ssh block beats it.
TEST(VaultConnectionFields, AnEnvironmentOverrideBeatsEveryStoredValue) {
  // As vault::get returns it after COMFYVN_SECRET_REMOTE_INSTALLER_USER=env-user replaced "user".
  auto provider = obj(R"({"user":"env-user","hosts":{"gpu":{"user":"host-user"}},"gpu2":{"user":"flat-user"}})");
  const std::vector<std::string> from_env{"user"};
  EXPECT_EQ(vault::merge_connection_fields(provider, "gpu", "gpu", {}, from_env).at("user"), "env-user");
  EXPECT_EQ(vault::merge_connection_fields(provider, "gpu2", "gpu2", {}, from_env).at("user"), "env-user");
  EXPECT_EQ(vault::merge_connection_fields(provider, "other", "other", {}, from_env).at("user"), "env-user");
  EXPECT_EQ(vault::merge_connection_fields(provider, "gpu", "gpu", obj(R"({"user":"req-user"})"), from_env).at("user"), "req-user");
}

// A top-level value stored in the vault (not from the environment) is a provider-wide default
// that a host block refines (the original let it beat every host: a deliberate difference).
TEST(VaultConnectionFields, AStoredTopLevelValueIsADefaultForHosts) {
  auto provider = obj(R"({"user":"global-user","hosts":{"gpu":{"user":"host-user"}}})");
  EXPECT_EQ(vault::merge_connection_fields(provider, "gpu", "gpu", {}).at("user"), "host-user");
  EXPECT_EQ(vault::merge_connection_fields(provider, "other", "other", {}).at("user"), "global-user");
  // An override name that is not a connection field changes nothing here.
  EXPECT_EQ(vault::merge_connection_fields(provider, "gpu", "gpu", {}, std::vector<std::string>{"api_key"}).at("user"), "host-user");
}

TEST(VaultConnectionFields, HostBlockLookupAndNulls) {
  auto provider = obj(R"({"hosts":{"entry":{"user":"by-entry"},"h":{"user":"by-host"},"default":{"user":"d"}},
                          "defaults":{"port":22}})");
  EXPECT_EQ(vault::merge_connection_fields(provider, "entry", "h", {}).at("user"), "by-entry");
  EXPECT_EQ(vault::merge_connection_fields(provider, "", "h", {}).at("user"), "by-host");
  EXPECT_EQ(vault::merge_connection_fields(provider, "x", "y", {}).at("user"), "d");
  // A null in the request does not erase the stored value.
  EXPECT_EQ(vault::merge_connection_fields(provider, "x", "y", obj(R"({"port":null})")).at("port"), 22);
}

TEST(VaultSshCredentials, ExtractsTypedFields) {
  auto creds = vault::extract_ssh_credentials(obj(R"({"username":"ubuntu","port":"2222","identity_file":"~/.ssh/k",
      "private_key":"-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n",
      "passphrase":"pw","connect_timeout":2.5,"ssh_command":"ignored"})"));
  ASSERT_TRUE(creds) << creds.error().message;
  EXPECT_EQ(creds->user, "ubuntu");
  EXPECT_EQ(creds->port, 2222);
  EXPECT_EQ(creds->identity, "~/.ssh/k");
  EXPECT_TRUE(creds->private_key.reveal().starts_with("-----BEGIN OPENSSH"));
  EXPECT_EQ(creds->passphrase.reveal(), "pw");
  EXPECT_EQ(creds->connect_timeout, std::chrono::milliseconds{2500});
  auto empty = vault::extract_ssh_credentials({});
  ASSERT_TRUE(empty);
  EXPECT_FALSE(empty->user || empty->port || empty->identity);
}

TEST(VaultSshCredentials, ValidationNamesTheFieldNotTheValue) {
  const char* bad[] = {
      R"({"port":0})",          R"({"port":65536})",        R"({"port":"22x"})",      R"({"port":22.5})",
      R"({"user":"-oProxyCommand=sh"})", R"({"user":"a b"})", R"({"user":""})",       R"({"user":7})",
      R"({"identity":""})",     R"({"private_key":"SEKRIT-NOT-PEM"})", R"({"connect_timeout":0})",
      R"({"connect_timeout":"soon"})", R"({"passphrase":5})"};
  for (const char* text : bad) {
    auto creds = vault::extract_ssh_credentials(obj(text));
    ASSERT_FALSE(creds) << text;
    EXPECT_EQ(creds.error().code, vault::make_error_code(vault::errc::invalid_field));
    EXPECT_NE(creds.error().message.find("connection field '"), std::string::npos);
    EXPECT_EQ(creds.error().message.find("SEKRIT"), std::string::npos);
    EXPECT_EQ(creds.error().message.find("ProxyCommand"), std::string::npos);
  }
  EXPECT_TRUE(vault::valid_ssh_user("deploy_1.x-y"));
  EXPECT_TRUE(vault::valid_ssh_user("machine$"));
  EXPECT_FALSE(vault::valid_ssh_user("1abc"));
  EXPECT_FALSE(vault::valid_ssh_user(std::string(33, 'a')));
}

}  // namespace
}  // namespace rio::test
