// Key rotation, including a crash injected before every file operation of every protocol: a
// forked child runs the rotation and _exit()s at step N (no destructors, no cleanup, like a
// kill -9); the parent then reopens the vault and checks that every secret is still there.
#include <rio/vault/vault.hpp>

#include "vault_test_support.hpp"

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

namespace rio::test {
namespace {

namespace json = boost::json;
using vault::errc;
using env_map = std::map<std::string, std::string>;

const std::map<std::string, std::string> planted = {{"user", "ubuntu"}, {"token", "tok-123"}, {"passphrase", "pw-456"}};

void plant(const std::filesystem::path& root, const env_map& env) {
  vault::vault v{options_for(root, env)};
  for (const auto& [field, value] : planted) ASSERT_TRUE(v.set("remote_installer", {field}, json::value(value)));
}

// Every planted secret reads back through a fresh vault object with `env`.
::testing::AssertionResult all_secrets_readable(const std::filesystem::path& root, const env_map& env) {
  vault::vault v{options_for(root, env)};
  auto view = v.get("remote_installer");
  if (!view) return ::testing::AssertionFailure() << view.error().message;
  for (const auto& [field, value] : planted) {
    const auto* got = view->fields.if_contains(field);
    if (got == nullptr || *got != json::value(value)) return ::testing::AssertionFailure() << "lost " << field;
  }
  return ::testing::AssertionSuccess();
}

std::vector<std::string> rotation_steps(const env_map& env) {
  temp_dir root;
  plant(root.path(), env);
  std::vector<std::string> steps;
  auto options = options_for(root.path(), env);
  options.fault = recording_hook(steps);
  vault::vault v{std::move(options)};
  EXPECT_TRUE(v.rotate());
  return steps;
}

// Runs the rotation in a child that dies at step n; returns the child's exit code.
int crash_rotation(const std::filesystem::path& root, const env_map& env, std::size_t n) {
  return run_in_child([&] {
    auto options = options_for(root, env);
    options.fault = crash_at(n);
    vault::vault v{std::move(options)};
    return v.rotate() ? 0 : 1;
  });
}

TEST(VaultRotation, KeyFileRotationReencryptsAndFiresTheEvent) {
  temp_dir root;
  plant(root.path(), {});
  recording_listener listener;
  vault::vault v{options_for(root.path(), {}, &listener)};
  const std::string old_key = read_file(v.paths().key_file);
  auto r = v.rotate();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->source, vault::key_source::key_file);
  EXPECT_FALSE(r->new_key);
  EXPECT_NE(r->fingerprint, r->previous_fingerprint);
  EXPECT_NE(read_file(v.paths().key_file), old_key);
  EXPECT_EQ(mode_of(v.paths().key_file), 0600u);
  EXPECT_FALSE(std::filesystem::exists(v.paths().previous_key_file));
  EXPECT_EQ(audit_lines(root.path()).back().at("event"), "secrets.key.rotated");
  EXPECT_TRUE(all_secrets_readable(root.path(), {}));
  EXPECT_EQ(vault::vault{options_for(root.path(), {{"COMFYVN_SECRETS_KEY", old_key}})}.get("remote_installer").error().code,
            vault::make_error_code(errc::wrong_key));
  ASSERT_EQ(listener.events.size(), 1u);
  EXPECT_EQ(listener.events[0].name, "on_security_key_rotated");
  EXPECT_EQ(listener.events[0].metadata.at("fingerprint"), json::value(r->fingerprint));
  EXPECT_EQ(listener.events[0].metadata.at("previous_fingerprint"), json::value(r->previous_fingerprint));
  EXPECT_EQ(listener.events[0].metadata.at("providers"), json::parse(R"(["remote_installer"])"));
}

TEST(VaultRotation, KeyFileRotationSurvivesACrashAtEveryStep) {
  const auto steps = rotation_steps({});
  ASSERT_GE(steps.size(), 12u);
  for (std::size_t n = 0; n < steps.size(); ++n) {
    SCOPED_TRACE("crash before step " + std::to_string(n) + " " + steps[n]);
    temp_dir root;
    plant(root.path(), {});
    ASSERT_EQ(crash_rotation(root.path(), {}, n), crash_exit_code);
    EXPECT_TRUE(all_secrets_readable(root.path(), {}));
    // The next write finishes or discards the interrupted rotation and cleans up after it.
    vault::vault v{options_for(root.path())};
    ASSERT_TRUE(v.set("remote_installer", {"after"}, json::value(1)));
    EXPECT_FALSE(std::filesystem::exists(v.paths().previous_key_file));
    for (const auto& [name, bytes] : snapshot(root.path() / "config")) EXPECT_EQ(name.find(".tmp"), std::string::npos) << name;
    ASSERT_TRUE(v.rotate());
    EXPECT_TRUE(all_secrets_readable(root.path(), {}));
  }
}

TEST(VaultRotation, EnvKeyRotationHandsTheKeyBackAndKeepsADurableCopy) {
  temp_dir root;
  const env_map old_env{{"COMFYVN_SECRETS_KEY", test_key_hex}};
  plant(root.path(), old_env);
  recording_listener listener;
  vault::vault v{options_for(root.path(), old_env, &listener)};
  auto r = v.rotate();
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->new_key);
  ASSERT_EQ(listener.events.size(), 1u);
  EXPECT_EQ(listener.events[0].name, "on_security_key_rotated");
  EXPECT_EQ(listener.events[0].metadata.at("key_source"), "environment");
  EXPECT_EQ(r->pending_key_file, v.paths().pending_key_file);
  EXPECT_EQ(mode_of(v.paths().pending_key_file), 0600u);
  const std::string new_key{r->new_key->reveal()};
  EXPECT_EQ(read_file(v.paths().pending_key_file), new_key + "\n");
  EXPECT_EQ(read_file(root.path() / "logs" / "security.log").find(new_key), std::string::npos);

