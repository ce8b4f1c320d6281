// Importing the Python original's vaults: its Fernet envelope (with the key in its key file or in
// COMFYVN_SECRETS_KEY) and its plaintext JSON, at config/comfyvn.secrets.json or the root-level
// fallback. The legacy copy disappears only after the new vault is durable.
#include <rio/vault/vault.hpp>

#include <rio/vault/fernet.hpp>

#include "vault_test_support.hpp"

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include <sys/stat.h>

namespace rio::test {
namespace {

namespace json = boost::json;
using vault::errc;
using env_map = std::map<std::string, std::string>;

// The original's envelope (secrets_store.py, indent 2).
std::string fernet_envelope(const std::string& token) {
  return "{\n  \"version\": 1,\n  \"algorithm\": \"fernet\",\n  \"ciphertext\": \"" + token +
         "\",\n  \"updated_at\": \"2024-05-01T10:00:00.000000Z\",\n  \"fingerprint\": \"905f28def18eaac0\"\n}";
}

std::filesystem::path write_private(const temp_dir& root, const std::string& relative, const std::string& text) {
  auto file = root.write(relative, text);
  ::chmod(file.c_str(), 0600);
  return file;
}

void expect_python_payload(const std::filesystem::path& root, const env_map& env) {
  vault::vault v{options_for(root, env)};
  auto remote = v.get("remote_installer");
  ASSERT_TRUE(remote) << remote.error().message;
  EXPECT_EQ(remote->fields.at("token"), "py-legacy-s3cret");
  EXPECT_EQ(remote->fields.at("hosts").at("gpu.lab.local").at("user"), "ubuntu");
  EXPECT_EQ(remote->fields.at("defaults").at("port"), 22);
  auto openai = v.get("openai");
  ASSERT_TRUE(openai);
  EXPECT_EQ(openai->fields.at("api_key"), "sk-legacy");
}

TEST(VaultLegacyImport, FernetVaultWithItsKeyFile) {
  temp_dir root;
  root.write("config/comfyvn.secrets.json", fernet_envelope(python_token));
  write_private(root, "config/comfyvn.secrets.key", python_key);
  vault::vault v{options_for(root.path())};
  auto r = v.import_legacy();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->format, "fernet");
  EXPECT_EQ(r->source, v.paths().vault_file);
  EXPECT_EQ(r->providers, (std::vector<std::string>{"openai", "remote_installer"}));
  EXPECT_FALSE(r->key_generated);
  EXPECT_TRUE(r->removed.empty());  // replaced in place by the rename
  const std::string text = read_file(v.paths().vault_file);
  EXPECT_NE(text.find("xchacha20poly1305-ietf"), std::string::npos);
  EXPECT_EQ(text.find(python_token), std::string::npos);
  EXPECT_EQ(read_file(v.paths().key_file), python_key);  // the operator's key keeps working
  expect_python_payload(root.path(), {});
  auto lines = audit_lines(root.path());
  auto imported = std::find_if(lines.begin(), lines.end(), [](auto& l) { return l.at("event") == "secrets.imported"; });
  ASSERT_NE(imported, lines.end());
  EXPECT_EQ(imported->at("format"), "fernet");
}

TEST(VaultLegacyImport, FernetVaultWithTheKeyInTheEnvironment) {
  temp_dir root;
  root.write("config/comfyvn.secrets.json", fernet_envelope(python_token));
  const env_map env{{"COMFYVN_SECRETS_KEY", python_key}};
  auto r = vault::vault{options_for(root.path(), env)}.import_legacy();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(std::filesystem::exists(root.path() / "config" / "comfyvn.secrets.key"));
  expect_python_payload(root.path(), env);
}

TEST(VaultLegacyImport, RootLevelFernetVaultAndKeyAreRemovedAfterTheImport) {
  temp_dir root;
  auto legacy = root.write("comfyvn.secrets.json", fernet_envelope(python_token));
  auto legacy_key = write_private(root, "comfyvn.secrets.key", python_key);
  auto r = vault::vault{options_for(root.path())}.import_legacy();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->key_generated);
  EXPECT_EQ(r->removed, (std::vector<std::filesystem::path>{legacy, legacy_key}));
  EXPECT_FALSE(std::filesystem::exists(legacy));
  EXPECT_FALSE(std::filesystem::exists(legacy_key));
  expect_python_payload(root.path(), {});
}

TEST(VaultLegacyImport, PlaintextVaultIsEncryptedAndThePlaintextRemoved) {
  temp_dir root;
  auto legacy = root.write("comfyvn.secrets.json", python_plaintext);
  ::chmod(legacy.c_str(), 0644);  // the original left this world-readable
  auto r = vault::vault{options_for(root.path())}.import_legacy();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->format, "plaintext");
  EXPECT_FALSE(std::filesystem::exists(legacy));
  for (const auto& [name, bytes] : snapshot(root.path())) EXPECT_EQ(bytes.find("py-legacy-s3cret"), std::string::npos) << name;
  expect_python_payload(root.path(), {});
}

