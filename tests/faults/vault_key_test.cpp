// The vault key missing or wrong while a run takes its SSH key from the vault (--secrets).
#include "fault_support.hpp"

#include <functional>
#include <sstream>

namespace rio::test {
namespace {

std::vector<std::string> without_identity(std::vector<std::string> a) {
  for (std::size_t i = 0; i + 1 < a.size(); ++i) {
    if (a[i] == "--identity") {
      a.erase(a.begin() + static_cast<std::ptrdiff_t>(i), a.begin() + static_cast<std::ptrdiff_t>(i) + 2);
      break;
    }
  }
  return a;
}

TEST(FaultsVaultKey, AMissingOrWrongKeyStopsTheRunBeforeAnythingIsWritten) {
  // The user sees: exit 1 and one line on stderr, "rio: install: --secrets remote_installer:
  // <why>", naming the vault file and the key source and how to fix it (restore the key file,
  // set COMFYVN_SECRETS_KEY, chmod 600), never a key or a credential. Nothing connects, no
  // manifest, lock or log is written, the vault is unchanged. With the key restored: exit 0.
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  const fs::path config = w.root() / "config";
  const fs::path key_file = config / "comfyvn.secrets.key";
  const fs::path vault_file = config / "comfyvn.secrets.json";
  auto rio = [&](std::vector<std::string> a, env_map env = {}) { return w.run(a, std::move(env)); };
  ASSERT_EQ(rio({"--root", w.root().string(), "vault", "init"}).code, 0);
  ASSERT_EQ(rio({"--root", w.root().string(), "vault", "set", "remote_installer", "hosts", "127.0.0.1", "private_key",
                 "--value-file", h.user_key().string()})
                .code,
            0);
  const std::string right_key = read_file(key_file);
  const std::string sealed = read_file(vault_file);
  std::vector<std::string> secrets{right_key.substr(0, right_key.find('\n'))};
  {
    std::istringstream in{read_file(h.user_key())};
    for (std::string line; std::getline(in, line);) {
      if (line.size() >= 16 && line.find("-----") == std::string::npos) secrets.push_back(line);
    }
  }
  const auto args = engine_world::with(without_identity(w.args("install", {engine_world::spec(h)}, "ollama")),
                                       {"--secrets", "remote_installer", "--json"});
  const std::string wrong_key = std::string(64, 'b');
  secrets.push_back(wrong_key);

  auto write_key = [&](const std::string& text, fs::perms mode) {
    fs::remove(key_file);
    std::ofstream{key_file} << text;
    fs::permissions(key_file, mode);
  };
  const auto owner_rw = fs::perms::owner_read | fs::perms::owner_write;
  struct fault {
    std::string name, expected;
    std::function<void()> apply;
    env_map env;
  };
  const std::vector<fault> faults{
      {"key file missing", "is encrypted but no key is configured: set COMFYVN_SECRETS_KEY, restore " + key_file.string(),
       [&] { fs::remove(key_file); }, {}},
      {"another key in the key file", "wrong key", [&] { write_key(wrong_key + "\n", owner_rw); }, {}},
      {"a key file that is not a key", "not a vault key", [&] { write_key("not-a-key\n", owner_rw); }, {}},
      {"a key file others can read", "chmod 600", [&] { write_key(right_key, owner_rw | fs::perms::group_read | fs::perms::others_read); }, {}},
      {"the right key file, a wrong COMFYVN_SECRETS_KEY", "wrong key", [&] { write_key(right_key, owner_rw); },
       {{"COMFYVN_SECRETS_KEY", wrong_key}}},
  };
  for (const auto& f : faults) {
    SCOPED_TRACE(f.name);
    f.apply();
    auto run = rio(args, f.env);
    EXPECT_EQ(run.code, 1) << run.err << run.out;
    EXPECT_TRUE(run.err.starts_with("rio: install: --secrets remote_installer: ")) << run.err;
    EXPECT_NE(run.err.find(f.expected), std::string::npos) << run.err;
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
    std::cout << "[ user sees ] " << f.name << ": " << run.err;
    for (const auto& s : secrets) {
      EXPECT_EQ((run.out + run.err).find(s), std::string::npos) << "leaked: " << s.substr(0, 8) << "...";
    }
    EXPECT_FALSE(fs::exists(w.root() / "data")) << "no manifest, lock or known_hosts entry";
    EXPECT_FALSE(fs::exists(w.log_dir())) << "no host log";
    EXPECT_EQ(read_file(vault_file), sealed) << "the vault is never modified by a failed open";
    EXPECT_FALSE(fs::exists(h.home() / ".config/comfyvn")) << "nothing ran on the host";
    expect_records_readable(w);
  }
  // The audit log recorded each failed open by error code, without values.
  const std::string audit = read_file(w.root() / "logs/security.log");
  EXPECT_NE(audit.find("secrets.decrypt.failed"), std::string::npos);
  for (const auto& s : secrets) EXPECT_EQ(audit.find(s), std::string::npos);

  write_key(right_key, owner_rw);
  auto rerun = rio(args);
  ASSERT_EQ(rerun.code, 0) << rerun.err << rerun.out;
  expect_installed(w, h, {"ollama"});
  expect_records_readable(w);
}

}  // namespace
}  // namespace rio::test
