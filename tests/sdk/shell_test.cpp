#include <rio/sdk/shell.hpp>

#include "local_sh.hpp"

#include <gtest/gtest.h>

namespace rio::test {
namespace {

namespace fs = std::filesystem;

TEST(ShellQuote, SurvivesHostileTextUnchanged) {
  const std::vector<std::string> samples = {
      "plain", "", "it's", "'", "a b\tc", "$(touch /tmp/rio-pwned)", "`id`", "\"quoted\" \\ back", "x; rm -rf ~",
      "-rf", "new\nline", "\xc3\xa9t\xc3\xa9"};
  for (const auto& s : samples) {
    auto r = run_sh("printf '%s' " + sdk::shell_quote(s));
    EXPECT_EQ(r.exit_code, 0) << s;
    EXPECT_EQ(r.out, s) << "quoting changed the text";
  }
}

TEST(ShellQuotePath, ExpandsTildeOnTheRemoteSideOnly) {
  EXPECT_EQ(sdk::shell_quote_path("~/ComfyUI").value(), "\"$HOME\"/'ComfyUI'");
  EXPECT_EQ(sdk::shell_quote_path("/opt/x y").value(), "'/opt/x y'");
  auto r = run_sh("printf '%s' " + sdk::shell_quote_path("~/a b/$(c)").value(), "/home/op");
  EXPECT_EQ(r.out, "/home/op/a b/$(c)");
  auto bare = run_sh("printf '%s' " + sdk::shell_quote_path("~").value(), "/home/op");
  EXPECT_EQ(bare.out, "/home/op");
}

TEST(ShellQuotePath, RefusesTheTildeUserForm) {
  auto r = sdk::shell_quote_path("~root/x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, sdk::make_error_code(sdk::errc::invalid_option));
  EXPECT_NE(r.error().message.find("~user"), std::string::npos);
}

// A stopped run's TERM reaches a step twice (the watchdog signals the process group, timeout
// passes it on). Here the second one arrives while the EXIT handler runs, where it used to end
// the shell before the cleanup: the file must still go, under each shell rio supports.
TEST(CleanupOnExit, RunsTheCleanupEvenWhenASecondSignalArrivesDuringIt) {
  for (const std::string shell : {"/bin/sh", "busybox sh", "bash --posix"}) {
    SCOPED_TRACE(shell);
    temp_dir dir;
    const auto part = dir.path() / "x.rio-part";
    const std::string q = sdk::shell_quote(part.string());
    auto r = run_sh("rio_part=" + q + "\n" + sdk::cleanup_on_exit("kill -TERM $$; rm -f \"$rio_part\"") +
                        ": > \"$rio_part\"\nkill -TERM $$\necho not-reached\n",
                    "/nonexistent-home", std::nullopt, shell);
    EXPECT_EQ(r.exit_code, 143);
    EXPECT_EQ(r.out, "");
    EXPECT_FALSE(fs::exists(part)) << "the second TERM skipped the cleanup";
  }
}

TEST(CleanupOnExit, RunsTheCleanupOnANormalExitAndKeepsTheStatus) {
  temp_dir dir;
  const auto part = dir.path() / "y.rio-part";
  auto r = run_sh("rio_part=" + sdk::shell_quote(part.string()) + "\n" + sdk::cleanup_on_exit("rm -f \"$rio_part\"") +
                  ": > \"$rio_part\"\nexit 3\n");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(fs::exists(part));
}

TEST(ShellPrelude, DefinesItsHelpersUnderPlainSh) {
  auto r = run_sh(sdk::with_prelude("command -v rio_sudo && command -v rio_pkg_install && command -v rio_download && "
                                    "rio_sudo true && echo ok"));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("ok"), std::string::npos);
}

TEST(ShellPrelude, PackageManagerComesFromThePreflightWhenTheKernelSetsIt) {
  // The kernel exports RIO_PKG_MANAGER from the preflight's reading of /etc/os-release.
  EXPECT_EQ(run_sh(sdk::with_prelude("RIO_PKG_MANAGER=dnf; rio_pkg_manager")).out, "dnf\n");
  EXPECT_EQ(run_sh(sdk::with_prelude("RIO_PKG_MANAGER=apt-get; rio_pkg_manager")).out, "apt-get\n");
  auto none = run_sh(sdk::with_prelude("RIO_PKG_MANAGER=none; rio_pkg_manager 2>&1; echo \"rc=$?\""));
  EXPECT_NE(none.out.find("unsupported platform: neither apt-get nor dnf"), std::string::npos) << none.out;
  EXPECT_NE(none.out.find("rc=3"), std::string::npos) << none.out;
  // Anything else is ignored: the prelude looks for itself.
  auto odd = run_sh(sdk::with_prelude("RIO_PKG_MANAGER='rm -rf'; rio_pkg_manager 2>/dev/null; echo \"rc=$?\""));
  EXPECT_EQ(odd.out.find("rm"), std::string::npos) << odd.out;
}

TEST(ShellPrelude, DownloadFailureLeavesNoFileBehind) {
  temp_dir dir;
  auto target = dir.path() / "installer.sh";
  auto r = run_sh(sdk::with_prelude("rio_download file:///nonexistent/rio-missing.sh " + sdk::shell_quote(target.string())));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(target));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(ShellPrelude, DownloadSucceedsFromALocalFixture) {
  temp_dir dir;
  auto source = dir.write("upstream/install.sh", "echo from-fixture\n");
  auto target = dir.path() / "copy.sh";
  auto r = run_sh(sdk::with_prelude("rio_download " + sdk::shell_quote("file://" + source.string()) + " " +
                                    sdk::shell_quote(target.string()) + " && sh " + sdk::shell_quote(target.string())));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "from-fixture\n");
}

}  // namespace
}  // namespace rio::test