TEST(VaultLegacyImport, ConflictsChangeNothingUnlessOverwriting) {
  temp_dir root;
  vault::vault v{options_for(root.path())};
  ASSERT_TRUE(v.set("openai", {"api_key"}, json::value("sk-new")));
  root.write("comfyvn.secrets.json", python_plaintext);
  const auto before = snapshot(root.path() / "config");
  auto r = v.import_legacy();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, vault::make_error_code(errc::conflict));
  EXPECT_NE(r.error().message.find("openai"), std::string::npos);
  EXPECT_EQ(r.error().message.find("sk-"), std::string::npos);
  EXPECT_EQ(snapshot(root.path() / "config"), before);
  EXPECT_TRUE(std::filesystem::exists(root.path() / "comfyvn.secrets.json"));
  vault::import_options overwrite;
  overwrite.overwrite = true;
  ASSERT_TRUE(v.import_legacy(overwrite));
  expect_python_payload(root.path(), {});
}

TEST(VaultLegacyImport, WrongKeyOrUnsafeKeyFileLeavesEverythingInPlace) {
  temp_dir root;
  root.write("config/comfyvn.secrets.json", fernet_envelope(python_token));
  auto key = write_private(root, "config/comfyvn.secrets.key", other_key_hex);
  root.write("config/comfyvn.secrets.lock", "");  // the lock file is the one file an attempt may create
  const auto before = snapshot(root.path() / "config");
  vault::vault v{options_for(root.path())};
  auto wrong = v.import_legacy();
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, vault::make_error_code(errc::decrypt_failed));
  EXPECT_NE(wrong.error().message.find("comfyvn.secrets.json"), std::string::npos);
  EXPECT_EQ(audit_lines(root.path()).back().at("event"), "secrets.decrypt.failed");
  ::chmod(key.c_str(), 0644);
  auto unsafe = v.import_legacy();
  ASSERT_FALSE(unsafe);
  EXPECT_EQ(unsafe.error().code, vault::make_error_code(errc::unsafe_key_file));
  ::chmod(key.c_str(), 0600);
  EXPECT_EQ(snapshot(root.path() / "config"), before);
  EXPECT_EQ(v.import_legacy().error().code, vault::make_error_code(errc::decrypt_failed));
  vault::import_options explicit_key;
  explicit_key.legacy_key_file = write_private(root, "elsewhere.key", python_key);
  EXPECT_TRUE(v.import_legacy(explicit_key));
}

using crash_check = std::function<void(const temp_dir& root, std::size_t n, const std::vector<std::string>& steps)>;

// Runs `op` once to record the vault's file steps, then once per step in a forked child that
// dies just before it (fork + _exit, like a kill), and hands each crashed tree to `after`.
void crash_before_every_step(const std::function<void(const temp_dir&)>& setup,
                             const std::function<bool(vault::vault&)>& op, const crash_check& after) {
  std::vector<std::string> steps;
  {
    temp_dir root;
    setup(root);
    auto options = options_for(root.path());
    options.fault = recording_hook(steps);
    vault::vault v{std::move(options)};
    ASSERT_TRUE(op(v));
  }
  ASSERT_GE(steps.size(), 5u);
  for (std::size_t n = 0; n < steps.size(); ++n) {
    SCOPED_TRACE("crash before step " + std::to_string(n) + " " + steps[n]);
    temp_dir root;
    setup(root);
    int code = run_in_child([&] {
      auto options = options_for(root.path());
      options.fault = crash_at(n);
      vault::vault v{std::move(options)};
      return op(v) ? 0 : 1;
    });
    ASSERT_EQ(code, crash_exit_code);
    after(root, n, steps);
  }
}

// Crash before every step of both import shapes; a rerun must finish the job and lose nothing.
void crash_every_step(const std::function<void(const temp_dir&)>& setup) {
  crash_before_every_step(setup, [](vault::vault& v) { return v.import_legacy().has_value(); },
                          [](const temp_dir& root, std::size_t, const std::vector<std::string>&) {
                            vault::vault v{options_for(root.path())};
                            auto rerun = v.import_legacy();
                            if (!rerun) {
                              EXPECT_EQ(rerun.error().code, vault::make_error_code(errc::not_found)) << rerun.error().message;
                            }
                            expect_python_payload(root.path(), {});
                            EXPECT_FALSE(std::filesystem::exists(root.path() / "comfyvn.secrets.json"));
                          });
}

TEST(VaultLegacyImport, RootPlaintextImportSurvivesACrashAtEveryStep) {
  crash_every_step([](const temp_dir& root) { root.write("comfyvn.secrets.json", python_plaintext); });
}

