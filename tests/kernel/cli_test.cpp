#include <rio/kernel/cli.hpp>

#include "cli_runner.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace rio::test {
namespace {

TEST(Cli, HelpListsCommandsAndOptions) {
  for (auto args : {std::vector<std::string>{"--help"}, std::vector<std::string>{}, std::vector<std::string>{"help"}}) {
    auto r = run_cli(args);
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("modules [ID] [--json]"), std::string::npos);
    EXPECT_NE(r.out.find("--plugin-dir DIR"), std::string::npos);
  }
  EXPECT_NE(run_cli({"help", "modules"}).out.find("GET /api/remote/modules"), std::string::npos);
  EXPECT_NE(run_cli({"modules", "--help"}).out.find("Usage: rio modules"), std::string::npos);
}

TEST(Cli, VersionNamesEveryComponent) {
  auto r = run_cli({"--version"});
  EXPECT_EQ(r.code, 0);
  for (const char* part : {"rio ", "SDK ABI 1.1", "Boost 1.81.0", "libssh2 ", "libsodium "}) {
    EXPECT_NE(r.out.find(part), std::string::npos) << part;
  }
}

TEST(Cli, UsageErrorsExitWithTwo) {
  auto unknown = run_cli({"frobnicate"});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.err.find("unknown command 'frobnicate'"), std::string::npos);
  EXPECT_EQ(run_cli({"--plugin-dir"}).code, 2);
  EXPECT_EQ(run_cli({"--bogus"}).code, 2);
  EXPECT_EQ(run_cli({"modules", "--yaml"}).code, 2);
}

TEST(Cli, ModulesListsTheBuiltModules) {
  auto r = run_cli({"modules"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("comfyui"), std::string::npos);
  EXPECT_NE(r.out.find("4 modules from"), std::string::npos);
}

TEST(Cli, ModulesFailsClearlyWithoutPlugins) {
  temp_dir empty;
  auto r = run_cli({"--plugin-dir", empty.path().string(), "modules"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no installer modules could be loaded"), std::string::npos);
  auto missing = run_cli({"--plugin-dir", (empty.path() / "nope").string(), "modules"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("does not exist"), std::string::npos);
  EXPECT_NE(missing.err.find("--plugin-dir"), std::string::npos);
}

}  // namespace
}  // namespace rio::test
