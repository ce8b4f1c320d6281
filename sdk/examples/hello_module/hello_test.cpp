// Tests the hello module against rio::sdk::testing::fake_remote_shell: no host, no SSH. The fake
// answers each command by the first rule whose text occurs in it (exit 0 when none matches) and
// records every command, so a test scripts the host's state and checks what the module sent.

#include "hello_module.hpp"

#include <rio/sdk/testing/fake_remote_shell.hpp>
#include <rio/sdk/testing/run_co.hpp>

#include <gtest/gtest.h>

#include <algorithm>

namespace rio::plugins::hello {
namespace {

using sdk::testing::exits;  // a scripted reply that exits with a code (also: prints, fails, hangs)
using sdk::testing::fake_remote_shell;
using sdk::testing::run_co;

// What the kernel hands a hook: the host's shell and option values resolved against the schema.
sdk::run_context context(const module& m, fake_remote_shell& shell, const sdk::option_values& overrides = {}) {
  auto options = sdk::resolve_options(m.spec(), overrides);
  // There is no config/hello/motd.txt under this root, so the optional sync entry is skipped.
  return sdk::run_context{shell, options.value(), "/nonexistent-rio-root", {}, nullptr};
}

TEST(Hello, FreshHostRunsEveryStep) {
  fake_remote_shell shell;
  shell.on("test -d", exits(1)).on("grep -qxF", exits(1));  // nothing there yet
  module m;
  auto ctx = context(m, shell);

  // run_co runs the coroutine to completion; ASSERT_* cannot be used inside a coroutine.
  auto report = run_co([&] { return m.install(ctx); });
  ASSERT_TRUE(report.has_value()) << report.error().describe();
  EXPECT_EQ(report->state, sdk::install_state::installed) << report->error;
  ASSERT_EQ(report->steps.size(), 3u);  // directory, greeting, sentinel
  for (const auto& step : report->steps) EXPECT_EQ(step.outcome, sdk::step_outcome::done) << step.id;
  EXPECT_TRUE(report->sentinel_written);
  ASSERT_EQ(report->sync.entries.size(), 1u);
  EXPECT_EQ(report->sync.entries[0].outcome, sdk::sync_outcome::skipped_optional);

  // The path option is quoted so that ~ still expands on the host.
  auto bodies = shell.bodies();
  EXPECT_NE(std::find(bodies.begin(), bodies.end(), "mkdir -p \"$HOME\"/'hello-rio'"), bodies.end());
}

TEST(Hello, RerunSkipsFinishedSteps) {
  fake_remote_shell shell;  // every done_check exits 0
  module m;
  auto ctx = context(m, shell);
  auto report = run_co([&] { return m.install(ctx); });
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->steps[0].outcome, sdk::step_outcome::already_done);
  EXPECT_EQ(report->steps[1].outcome, sdk::step_outcome::already_done);
  // Only the two done_checks and the sentinel ran; neither step's command did.
  auto bodies = shell.bodies();
  EXPECT_EQ(bodies.size(), 3u);
  for (const auto& body : bodies) EXPECT_FALSE(body.starts_with("mkdir -p \"$HOME\"/'hello-rio'")) << body;
  for (const auto& body : bodies) EXPECT_FALSE(body.starts_with("printf")) << body;
}

TEST(Hello, GreetingIsOneQuotedShellWord) {
  fake_remote_shell shell;
  shell.on("grep -qxF", exits(1));
  module m;
  auto ctx = context(m, shell, {{"greeting", "it's $(rm -rf ~)"}});
  auto report = run_co([&] { return m.install(ctx); });
  ASSERT_TRUE(report.has_value());
  bool found = false;
  for (const auto& body : shell.bodies()) {
    found = found || body.starts_with("printf '%s\\n' 'it'\\''s $(rm -rf ~)' > \"$HOME\"/'hello-rio'/greeting.txt.tmp");
  }
  EXPECT_TRUE(found);
}

TEST(Hello, RejectsARelativeInstallDir) {
  module m;
  auto options = sdk::resolve_options(m.spec(), {{"install_dir", "hello"}});
  ASSERT_FALSE(options.has_value());
  EXPECT_EQ(options.error().code, sdk::errc::invalid_option);
}

TEST(Hello, DetectReportsAbsentWhenTheFileIsMissing) {
  fake_remote_shell shell;
  shell.on("greeting.txt", exits(1));
  module m;
  auto ctx = context(m, shell);
  auto report = run_co([&] { return m.detect(ctx); });
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->state, sdk::detect_state::absent);
  EXPECT_EQ(shell.requests().size(), 1u);  // all probes travel as one remote command
}

}  // namespace
}  // namespace rio::plugins::hello