TEST(VaultLegacyImport, FernetImportSurvivesACrashAtEveryStep) {
  crash_every_step([](const temp_dir& root) {
    root.write("config/comfyvn.secrets.json", fernet_envelope(python_token));
    write_private(root, "config/comfyvn.secrets.key", python_key);
  });
}

}  // namespace
}  // namespace rio::test

namespace rio::test {
namespace {

namespace json = boost::json;
using vault::errc;

// The original's envelope, as its secrets_store.py writes it (see fernet_envelope above).
std::string original_envelope() {
  return "{\n  \"version\": 1,\n  \"algorithm\": \"fernet\",\n  \"ciphertext\": \"" + std::string{python_token} +
         "\",\n  \"updated_at\": \"2024-05-01T10:00:00.000000Z\",\n  \"fingerprint\": \"905f28def18eaac0\"\n}";
}

void write_original_fernet_vault(const temp_dir& root) {
  root.write("config/comfyvn.secrets.json", original_envelope());
  auto key = root.write("config/comfyvn.secrets.key", python_key);
  ::chmod(key.c_str(), 0600);
}

bool holds_the_original(const std::filesystem::path& root) {
  for (const auto* name : {"config/comfyvn.secrets.json", "config/comfyvn.secrets.json.legacy"}) {
    std::ifstream in{root / name};
    std::string text{std::istreambuf_iterator<char>{in}, {}};
    if (text == original_envelope()) return true;
  }
  return false;
}

// Issue 16, point 1: the first read migrates the original's vault in place, without an import.
TEST(VaultLegacyInPlace, TheFirstReadMigratesTheOriginalsFernetVault) {
  temp_dir root;
  write_original_fernet_vault(root);
  expect_python_payload(root.path(), {});
  std::ifstream in{root.path() / "config/comfyvn.secrets.json"};
  auto envelope = json::parse(std::string{std::istreambuf_iterator<char>{in}, {}}).as_object();
  EXPECT_NE(envelope.at("algorithm"), "fernet");
  EXPECT_FALSE(std::filesystem::exists(root.path() / "config/comfyvn.secrets.json.legacy"));
}

// A crash before any step of the automatic migration: the original's file is still there (as the
// vault file or its second name) unless the new vault was already read back, and the next read
// opens everything.
TEST(VaultLegacyInPlace, ACrashAtEveryStepOfTheMigrationLosesNothing) {
  crash_before_every_step(write_original_fernet_vault,
                          [](vault::vault& v) { return v.get("remote_installer").has_value(); },
                          [](const temp_dir& root, std::size_t n, const std::vector<std::string>& steps) {
                            const auto verified = std::find(steps.begin(), steps.end(), "import.verify");
                            ASSERT_NE(verified, steps.end());
                            if (n <= static_cast<std::size_t>(verified - steps.begin())) {
                              EXPECT_TRUE(holds_the_original(root.path()));
                            }
                            expect_python_payload(root.path(), {});
                            EXPECT_FALSE(std::filesystem::exists(root.path() / "config/comfyvn.secrets.json.legacy"));
                          });
}

// A new vault that does not read back as written never replaces the original's file.
TEST(VaultLegacyInPlace, AVaultThatDoesNotReadBackPutsTheOriginalBack) {
  temp_dir root;
  write_original_fernet_vault(root);
  auto options = options_for(root.path());
  options.fault = [&](std::string_view step) {
    if (step == "import.verify") root.write("config/comfyvn.secrets.json", "{\"version\": 1, \"ciphertext\": \"AAAA\"}");
  };
  auto read = vault::vault{std::move(options)}.get("remote_installer");
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, vault::make_error_code(errc::corrupt_file));
  EXPECT_NE(read.error().message.find("did not read back"), std::string::npos) << read.error().message;
  EXPECT_NE(read.error().message.find("back in place"), std::string::npos) << read.error().message;
  std::ifstream in{root.path() / "config/comfyvn.secrets.json"};
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>{in}, {}), original_envelope());
  expect_python_payload(root.path(), {});  // and the next read migrates it
}

// A rio vault is never merged with a root-level file the original would not read either.
TEST(VaultLegacyInPlace, ARootLevelFileBesideARioVaultIsLeftAlone) {
  temp_dir root;
  vault::vault v{options_for(root.path())};
  ASSERT_TRUE(v.init());
  ASSERT_TRUE(v.set("openai", {"api_key"}, json::value("sk-rio")));
  root.write("comfyvn.secrets.json", python_plaintext);
  auto openai = v.get("openai");
  ASSERT_TRUE(openai) << openai.error().message;
  EXPECT_EQ(openai->fields.at("api_key"), "sk-rio");
  EXPECT_FALSE(v.get("remote_installer")->present);
  EXPECT_TRUE(std::filesystem::exists(root.path() / "comfyvn.secrets.json"));
}

}  // namespace
}  // namespace rio::test