  // The old env key still reads (through the pending copy) but writes are refused until adopted.
  vault::vault stale{options_for(root.path(), old_env)};
  auto view = stale.get("remote_installer");
  ASSERT_TRUE(view) << view.error().message;
  ASSERT_FALSE(view->warnings.empty());
  EXPECT_NE(view->warnings[0].find("stale"), std::string::npos);
  EXPECT_EQ(stale.set("remote_installer", {"x"}, json::value(1)).error().code, vault::make_error_code(errc::stale_key));
  EXPECT_EQ(stale.rotate().error().code, vault::make_error_code(errc::stale_key));

  const env_map new_env{{"COMFYVN_SECRETS_KEY", new_key}};
  vault::vault adopted{options_for(root.path(), new_env)};
  ASSERT_TRUE(adopted.set("remote_installer", {"x"}, json::value(1)));
  EXPECT_FALSE(std::filesystem::exists(v.paths().pending_key_file));
  EXPECT_TRUE(all_secrets_readable(root.path(), new_env));
  EXPECT_EQ(vault::vault{options_for(root.path(), old_env)}.get("remote_installer").error().code,
            vault::make_error_code(errc::wrong_key));
}

TEST(VaultRotation, EnvKeyRotationSurvivesACrashAtEveryStep) {
  const env_map old_env{{"COMFYVN_SECRETS_KEY", test_key_hex}};
  const auto steps = rotation_steps(old_env);
  ASSERT_GE(steps.size(), 8u);
  for (std::size_t n = 0; n < steps.size(); ++n) {
    SCOPED_TRACE("crash before step " + std::to_string(n) + " " + steps[n]);
    temp_dir root;
    plant(root.path(), old_env);
    ASSERT_EQ(crash_rotation(root.path(), old_env, n), crash_exit_code);
    EXPECT_TRUE(all_secrets_readable(root.path(), old_env));
    // Whatever key the vault is under now is one the operator has: the old one or the pending copy.
    const auto pending = root.path() / "config" / "comfyvn.secrets.key.pending";
    if (std::filesystem::exists(pending)) {
      const env_map new_env{{"COMFYVN_SECRETS_KEY", read_file(pending)}};
      vault::vault with_old{options_for(root.path(), old_env)};
      vault::vault with_new{options_for(root.path(), new_env)};
      EXPECT_TRUE(with_old.get("remote_installer") || with_new.get("remote_installer"));
    }
  }
}

