#include <rio/kernel/settings.hpp>

#include "cli_runner.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <map>

namespace rio::test {
namespace {


struct settings_fixture {
  temp_dir root;
  temp_dir exe;
  kernel::settings_inputs inputs() const { return {{}, {}, fake_env({}), exe.path(), root.path()}; }
};

TEST(Settings, WithoutHomeTheRootIsTheWorkingDirectoryAndPluginsAreBesideTheBinary) {
  settings_fixture f;
  std::filesystem::create_directory(f.exe.path() / "plugins");
  auto s = kernel::resolve_settings(f.inputs());
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->root, f.root.path());
  EXPECT_EQ(s->root_source, "the current directory (no HOME)");
  EXPECT_EQ(s->plugin_dir, f.exe.path() / "plugins");
  EXPECT_EQ(s->plugin_dir_source, "default");
}

TEST(Settings, FallsBackToTheInstalledLayout) {
  settings_fixture f;
  auto s = kernel::resolve_settings(f.inputs());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->plugin_dir, (f.exe.path() / kernel::installed_plugin_dir_from_bin()).lexically_normal());
  EXPECT_TRUE(std::string_view{kernel::installed_plugin_dir_from_bin()}.ends_with("/rio/plugins"));
}

TEST(Settings, FlagBeatsEnvironmentBeatsConfig) {
  settings_fixture f;
  f.root.write("config/rio.json", R"({"plugin_dir": "mods"})");
  auto in = f.inputs();
  auto from_config = kernel::resolve_settings(in);
  ASSERT_TRUE(from_config) << from_config.error().message;
  EXPECT_EQ(from_config->plugin_dir, f.root.path() / "mods");
  EXPECT_EQ(from_config->plugin_dir_source, "config/rio.json");

  in.env = fake_env({{"RIO_PLUGIN_DIR", "/opt/env-plugins"}});
  EXPECT_EQ(kernel::resolve_settings(in)->plugin_dir, "/opt/env-plugins");

  in.plugin_dir_flag = "/opt/flag-plugins";
  EXPECT_EQ(kernel::resolve_settings(in)->plugin_dir, "/opt/flag-plugins");
}

TEST(Settings, RootComesFromFlagOrEnvironmentNotOnlyTheWorkingDirectory) {
  settings_fixture f;
  temp_dir other;
  other.write("config/rio.json", R"({"plugin_dir": "/from/other/root"})");
  auto in = f.inputs();
  in.env = fake_env({{"RIO_ROOT", other.path().string()}});
  auto s = kernel::resolve_settings(in);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->root, other.path());
  EXPECT_EQ(s->plugin_dir, "/from/other/root");
}

// One rule, in order: --root, RIO_ROOT, a ComfyVN or rio root in the working directory,
// XDG_STATE_HOME, ~/.local/state; the working directory itself only when it is such a root.
TEST(Settings, TheRootRuleDoesNotDependOnTheWorkingDirectoryUnlessItIsARoot) {
  settings_fixture f;
  temp_dir home;
  auto in = f.inputs();
  in.env = fake_env({{"HOME", home.path().string()}});
  auto plain = kernel::resolve_settings(in);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->root, home.path() / ".local/state/rio");
  EXPECT_EQ(plain->root_source, "~/.local/state");

  in.env = fake_env({{"HOME", home.path().string()}, {"XDG_STATE_HOME", (home.path() / "st").string()}});
  EXPECT_EQ(kernel::resolve_settings(in)->root, home.path() / "st/rio");
  in.env = fake_env({{"HOME", home.path().string()}, {"XDG_STATE_HOME", "relative/st"}});
  EXPECT_EQ(kernel::resolve_settings(in)->root, home.path() / ".local/state/rio") << "a relative XDG path is ignored";

  f.root.write("config/comfyvn.json", "{}");  // the original's clients run rio from their root
  auto comfyvn = kernel::resolve_settings(in);
  EXPECT_EQ(comfyvn->root, f.root.path());
  EXPECT_EQ(comfyvn->root_source, "the current directory (it holds config/comfyvn.json or config/rio.json)");

  in.env = fake_env({{"HOME", home.path().string()}, {"RIO_ROOT", "/var/lib/rio"}});
  EXPECT_EQ(kernel::resolve_settings(in)->root, "/var/lib/rio");
  in.env = fake_env({{"HOME", home.path().string()}, {"RIO_ROOT", ""}});
  EXPECT_EQ(kernel::resolve_settings(in)->root, f.root.path()) << "an empty RIO_ROOT is unset";
  in.root_flag = "/srv/rio";
  EXPECT_EQ(kernel::resolve_settings(in)->root_source, "--root");
}

TEST(Settings, ABadConfigNamesTheFileAndField) {
  settings_fixture f;
  f.root.write("config/rio.json", R"({"plugin_dir": 42})");
  auto s = kernel::resolve_settings(f.inputs());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, kernel::make_error_code(kernel::errc::bad_config));
  EXPECT_NE(s.error().message.find("rio.json: field 'plugin_dir' must be a non-empty string"), std::string::npos);

  f.root.write("config/rio.json", "{not json");
  auto broken = kernel::resolve_settings(f.inputs());
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("not valid JSON"), std::string::npos);
}

}  // namespace
}  // namespace rio::test
