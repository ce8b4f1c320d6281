// Security regressions (issue 26, points 11 and 12): symbolic links where the vault expects its
// own files. `rio vault import-legacy` through a linked legacy file said "removed legacy file"
// and left the world-readable plaintext at the link's target; a linked key file was used as the
// vault key, whoever controls the link choosing it. Both are refused now, naming the link.
#include <rio/vault/vault.hpp>

#include "cli_runner.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

namespace rio::test {
namespace {

namespace fs = std::filesystem;
using vault::errc;

constexpr const char* legacy_plaintext = R"({"remote_installer": {"token": "legacy-plain-s3cret"}})";
constexpr const char* key_hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

vault::vault_options options_for(const fs::path& root, const std::map<std::string, std::string>& env = {}) {
  vault::vault_options o;
  o.root = root;
  o.env = vault::environment{env};
  o.kdf = vault::kdf_params::minimum();
  return o;
}

// The plaintext lies elsewhere, world-readable (as the original left it); the legacy path is a
// link to it.
struct linked_legacy {
  temp_dir root;
  temp_dir elsewhere;
  fs::path target = elsewhere.write("old-secrets.json", legacy_plaintext);
  fs::path link = root.path() / "comfyvn.secrets.json";
  linked_legacy() {
    ::chmod(target.c_str(), 0644);
    fs::create_symlink(target, link);
  }
};

TEST(SecurityVaultLinks, ImportLegacyRefusesALinkedLegacyFileAndLeavesBothInPlace) {
  linked_legacy w;
  vault::vault v{options_for(w.root.path(), {{"COMFYVN_SECRETS_KEY", key_hex}})};
  auto r = v.import_legacy();
  ASSERT_FALSE(r) << "imported through a link; removed: " << (r->removed.empty() ? "" : r->removed.front().string());
  EXPECT_EQ(r.error().code, vault::make_error_code(errc::invalid_argument));
  // Says which: the link and where it points.
  EXPECT_NE(r.error().message.find(w.link.string()), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find(w.target.string()), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("legacy-plain-s3cret"), std::string::npos);
  EXPECT_TRUE(fs::is_symlink(w.link));
  EXPECT_EQ(read_file(w.target), legacy_plaintext);

  // The way out the message names: import the file itself, which is then removed.
  vault::import_options from;
  from.from = w.target;
  auto direct = v.import_legacy(from);
  ASSERT_TRUE(direct) << direct.error().message;
  EXPECT_FALSE(fs::exists(w.target)) << "the plaintext outlived its import";
}

TEST(SecurityVaultLinks, TheCliNeverSaysItRemovedWhatItLeft) {
  linked_legacy w;
  auto run = run_cli({"--root", w.root.path().string(), "vault", "import-legacy"}, {{"COMFYVN_SECRETS_KEY", key_hex}});
  EXPECT_EQ(run.code, 1) << run.out << run.err;
  EXPECT_EQ(run.out.find("removed legacy file"), std::string::npos) << run.out;
  EXPECT_NE(run.err.find("symbolic link"), std::string::npos) << run.err;
  EXPECT_EQ(read_file(w.target), legacy_plaintext);
}

TEST(SecurityVaultLinks, ALinkedKeyFileIsRefused) {
  temp_dir root;
  temp_dir elsewhere;
  // A key file as rio writes it, mode 0600, but reached through a link in config/.
  auto target = elsewhere.write("planted.key", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n");
  ::chmod(target.c_str(), 0600);
  fs::create_directories(root.path() / "config");
  const fs::path link = root.path() / "config/comfyvn.secrets.key";
  fs::create_symlink(target, link);

  vault::vault v{options_for(root.path())};
  auto written = v.set("remote_installer", {"user"}, boost::json::value("ubuntu"));
  ASSERT_FALSE(written) << "a vault was sealed under a key chosen through a link";
  EXPECT_EQ(written.error().code, vault::make_error_code(errc::unsafe_key_file)) << written.error().message;
  EXPECT_NE(written.error().message.find(link.string()), std::string::npos) << written.error().message;
  EXPECT_NE(written.error().message.find("symbolic link"), std::string::npos) << written.error().message;
  EXPECT_FALSE(fs::exists(root.path() / "config/comfyvn.secrets.json"));

  // A dangling link is refused too, not replaced by a freshly generated key.
  fs::remove(target);
  auto again = v.set("remote_installer", {"user"}, boost::json::value("ubuntu"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, vault::make_error_code(errc::unsafe_key_file)) << again.error().message;
  EXPECT_TRUE(fs::is_symlink(link));
}

}  // namespace
}  // namespace rio::test
