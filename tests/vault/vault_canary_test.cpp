// The canary: secret values planted in the vault must never show up in the audit log, in any
// file under the root (other than inside the ciphertext), in event metadata, in error messages,
// or in CLI output, except `get --show-values`, which exists to show them. The full-run canary
// (status manifests, install logs) needs the run engine and lands with it.
#include <rio/kernel/cli.hpp>
#include <rio/vault/vault.hpp>

#include "cli_runner.hpp"
#include "vault_test_support.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

#include <sstream>

namespace rio::test {
namespace {

namespace json = boost::json;

constexpr const char* canary = "CANARY-7f3a9c1e";
const std::string pem = std::string{"-----BEGIN OPENSSH PRIVATE KEY-----\n"} + canary + "-key\n-----END OPENSSH PRIVATE KEY-----\n";

struct transcript {
  std::string text;
  void add(const std::string& s) { text += s + "\n"; }
  void add(const sdk::error& e) { add(e.message + " " + e.describe()); }
};

std::pair<int, std::string> cli(const std::vector<std::string>& args, const env_map& env) {
  auto r = run_cli(args, env);
  return {r.code, r.out + r.err};
}

TEST(VaultCanary, PlantedSecretNeverLeaks) {
  temp_dir root;
  recording_listener listener;
  transcript seen;
  const std::map<std::string, std::string> env{{"COMFYVN_SECRET_REMOTE_INSTALLER_TOKEN", std::string{canary} + "-env"}};
  auto r = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--root", root.path().string()});
    auto [code, text] = cli(args, env);
    seen.add(text);
    return code;
  };

  // Planted through the API and through the CLI.
  {
    vault::vault v{options_for(root.path(), env, &listener)};
    ASSERT_TRUE(v.set("remote_installer", {"hosts", "gpu", "private_key"}, json::value(pem)));
    ASSERT_TRUE(v.set("remote_installer", {"hosts", "gpu", "passphrase"}, json::value(std::string{canary} + "-pass")));
    ASSERT_TRUE(v.set("remote_installer", {"hosts", "gpu", "user"}, json::value("ubuntu")));
  }
  auto file = root.write("canary-value", std::string{canary} + "-cli\n");
  ASSERT_EQ(r({"vault", "set", "openai", "api_key", "--value-file", file.string()}), 0);
  std::filesystem::remove(file);

  // Reads, listings, rotation, credential extraction and its failures.
  EXPECT_EQ(r({"vault", "get", "remote_installer"}), 0);
  EXPECT_EQ(r({"vault", "get", "remote_installer", "--json"}), 0);
  EXPECT_EQ(r({"vault", "get", "openai"}), 0);
  EXPECT_EQ(r({"vault", "list"}), 0);
  EXPECT_EQ(r({"vault", "list", "--json"}), 0);
  EXPECT_EQ(r({"vault", "rotate"}), 0);
  {
    vault::vault v{options_for(root.path(), env, &listener)};
    auto creds = v.ssh_credentials_for({"remote_installer", "gpu"}, "gpu.lab", {});
    ASSERT_TRUE(creds) << creds.error().message;
    EXPECT_NE(creds->private_key.reveal().find(canary), std::string::npos);
    auto bad = v.ssh_credentials_for({"remote_installer", "gpu"}, "gpu.lab",
                                     json::parse(R"({"user":"-CANARY-7f3a9c1e-user"})").as_object());
    ASSERT_FALSE(bad);
    seen.add(bad.error());
    auto bad_key = v.ssh_credentials_for({"remote_installer", "gpu"}, "gpu.lab",
                                         json::parse(R"({"private_key":"CANARY-7f3a9c1e-notpem"})").as_object());
    ASSERT_FALSE(bad_key);
    seen.add(bad_key.error());
    ASSERT_TRUE(v.rotate());
  }
  // Failures: a wrong key and a tampered vault.
  {
    vault::vault wrong{options_for(root.path(), {{"COMFYVN_SECRETS_KEY", std::string{canary}}})};
    seen.add(wrong.get("remote_installer").error());
    auto text = read_file(root.path() / "config" / "comfyvn.secrets.json");
    auto tampered = text;
    auto pos = tampered.find("\"ciphertext\": \"") + 20;
    tampered[pos] = tampered[pos] == 'A' ? 'B' : 'A';
    root.write("config/comfyvn.secrets.json", tampered);
    vault::vault v{options_for(root.path(), env)};
    seen.add(v.get("remote_installer").error());
    EXPECT_EQ(r({"vault", "get", "remote_installer"}), 1);
    root.write("config/comfyvn.secrets.json", text);
  }
  // A legacy plaintext import carrying another canary.
  {
    std::filesystem::remove_all(root.path() / "config");
    root.write("comfyvn.secrets.json", std::string{R"({"legacy":{"token":")"} + canary + R"(-legacy"}})");
    EXPECT_EQ(r({"vault", "import-legacy"}), 0);
  }

  EXPECT_EQ(seen.text.find(canary), std::string::npos) << seen.text;
  for (const auto& e : listener.events) {
    EXPECT_EQ(json::serialize(e.metadata).find(canary), std::string::npos) << e.name;
  }
  EXPECT_FALSE(listener.events.empty());
  for (const auto& [name, bytes] : snapshot(root.path())) {
    EXPECT_EQ(bytes.find(canary), std::string::npos) << name;
  }
  EXPECT_FALSE(read_file(root.path() / "logs" / "security.log").empty());

  // The one place values may appear, proving the canary is detectable at all.
  auto [code, shown] = cli({"--root", root.path().string(), "vault", "get", "legacy", "--show-values"}, env);
  EXPECT_EQ(code, 0);
  EXPECT_NE(shown.find(canary), std::string::npos);
}

}  // namespace
}  // namespace rio::test
