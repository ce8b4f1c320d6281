#include <rio/kernel/cli.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace rio::test {
namespace {

struct cli_run {
  int code;
  std::string out;
  std::string err;
};

cli_run run(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  kernel::cli_io io{out, err, [](const char*) { return std::optional<std::string>{}; },
                    std::filesystem::path{RIO_TEST_PLUGIN_DIR}.parent_path(), std::filesystem::temp_directory_path()};
  int code = kernel::run_cli(args, io);
  return {code, out.str(), err.str()};
}

TEST(Cli, HelpListsCommandsAndOptions) {
  for (auto args : {std::vector<std::string>{"--help"}, std::vector<std::string>{}, std::vector<std::string>{"help"}}) {
    auto r = run(args);
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("modules [--json]"), std::string::npos);
    EXPECT_NE(r.out.find("--plugin-dir DIR"), std::string::npos);
  }
  EXPECT_NE(run({"help", "modules"}).out.find("GET /api/remote/modules"), std::string::npos);
  EXPECT_NE(run({"modules", "--help"}).out.find("Usage: rio modules"), std::string::npos);
}

TEST(Cli, VersionNamesEveryComponent) {
  auto r = run({"--version"});
  EXPECT_EQ(r.code, 0);
  for (const char* part : {"rio ", "SDK ABI 1.0", "Boost 1.81.0", "libssh2 ", "libsodium "}) {
    EXPECT_NE(r.out.find(part), std::string::npos) << part;
  }
}

TEST(Cli, UsageErrorsExitWithTwo) {
  auto unknown = run({"frobnicate"});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.err.find("unknown command 'frobnicate'"), std::string::npos);
  EXPECT_EQ(run({"--plugin-dir"}).code, 2);
  EXPECT_EQ(run({"--bogus"}).code, 2);
  EXPECT_EQ(run({"modules", "--yaml"}).code, 2);
}

TEST(Cli, ModulesListsTheBuiltModules) {
  auto r = run({"modules"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("comfyui"), std::string::npos);
  EXPECT_NE(r.out.find("4 modules from"), std::string::npos);
}

TEST(Cli, ModulesFailsClearlyWithoutPlugins) {
  temp_dir empty;
  auto r = run({"--plugin-dir", empty.path().string(), "modules"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no installer modules could be loaded"), std::string::npos);
  auto missing = run({"--plugin-dir", (empty.path() / "nope").string(), "modules"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("does not exist"), std::string::npos);
  EXPECT_NE(missing.err.find("--plugin-dir"), std::string::npos);
}

}  // namespace
}  // namespace rio::test
