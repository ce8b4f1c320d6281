// The sillytavern module, loaded from rio-sillytavern.so, against the fake remote shell.

#include "module_test_support.hpp"

namespace rio::test {
namespace {

const std::string node_check =
    "command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && "
    "rio_node=$(node --version 2>/dev/null) && rio_node=${rio_node#v} && [ \"${rio_node%%.*}\" -ge 18 ] 2>/dev/null";
const std::string clone_check = "test -d \"$HOME\"/'SillyTavern'/.git";
const std::string npm_check =
    "cd \"$HOME\"/'SillyTavern' 2>/dev/null && [ -f 'node_modules/.rio-package-lock.sha256' ] && "
    "[ \"$(cat 'node_modules/.rio-package-lock.sha256')\" = \"$(sha256sum 'package-lock.json' | cut -d' ' -f1)\" ]";
const std::string npm_cmd =
    "cd \"$HOME\"/'SillyTavern' || exit 1\n(\nset -e\n"
    "npm install --no-audit --no-fund --no-progress --omit=dev\n)\nrio_rc=$?\n[ \"$rio_rc\" -eq 0 ] || exit \"$rio_rc\"\n"
    "sha256sum 'package-lock.json' | cut -d' ' -f1 > 'node_modules/.rio-package-lock.sha256'";
const std::string extension_dest = "~/SillyTavern/public/scripts/extensions/third-party/ComfyVN";
const std::string exporter_dest = "~/SillyTavern/plugins/comfyvn-data-exporter";
const std::string diagnostics_dest = "~/SillyTavern/plugins/comfyvn-diagnostics";

class SillytavernModule : public module_test {
 protected:
  SillytavernModule() : module_test("sillytavern") {}

  // The nodejs command re-checks node after installing packages, so it is matched first.
  void fresh_host() {
    shell.on("rio_pkg_install", exits(0))
        .on("command -v node", exits(1))
        .on("test -d", exits(1))
        .on("[ -f ", exits(1));
  }
  void write_extension_payload() {
    assets.write("SillyTavern Extension/extension/ComfyVN/manifest.json", "{}");
    assets.write("SillyTavern Extension/plugin/comfyvn-data-exporter/index.js", "");
    assets.write("SillyTavern Extension/plugin/comfyvn-diagnostics/index.js", "");
  }
};

TEST_F(SillytavernModule, FreshInstallRunsNodeThenCloneThenNpmThenSentinel) {
  fresh_host();
  auto report = install();
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->state, sdk::install_state::installed) << report->error;
  EXPECT_EQ(outcomes(*report), (std::vector<std::string>{"nodejs=done", "clone=done", "npm-install=done",
                                                         "sentinel=done"}));
  const auto& j = shell.journal();
  ASSERT_EQ(j.size(), 7u);
  EXPECT_EQ(j[0], "exec: " + node_check);
  EXPECT_TRUE(j[1].starts_with("exec: rio_pkg_install 'nodejs npm' 'nodejs npm'\nif ! { " + node_check + "; }; then\n"))
      << j[1];
  EXPECT_TRUE(contains(j[1], "SillyTavern needs Node.js >= 18;")) << "a too-old Node fails with advice";
  EXPECT_EQ(j[2], "exec: " + clone_check);
  EXPECT_TRUE(contains(j[3], "--branch 'release' -- 'https://github.com/SillyTavern/SillyTavern.git' \"$rio_tmp\""));
  EXPECT_EQ(j[4], "exec: " + npm_check);
  EXPECT_EQ(j[5], "exec: " + npm_cmd);
  EXPECT_EQ(j[6], "exec: " + sentinel_body());
  expect_safe_commands(shell, env);
}

TEST_F(SillytavernModule, ExtensionSyncRunsAfterTheStepsAndBeforeTheSentinel) {
  fresh_host();
  write_extension_payload();
  auto report = install();
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->state, sdk::install_state::installed) << report->error;
  const auto& j = shell.journal();
  ASSERT_EQ(j.size(), 10u);
  EXPECT_EQ(j[5], "exec: " + npm_cmd);
  EXPECT_EQ(j[6], "upload: " + extension_dest);
  EXPECT_EQ(j[7], "upload: " + exporter_dest);
  EXPECT_EQ(j[8], "upload: " + diagnostics_dest);
  EXPECT_EQ(j[9], "exec: " + sentinel_body());
  EXPECT_EQ(shell.uploads()[0].local, assets.path() / "SillyTavern Extension/extension/ComfyVN");
}

TEST_F(SillytavernModule, OverridesAreShellQuotedAndReachSyncDestinations) {
  // An scp-style address is not a URL rio accepts; the ssh:// form of the same address is.
  auto scp_style = sdk::resolve_options(spec(), {{"repo_url", "git@example.com:fork/SillyTavern.git"}});
  ASSERT_FALSE(scp_style);
  EXPECT_TRUE(contains(scp_style.error().message, "'repo_url'"));
  fresh_host();
  auto report = install({{"install_dir", "/opt/st"},
                         {"repo_url", "ssh://git@example.com/fork/SillyTavern.git"},
                         {"ref", "1.12.0"},
                         {"node_min_major", "20"}});
  ASSERT_TRUE(report) << report.error().describe();
  auto b = shell.bodies();
  ASSERT_EQ(b.size(), 7u);
  EXPECT_TRUE(b[0].ends_with("-ge 20 ] 2>/dev/null")) << b[0];
  EXPECT_EQ(b[2], "test -d '/opt/st'/.git");
  EXPECT_TRUE(contains(b[3], "--branch '1.12.0' -- 'ssh://git@example.com/fork/SillyTavern.git'"));
  EXPECT_TRUE(b[5].starts_with("cd '/opt/st' || exit 1\n"));
  ASSERT_EQ(report->sync.entries.size(), 3u);
  EXPECT_EQ(report->sync.entries[0].destination, "/opt/st/public/scripts/extensions/third-party/ComfyVN");
  EXPECT_EQ(report->sync.entries[1].destination, "/opt/st/plugins/comfyvn-data-exporter");
  expect_safe_commands(shell, env);
}

