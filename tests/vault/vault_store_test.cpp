#include <rio/vault/vault.hpp>

#include "vault_test_support.hpp"

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include <sys/stat.h>

namespace rio::test {
namespace {

namespace json = boost::json;
using vault::errc;

TEST(VaultStore, InitCreatesAPrivateKeyFileAndAnEmptyVault) {
  temp_dir root;
  vault::vault v{options_for(root.path())};
  auto r = v.init();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->created);
  EXPECT_TRUE(r->key_generated);
  EXPECT_EQ(r->source, vault::key_source::key_file);
  EXPECT_EQ(mode_of(v.paths().key_file), 0600u);
  EXPECT_EQ(mode_of(v.paths().vault_file), 0600u);
  EXPECT_EQ(mode_of(v.paths().config_dir), 0700u);
  auto again = v.init();
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->fingerprint, r->fingerprint);
  auto text = read_file(v.paths().vault_file);
  auto envelope = json::parse(text).as_object();
  for (const char* field : {"version", "algorithm", "nonce", "ciphertext", "fingerprint", "updated_at"}) {
    EXPECT_TRUE(envelope.contains(field)) << field;
  }
  EXPECT_EQ(envelope.at("algorithm"), "xchacha20poly1305-ietf");
}

TEST(VaultStore, SetGetUnsetRoundTrip) {
  temp_dir root;
  vault::vault v{options_for(root.path())};
  ASSERT_TRUE(v.set("remote_installer", {"hosts", "gpu.lab.local", "user"}, json::value("ubuntu")));
  ASSERT_TRUE(v.set("remote_installer", {"defaults", "port"}, json::value(22)));
  ASSERT_TRUE(v.set("openai", {"api_key"}, json::value("sk-1")));
  // A second vault object (another process, in effect) sees everything.
  vault::vault other{options_for(root.path())};
  auto view = other.get("REMOTE_INSTALLER");  // provider names match case-insensitively
  ASSERT_TRUE(view) << view.error().message;
  EXPECT_EQ(view->provider, "remote_installer");
  EXPECT_TRUE(view->present);
  EXPECT_EQ(view->stored_keys, (std::vector<std::string>{"defaults", "hosts"}));
  EXPECT_EQ(view->fields.at("hosts").at("gpu.lab.local").at("user"), "ubuntu");
  ASSERT_TRUE(other.unset("remote_installer", {"hosts", "gpu.lab.local", "user"}));
  EXPECT_EQ(other.unset("remote_installer", {"hosts", "nope"}).error().code, vault::make_error_code(errc::not_found));
  ASSERT_TRUE(other.unset("openai", {}));
  auto listing = v.list();
  ASSERT_TRUE(listing);
  ASSERT_EQ(listing->providers.size(), 1u);
  EXPECT_EQ(listing->providers[0].provider, "remote_installer");
  auto bad = v.set("remote_installer", {"defaults", "port", "deeper"}, json::value(1));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, vault::make_error_code(errc::invalid_argument));
  EXPECT_FALSE(v.set("bad name!", {"x"}, json::value(1)));
}

TEST(VaultStore, MissingVaultReadsAsEmptyWithoutAKey) {
  temp_dir root;
  vault::vault v{options_for(root.path())};
  auto view = v.get("remote_installer");
  ASSERT_TRUE(view) << view.error().message;
  EXPECT_FALSE(view->present);
  EXPECT_FALSE(std::filesystem::exists(v.paths().key_file));
}

TEST(VaultStore, EnvKeyWinsAndNoKeyFileIsWritten) {
  temp_dir root;
  vault::vault v{options_for(root.path(), {{"COMFYVN_SECRETS_KEY", test_key_hex}})};
  ASSERT_TRUE(v.set("p", {"token"}, json::value("t")));
  EXPECT_FALSE(std::filesystem::exists(v.paths().key_file));
  vault::vault wrong{options_for(root.path(), {{"COMFYVN_SECRETS_KEY", other_key_hex}})};
  auto r = wrong.get("p");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, vault::make_error_code(errc::wrong_key));
  EXPECT_NE(r.error().message.find("COMFYVN_SECRETS_KEY has"), std::string::npos);
  vault::vault none{options_for(root.path())};
  auto n = none.get("p");
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().code, vault::make_error_code(errc::no_key));
}

TEST(VaultStore, GroupOrWorldReadableKeyFileIsRefused) {
  temp_dir root;
  vault::vault v{options_for(root.path())};
  ASSERT_TRUE(v.init());
  for (mode_t mode : {0640, 0604, 0660}) {
    ASSERT_EQ(::chmod(v.paths().key_file.c_str(), mode), 0);
    auto r = v.get("p");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, vault::make_error_code(errc::unsafe_key_file));
    EXPECT_NE(r.error().message.find("chmod 600"), std::string::npos);
    EXPECT_NE(r.error().message.find(v.paths().key_file.string()), std::string::npos);
    EXPECT_FALSE(v.set("p", {"x"}, json::value(1)));
  }
  ASSERT_EQ(::chmod(v.paths().key_file.c_str(), 0600), 0);
  EXPECT_TRUE(v.get("p"));
}