TEST(VaultRotation, PassphraseChangeSurvivesACrashAtEveryStep) {
  const env_map env{{"COMFYVN_SECRETS_PASSPHRASE", "old passphrase"}};
  env_map changing = env;
  changing["COMFYVN_SECRETS_NEW_PASSPHRASE"] = "new passphrase";
  const auto steps = rotation_steps(changing);
  ASSERT_GE(steps.size(), 5u);
  for (std::size_t n = 0; n < steps.size(); ++n) {
    SCOPED_TRACE("crash before step " + std::to_string(n) + " " + steps[n]);
    temp_dir root;
    plant(root.path(), env);
    ASSERT_EQ(crash_rotation(root.path(), changing, n), crash_exit_code);
    EXPECT_TRUE(all_secrets_readable(root.path(), changing));
  }
  temp_dir root;
  plant(root.path(), env);
  auto r = vault::vault{options_for(root.path(), changing)}.rotate();
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->passphrase_changed);
  EXPECT_TRUE(all_secrets_readable(root.path(), {{"COMFYVN_SECRETS_PASSPHRASE", "new passphrase"}}));
  EXPECT_FALSE(all_secrets_readable(root.path(), env));
}

TEST(VaultRotation, NothingToRotate) {
  temp_dir root;
  auto r = vault::vault{options_for(root.path())}.rotate();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, vault::make_error_code(errc::not_found));
}

// The REST route's new_key: the vault ends up under exactly that key, for both key sources.
TEST(VaultRotation, ASuppliedKeyIsTheNewKey) {
  const std::string supplied(64, 'c');
  temp_dir root;
  plant(root.path(), {});
  auto r = vault::vault{options_for(root.path())}.rotate(*vault::master_key::parse(supplied, "test"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->fingerprint, vault::master_key::parse(supplied, "test")->fingerprint());
  EXPECT_TRUE(all_secrets_readable(root.path(), {}));

  temp_dir env_root;
  const env_map env{{"COMFYVN_SECRETS_KEY", std::string(64, 'a')}};
  plant(env_root.path(), env);
  auto e = vault::vault{options_for(env_root.path(), env)}.rotate(*vault::master_key::parse(supplied, "test"));
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_FALSE(e->pending_key_file.empty());
  EXPECT_TRUE(all_secrets_readable(env_root.path(), {{"COMFYVN_SECRETS_KEY", supplied}}));
}

// Refused before anything is written: a passphrase vault has no key to replace, and the current
// key would change nothing.
TEST(VaultRotation, ASuppliedKeyIsRefusedWhereItMeansNothing) {
  const env_map passphrase{{"COMFYVN_SECRETS_PASSPHRASE", "a passphrase"}};
  temp_dir root;
  plant(root.path(), passphrase);
  const std::string before = read_file(vault::vault_paths{root.path()}.vault_file);
  auto r = vault::vault{options_for(root.path(), passphrase)}.rotate(*vault::master_key::parse(std::string(64, 'c'), "test"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, vault::make_error_code(errc::invalid_argument));
  EXPECT_EQ(read_file(vault::vault_paths{root.path()}.vault_file), before);

  const env_map env{{"COMFYVN_SECRETS_KEY", std::string(64, 'a')}};
  temp_dir same;
  plant(same.path(), env);
  auto s = vault::vault{options_for(same.path(), env)}.rotate(*vault::master_key::parse(std::string(64, 'a'), "test"));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, vault::make_error_code(errc::invalid_argument));
  EXPECT_FALSE(std::filesystem::exists(vault::vault_paths{same.path()}.pending_key_file));
}

}  // namespace
}  // namespace rio::test