TEST_F(SillytavernModule, RerunSendsOnlyDoneChecksAndSentinel) {
  auto report = install();
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(outcomes(*report), (std::vector<std::string>{"nodejs=already_done", "clone=already_done",
                                                         "npm-install=already_done", "sentinel=done"}));
  EXPECT_EQ(shell.bodies(), (std::vector<std::string>{node_check, clone_check, npm_check, sentinel_body()}));
}

TEST_F(SillytavernModule, TooOldNodeHaltsBeforeNpmWithTheReason) {
  shell.on("rio_pkg_install", exits(1, "rio: SillyTavern needs Node.js >= 18; found v12.22.9."))
      .on("command -v node", exits(1));
  write_extension_payload();
  auto report = install();
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->state, sdk::install_state::failed);
  EXPECT_EQ(outcomes(*report), (std::vector<std::string>{"nodejs=failed", "clone=not_run", "npm-install=not_run",
                                                         "sentinel=not_run"}));
  EXPECT_EQ(report->error, "step 'nodejs' failed: exit code 1");
  EXPECT_TRUE(contains(report->steps[0].stderr_tail, "found v12.22.9")) << report->steps[0].stderr_tail;
  EXPECT_EQ(shell.bodies().size(), 2u);
  EXPECT_TRUE(shell.uploads().empty());
  EXPECT_FALSE(report->sentinel_written);
}

TEST_F(SillytavernModule, ConfigSyncLeavesExistingExtensionAndSkipsMissingPieces) {
  assets.write("SillyTavern Extension/extension/ComfyVN/manifest.json", "{}");
  assets.write("SillyTavern Extension/plugin/comfyvn-diagnostics/index.js", "");
  shell.remote_path_exists(extension_dest);
  auto report = sync_config();
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_TRUE(report->ok);
  ASSERT_EQ(report->entries.size(), 3u);
  EXPECT_EQ(report->entries[0].outcome, sdk::sync_outcome::destination_exists);
  EXPECT_EQ(report->entries[1].outcome, sdk::sync_outcome::skipped_optional);
  EXPECT_EQ(report->entries[2].outcome, sdk::sync_outcome::uploaded);
  ASSERT_EQ(shell.uploads().size(), 2u) << "the missing exporter plugin is never uploaded";
  EXPECT_EQ(shell.uploads()[1].remote, diagnostics_dest);
  for (const auto& u : shell.uploads()) EXPECT_TRUE(u.no_clobber);
  EXPECT_EQ(observer.events, (std::vector<std::string>{"synced " + extension_dest, "synced " + exporter_dest,
                                                       "synced " + diagnostics_dest}));
}

TEST_F(SillytavernModule, DetectReportsInstalledAbsentAndUnknown) {
  auto installed = detect();
  ASSERT_TRUE(installed);
  EXPECT_EQ(installed->state, sdk::detect_state::installed);
  ASSERT_EQ(shell.bodies().size(), 1u);
  EXPECT_TRUE(contains(shell.bodies()[0], "( test -d \"$HOME\"/'SillyTavern'/.git\n)"));
  EXPECT_TRUE(contains(shell.bodies()[0], "( test -d \"$HOME\"/'SillyTavern'/node_modules\n)"));

  shell.on("/node_modules", exits(1));
  auto absent = detect();
  ASSERT_TRUE(absent);
  EXPECT_EQ(absent->state, sdk::detect_state::absent);
  EXPECT_EQ(absent->evidence, "probe 'node-modules' failed (exit 1): Check SillyTavern dependencies are installed.");

  broken_shell gone;
  auto unknown = detect(gone);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->state, sdk::detect_state::unknown);
  EXPECT_TRUE(unknown->probes.empty());
}

TEST_F(SillytavernModule, RejectsInvalidOverridesNamingTheOption) {
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"node_min_major", "18.0"}, {"node_min_major", "-1"}, {"ref", "-b"}, {"install_dir", "~root/st"},
           {"repo_url", "javascript:alert(1)"}}) {
    SCOPED_TRACE(name + "=" + value);
    auto resolved = sdk::resolve_options(spec(), {{name, value}});
    ASSERT_FALSE(resolved);
    EXPECT_EQ(resolved.error().code, sdk::make_error_code(sdk::errc::invalid_option));
    EXPECT_TRUE(contains(resolved.error().message, "'" + name + "'")) << resolved.error().message;
  }
  auto unknown = sdk::resolve_options(spec(), {{"port", "8000"}});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, sdk::make_error_code(sdk::errc::unknown_option));
  EXPECT_TRUE(contains(unknown.error().message, "'port'"));
}

}  // namespace
}  // namespace rio::test