TEST(VaultStore, PassphraseVaultStoresItsSaltAndNeedsThePassphrase) {
  temp_dir root;
  vault::vault v{options_for(root.path(), {{"COMFYVN_SECRETS_PASSPHRASE", "correct horse battery"}})};
  ASSERT_TRUE(v.set("p", {"token"}, json::value("t")));
  EXPECT_FALSE(std::filesystem::exists(v.paths().key_file));
  auto envelope = json::parse(read_file(v.paths().vault_file)).as_object();
  ASSERT_TRUE(envelope.contains("kdf"));
  EXPECT_EQ(envelope.at("kdf").at("algorithm"), "argon2id13");
  vault::vault again{options_for(root.path(), {{"COMFYVN_SECRETS_PASSPHRASE", "correct horse battery"}})};
  auto view = again.get("p");
  ASSERT_TRUE(view) << view.error().message;
  EXPECT_EQ(view->fields.at("token"), "t");
  vault::vault wrong{options_for(root.path(), {{"COMFYVN_SECRETS_PASSPHRASE", "Tr0ub4dor"}})};
  EXPECT_EQ(wrong.get("p").error().code, vault::make_error_code(errc::wrong_key));
}

TEST(VaultAudit, ReadsFireTheHookAndEveryOperationLogsNamesOnly) {
  temp_dir root;
  recording_listener listener;
  vault::vault v{options_for(root.path(), {{"COMFYVN_SECRET_REMOTE_INSTALLER_USER", "env-user"}}, &listener)};
  ASSERT_TRUE(v.set("remote_installer", {"token"}, json::value("VALUE-1")));
  auto view = v.get("remote_installer");
  ASSERT_TRUE(view);
  EXPECT_EQ(view->override_keys, std::vector<std::string>{"user"});
  ASSERT_EQ(listener.events.size(), 1u);
  const auto& e = listener.events[0];
  EXPECT_EQ(e.name, "on_security_secret_read");
  EXPECT_EQ(e.metadata.at("provider"), "remote_installer");
  EXPECT_EQ(e.metadata.at("keys"), json::parse(R"(["token","user"])"));
  EXPECT_EQ(e.metadata.at("overrides"), json::parse(R"(["user"])"));
  EXPECT_EQ(e.metadata.at("present"), true);
  EXPECT_EQ(e.metadata.at("fingerprint"), json::value(view->fingerprint));
  EXPECT_TRUE(e.metadata.contains("timestamp"));

  auto lines = audit_lines(root.path());
  std::vector<std::string> events;
  for (const auto& l : lines) events.emplace_back(l.at("event").as_string());
  EXPECT_EQ(events, (std::vector<std::string>{"secrets.key.generated", "secrets.write", "secrets.read"}));
  const auto& read = lines.back();
  EXPECT_EQ(std::string{read.begin()->key()}, "event");
  EXPECT_EQ(std::string{std::next(read.begin())->key()}, "timestamp");
  for (const char* field : {"provider", "keys", "overrides", "present", "fingerprint"}) {
    EXPECT_TRUE(read.contains(field)) << field;
  }
  EXPECT_EQ(mode_of(root.path() / "logs" / "security.log"), 0600u);
  const std::string log = read_file(root.path() / "logs" / "security.log");
  EXPECT_EQ(log.find("VALUE-1"), std::string::npos);
  EXPECT_EQ(log.find("env-user"), std::string::npos);
}

TEST(VaultAudit, ThrowingListenerDoesNotFailTheRead) {
  struct throwing final : vault::event_listener {
    void on_event(std::string_view, const json::object&) override { throw std::runtime_error("subscriber bug"); }
  } listener;
  temp_dir root;
  vault::vault v{options_for(root.path(), {}, &listener)};
  EXPECT_TRUE(v.get("x"));
}

TEST(VaultAudit, ReadsFailClosedWhenTheLogCannotBeWritten) {
  temp_dir root;
  std::filesystem::create_directories(root.path() / "logs" / "security.log");  // a directory: cannot append
  vault::vault v{options_for(root.path())};
  auto r = v.get("x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, vault::make_error_code(errc::audit_failed));
}

TEST(VaultStore, SshCredentialsForMergesStoredEnvAndRequest) {
  temp_dir root;
  vault::vault v{options_for(root.path(), {{"COMFYVN_SECRET_REMOTE_INSTALLER_USER", "env-user"}})};
  ASSERT_TRUE(v.put_provider("remote_installer", json::parse(R"({"defaults":{"port":22},
      "hosts":{"gpu.lab.local":{"user":"ubuntu","identity":"~/.ssh/gpu_lab"}},"passphrase":"pw"})").as_object()));
  auto creds = v.ssh_credentials_for({"remote_installer", ""}, "gpu.lab.local", json::parse(R"({"port":2222})").as_object());
  ASSERT_TRUE(creds) << creds.error().message;
  EXPECT_EQ(creds->user, "env-user");  // the env override beats per-host values (the specification's rule)
  EXPECT_EQ(creds->port, 2222);
  EXPECT_EQ(creds->identity, "~/.ssh/gpu_lab");
  EXPECT_EQ(creds->passphrase.reveal(), "pw");
  auto elsewhere = v.ssh_credentials_for({"remote_installer", ""}, "other", {});
  ASSERT_TRUE(elsewhere);
  EXPECT_EQ(elsewhere->user, "env-user");
  auto bad = v.ssh_credentials_for({"", ""}, "h", json::parse(R"({"port":0})").as_object());
  EXPECT_EQ(bad.error().code, vault::make_error_code(errc::invalid_field));
}

}  // namespace
}  // namespace rio::test
