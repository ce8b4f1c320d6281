// Issue 16, point 1: the original's users keep their vault where it lies. A ComfyVN tree has
// config/comfyvn.secrets.json in the original's format (a Fernet envelope with its key file, or
// the specification's plaintext "minimal entry") and its client just sends installs with
// `"secrets": {"provider": "remote_installer"}`. rio used to answer 400 until someone ran
// `rio vault import-legacy`; now the first request migrates the file in place and succeeds.
#include "../http/api_test_support.hpp"

#include <rio/vault/fernet.hpp>
#include <rio/vault/master_key.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fstream>
#include <sstream>

#include <sys/stat.h>

namespace rio::test {
namespace {

namespace json = boost::json;

// A Fernet key as the original's key file holds it: 32 bytes, URL-safe base64, no newline.
constexpr const char* fernet_key_text = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";

std::string read_text(const fs::path& file) {
  std::ifstream in{file, std::ios::binary};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_private(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream{file, std::ios::binary} << text;
  ::chmod(file.c_str(), 0600);
}

// The specification's minimal entry for the throwaway host, with its key as an identity file.
std::string minimal_entry(engine_world& w) {
  json::object host{{"user", w.host().target().user}, {"identity", w.host().user_key().string()}};
  json::object hosts;
  hosts[w.host().target().host] = std::move(host);
  json::object remote{{"hosts", std::move(hosts)}};
  return json::serialize(json::object{{"remote_installer", std::move(remote)}});
}

// The original's envelope (secrets_store.py writes it with indent 2).
std::string fernet_vault(const std::string& plaintext) {
  auto key = vault::master_key::parse(fernet_key_text, "test key");
  auto token = vault::fernet_encrypt(plaintext, key.value(), 1714557600, std::string(16, '\x2a'));
  return "{\n  \"version\": 1,\n  \"algorithm\": \"fernet\",\n  \"ciphertext\": \"" + token.value() +
         "\",\n  \"updated_at\": \"2024-05-01T10:00:00.000000Z\",\n  \"fingerprint\": \"0123456789abcdef\"\n}";
}

std::size_t count_of(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Two installs as the original's client sends them; the first migrates, the second just reads.
void expect_installs_with_the_legacy_vault(engine_world& w) {
  api_server api{w.root(), true, std::nullopt, env_map{}};
  for (int round = 0; round < 2; ++round) {
    auto r = api.post("/api/remote/install", install_body(w, engine_world::spec(w.host()), R"(["ollama"])"));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["status"], round == 0 ? "installed" : "noop") << r.body;
  }
  const fs::path config = w.root() / "config";
  auto envelope = json::parse(read_text(config / "comfyvn.secrets.json")).as_object();
  EXPECT_NE(envelope.at("algorithm"), "fernet");
  EXPECT_EQ(read_text(config / "comfyvn.secrets.json").find("remote_installer"), std::string::npos);
  EXPECT_FALSE(fs::exists(config / "comfyvn.secrets.json.legacy"));
  const std::string audit = read_text(w.root() / "logs" / "security.log");
  EXPECT_EQ(count_of(audit, "\"secrets.upgraded\""), 1u) << audit;
  EXPECT_EQ(audit.find(w.host().user_key().filename().string()), std::string::npos) << "no field values in the audit log";
}

TEST(CompatLegacyVault, TheOriginalsFernetVaultIsReadWhereItLies) {
  REQUIRE_SSHD();
  engine_world w;
  w.add_host();
  const fs::path config = w.root() / "config";
  write_private(config / "comfyvn.secrets.json", fernet_vault(minimal_entry(w)));
  write_private(config / "comfyvn.secrets.key", fernet_key_text);
  expect_installs_with_the_legacy_vault(w);
  // The original's key file still opens the vault: its users keep their key and its backups.
  EXPECT_EQ(read_text(config / "comfyvn.secrets.key"), fernet_key_text);
}

TEST(CompatLegacyVault, TheSpecificationsPlaintextMinimalEntryIsEncryptedInPlace) {
  REQUIRE_SSHD();
  engine_world w;
  w.add_host();
  write_private(w.root() / "config" / "comfyvn.secrets.json", minimal_entry(w));
  expect_installs_with_the_legacy_vault(w);
  EXPECT_TRUE(fs::exists(w.root() / "config" / "comfyvn.secrets.key")) << "a key is created, as the original's upgrade did";
}

TEST(CompatLegacyVault, ThePlaintextVaultInTheRootIsMovedUnderConfig) {
  REQUIRE_SSHD();
  engine_world w;
  w.add_host();
  write_private(w.root() / "comfyvn.secrets.json", minimal_entry(w));
  expect_installs_with_the_legacy_vault(w);
  EXPECT_FALSE(fs::exists(w.root() / "comfyvn.secrets.json")) << "the plaintext is not left behind";
}

TEST(CompatLegacyVault, AFernetVaultWithoutItsKeyNamesTheKeySourcesAndStaysUntouched) {
  temp_dir root;
  const std::string legacy = fernet_vault(R"({"remote_installer": {"defaults": {"user": "ubuntu"}}})");
  write_private(root.path() / "config" / "comfyvn.secrets.json", legacy);
  api_server api{root.path(), true, std::nullopt, env_map{}};
  auto r = api.post("/api/remote/install",
                    R"({"host": "127.0.0.1:1", "modules": ["ollama"], "dry_run": true, "secrets": {"provider": "remote_installer"}})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("COMFYVN_SECRETS_KEY"), std::string::npos) << r.body;
  EXPECT_EQ(read_text(root.path() / "config" / "comfyvn.secrets.json"), legacy);
  EXPECT_FALSE(fs::exists(root.path() / "config" / "comfyvn.secrets.json.legacy"));
}

}  // namespace
}  // namespace rio::test
