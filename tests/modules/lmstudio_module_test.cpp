// The lmstudio module, loaded from rio-lmstudio.so, against the fake remote shell.

#include "module_test_support.hpp"

namespace rio::test {
namespace {

const std::string installer_check = "test -x \"$HOME\"/'.lmstudio/bin/lms'";
const std::string installer_cmd =
    "command -v bash >/dev/null 2>&1 || { echo 'rio: the LM Studio installer needs bash' >&2; exit 127; }\n"
    "rio_script=$(mktemp) || exit 1\n"
    + sdk::cleanup_on_exit("rm -f \"$rio_script\"") +
    "rio_download 'https://lmstudio.ai/install.sh' \"$rio_script\" || exit $?\n"
    "bash \"$rio_script\"";
const std::string daemon_check =
    "test -x \"$HOME\"/'.lmstudio/bin/lms' && \"$HOME\"/'.lmstudio/bin/lms' daemon status --json 2>/dev/null | "
    "grep -q '\"status\": *\"running\"'";
const std::string daemon_cmd = "\"$HOME\"/'.lmstudio/bin/lms' daemon up";
const std::string hints_dest = "~/.config/comfyvn/remote/lmstudio.json";

class LmstudioModule : public module_test {
 protected:
  LmstudioModule() : module_test("lmstudio") {}

  void fresh_host() { shell.on("test -x", exits(1)).on("daemon status", exits(1)); }
};

TEST_F(LmstudioModule, FreshInstallDownloadsInstallerToAFileThenStartsDaemon) {
  fresh_host();
  auto report = install();
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->state, sdk::install_state::installed) << report->error;
  EXPECT_EQ(outcomes(*report), (std::vector<std::string>{"installer=done", "daemon=done", "sentinel=done"}));
  EXPECT_EQ(shell.journal(), (std::vector<std::string>{"exec: " + installer_check, "exec: " + installer_cmd,
                                                       "exec: " + daemon_check, "exec: " + daemon_cmd,
                                                       "exec: " + sentinel_body()}));
  EXPECT_EQ(shell.requests()[1].timeout, std::chrono::seconds{1200});
  EXPECT_EQ(shell.requests()[3].timeout, std::chrono::seconds{120});
  EXPECT_EQ(observer.events,
            (std::vector<std::string>{"started installer", "finished installer done", "started daemon",
                                      "finished daemon done", "synced " + hints_dest, "started sentinel",
                                      "finished sentinel done"}));
  expect_safe_commands(shell, env);
}

TEST_F(LmstudioModule, HintsAreUploadedAfterTheStepsAndBeforeTheSentinel) {
  fresh_host();
  assets.write("config/settings/config.json", "{}");
  auto report = install();
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->sync.entries.at(0).outcome, sdk::sync_outcome::uploaded);
  const auto& j = shell.journal();
  ASSERT_EQ(j.size(), 6u);
  EXPECT_EQ(j[3], "exec: " + daemon_cmd);
  EXPECT_EQ(j[4], "upload: " + hints_dest);
  EXPECT_EQ(j[5], "exec: " + sentinel_body());
}

TEST_F(LmstudioModule, OverridesAreShellQuoted) {
  EXPECT_FALSE(sdk::resolve_options(spec(), {{"installer_url", "https://mirror.example.com/lm studio/install.sh"}}))
      << "a URL with a space is rejected";
  fresh_host();
  auto report = install({{"installer_url", "https://mirror.example.com/lmstudio's/install.sh"},
                         {"lms_path", "/opt/lm studio/bin/lms"}});
  ASSERT_TRUE(report) << report.error().describe();
  auto b = shell.bodies();
  ASSERT_EQ(b.size(), 5u);
  EXPECT_EQ(b[0], "test -x '/opt/lm studio/bin/lms'");
  EXPECT_TRUE(contains(b[1], "rio_download 'https://mirror.example.com/lmstudio'\\''s/install.sh' \"$rio_script\""));
  EXPECT_EQ(b[3], "'/opt/lm studio/bin/lms' daemon up");
  expect_safe_commands(shell, env);
}

TEST_F(LmstudioModule, RerunSendsOnlyDoneChecksAndSentinel) {
  auto report = install();
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(outcomes(*report),
            (std::vector<std::string>{"installer=already_done", "daemon=already_done", "sentinel=done"}));
  EXPECT_EQ(shell.bodies(), (std::vector<std::string>{installer_check, daemon_check, sentinel_body()}));
}

TEST_F(LmstudioModule, StoppedDaemonIsStartedWithoutReinstalling) {
  shell.on("daemon status", exits(1));
  auto report = install();
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(outcomes(*report), (std::vector<std::string>{"installer=already_done", "daemon=done", "sentinel=done"}));
  EXPECT_EQ(count_containing(shell.bodies(), "rio_download"), 0u);
}

TEST_F(LmstudioModule, FailedDownloadHaltsTheModuleAndKeepsStderr) {
  fresh_host();
  shell.on("rio_download", exits(22, "rio: download failed (curl exit 22): https://lmstudio.ai/install.sh"));
  auto report = install();
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->state, sdk::install_state::failed);
  EXPECT_EQ(outcomes(*report), (std::vector<std::string>{"installer=failed", "daemon=not_run", "sentinel=not_run"}));
  EXPECT_EQ(report->error, "step 'installer' failed: exit code 22");
  EXPECT_EQ(report->steps[0].stderr_tail, "rio: download failed (curl exit 22): https://lmstudio.ai/install.sh");
  EXPECT_EQ(shell.bodies().size(), 2u);
  EXPECT_FALSE(report->sentinel_written);
  EXPECT_TRUE(shell.uploads().empty());
}

TEST_F(LmstudioModule, DaemonTimeoutIsReportedAsSuch) {
  fresh_host();
  shell.on("daemon up", times_out());
  auto report = install();
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->error, "step 'daemon' failed: timed out after 120 s");
  EXPECT_EQ(report->steps[1].exit_code, -1);
  EXPECT_EQ(report->steps[2].outcome, sdk::step_outcome::not_run);
}

TEST_F(LmstudioModule, HintsGoBesideTheSentinelNeverIntoLmStudioSettings) {
  assets.write("config/settings/config.json", "{}");
  shell.remote_path_exists(hints_dest);
  auto existing = sync_config();
  ASSERT_TRUE(existing);
  ASSERT_EQ(existing->entries.size(), 1u);
  EXPECT_EQ(existing->entries[0].outcome, sdk::sync_outcome::destination_exists);
  EXPECT_EQ(existing->entries[0].destination, hints_dest);
  for (const auto& u : shell.uploads()) EXPECT_FALSE(contains(u.remote, "LMStudio")) << u.remote;

  temp_dir empty;
  sdk::run_context ctx{shell, options(), empty.path(), env, nullptr};
  auto skipped = sdk::testing::run_co([&] { return installer().sync_config(ctx); });
  ASSERT_TRUE(skipped);
  EXPECT_TRUE(skipped->ok);
  EXPECT_EQ(skipped->entries.at(0).outcome, sdk::sync_outcome::skipped_optional);
  EXPECT_EQ(shell.uploads().size(), 1u) << "a missing optional source is never uploaded";
}

TEST_F(LmstudioModule, DetectReportsInstalledAbsentAndUnknown) {
  auto installed = detect();
  ASSERT_TRUE(installed);
  EXPECT_EQ(installed->state, sdk::detect_state::installed);
  ASSERT_EQ(shell.bodies().size(), 1u);
  EXPECT_TRUE(contains(shell.bodies()[0], "( " + installer_check + "\n)"));
  EXPECT_TRUE(contains(shell.bodies()[0], "( " + sentinel_probe_body() + "\n)"));
  EXPECT_EQ(shell.requests()[0].timeout, std::chrono::seconds{40});

  shell.on(".installed", exits(1));
  auto absent = detect();
  ASSERT_TRUE(absent);
  EXPECT_EQ(absent->state, sdk::detect_state::absent);
  EXPECT_EQ(absent->evidence, "probe 'sentinel' failed (exit 1): Check LM Studio sentinel file.");

  broken_shell gone;
  auto unknown = detect(gone);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->state, sdk::detect_state::unknown);
  EXPECT_EQ(gone.execs, 1);
}

TEST_F(LmstudioModule, RejectsInvalidOverridesNamingTheOption) {
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"installer_url", "lmstudio.ai/install.sh"}, {"installer_url", ""}, {"lms_path", "bin/lms"},
           {"lms_path", "~lms/bin/lms"}}) {
    SCOPED_TRACE(name + "=" + value);
    auto resolved = sdk::resolve_options(spec(), {{name, value}});
    ASSERT_FALSE(resolved);
    EXPECT_EQ(resolved.error().code, sdk::make_error_code(sdk::errc::invalid_option));
    EXPECT_TRUE(contains(resolved.error().message, "'" + name + "'")) << resolved.error().message;
  }
  auto unknown = sdk::resolve_options(spec(), {{"archive_url", "https://releases.lmstudio.ai/linux/latest"}});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, sdk::make_error_code(sdk::errc::unknown_option));
  EXPECT_TRUE(contains(unknown.error().message, "'archive_url'"));
}

}  // namespace
}  // namespace rio::test
