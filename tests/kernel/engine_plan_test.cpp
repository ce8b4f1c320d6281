// Detection in one script and the plan built from it. The generated script runs under the local
// /bin/sh (dash) against a temporary $HOME, so the checks are the real ones.
#include <rio/kernel/engine/host_detect.hpp>
#include <rio/kernel/engine/plan.hpp>
#include <rio/kernel/module_registry.hpp>
#include <rio/kernel/ssh/remote_command.hpp>
#include <rio/sdk/data_installer.hpp>

#include "../sdk/local_sh.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <iostream>

namespace rio::kernel::engine {
namespace {

using rio::test::temp_dir;

sdk::module_spec demo_spec(const std::string& id) {
  sdk::module_spec s;
  s.id = id;
  s.name = "Demo " + id;
  s.notes = "notes";
  s.tags = {"t"};
  s.options = {{"dir", sdk::option_type::path, "~/" + id, "where", false}};
  s.install_steps = {{"make-dir", "Create the directory.", "mkdir -p {{dir}}", "test -d {{dir}}", std::chrono::seconds{60}},
                     {"write", "Write a file.", "echo hi > {{dir}}/f", "test -f {{dir}}/f", std::chrono::seconds{60}}};
  s.detect_steps = {{"file", "The file exists.", "test -f {{dir}}/f", std::chrono::seconds{5}}};
  s.config_sync = {{"config/" + id + ".json", "{{dir}}/config.json", "Mirror the config.", true}};
  return s;
}

struct fixture {
  sdk::data_installer a{demo_spec("alpha")};
  sdk::data_installer b{demo_spec("beta")};
  std::vector<module_request> modules() {
    return {{&a, *sdk::resolve_options(a.spec(), {})}, {&b, *sdk::resolve_options(b.spec(), {})}};
  }
};

result<sdk::exec_result> run_locally(const detect_batch& batch, const std::string& home) {
  auto r = rio::test::run_sh(batch.script, home);
  sdk::exec_result out;
  out.exit_code = r.exit_code;
  out.stdout_tail = r.out;
  return out;
}

TEST(DetectBatch, OneScriptCoversProbesStepChecksAndSyncDestinations) {
  fixture f;
  temp_dir assets;
  assets.write("config/alpha.json", "{}");
  auto batch = build_detect_batch(f.modules(), assets.path());
  ASSERT_TRUE(batch) << batch.error().message;
  // Per module: 2 probes (file + the sentinel data_installer adds), 2 done checks, 1 sync test.
  EXPECT_EQ(batch->checks.size(), 10u);
  ASSERT_EQ(batch->modules.size(), 2u);
  EXPECT_EQ(batch->modules[0].id, "alpha");
  EXPECT_EQ(batch->modules[1].id, "beta");
  EXPECT_TRUE(batch->modules[0].skeleton.sync[0].local_exists);
  EXPECT_FALSE(batch->modules[1].skeleton.sync[0].local_exists);
}

TEST(DetectBatch, ReadsInstalledAbsentAndSatisfiedStepsFromTheReport) {
  fixture f;
  temp_dir home;
  // alpha is fully present (directory, file, sentinel); beta only has its directory.
  home.write("alpha/f", "hi");
  home.write(".config/comfyvn/remote/alpha.installed", "x");
  home.write("alpha/config.json", "{}");
  std::filesystem::create_directories(home.path() / "beta");
  auto batch = build_detect_batch(f.modules(), home.path());
  ASSERT_TRUE(batch);
  auto found = read_detect_report(*batch, run_locally(*batch, home.path().string()));
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].detect.state, sdk::detect_state::installed);
  EXPECT_EQ(found[1].detect.state, sdk::detect_state::absent);
  EXPECT_NE(found[1].detect.evidence.find("probe 'file' failed"), std::string::npos) << found[1].detect.evidence;
  EXPECT_EQ(found[1].steps[0].satisfied, std::optional<bool>{true});   // make-dir already done
  EXPECT_EQ(found[1].steps[1].satisfied, std::optional<bool>{false});  // write still to do
  EXPECT_EQ(found[1].steps[2].satisfied, std::nullopt);                // sentinel: no check
  EXPECT_TRUE(found[1].steps[2].sentinel);
  EXPECT_EQ(found[0].sync[0].remote_exists, std::optional<bool>{true});
  EXPECT_EQ(found[1].sync[0].remote_exists, std::optional<bool>{false});
}

// The version probe runs only for an installed module, in the same command; its first line is
// the version (printable bytes, at most 80), and the plan shows it beside the wanted one.
TEST(DetectBatch, AnInstalledModulesVersionComesFromItsVersionProbe) {
  sdk::module_spec s = demo_spec("alpha");
  s.options.push_back({"ref", sdk::option_type::identifier, "v2", "wanted", false});
  s.version_probe = "printf 'v1.2-3-gabc\\033[31m\\nsecond line\\n'; cat {{dir}}/f >/dev/null";
  s.version_option = "ref";
  sdk::data_installer a{s};
  sdk::module_spec t = demo_spec("beta");
  t.version_probe = "echo never";
  sdk::data_installer b{t};
  temp_dir home;
  home.write("alpha/f", "hi");
  home.write(".config/comfyvn/remote/alpha.installed", "x");
  const std::vector<module_request> modules{{&a, *sdk::resolve_options(a.spec(), {})}, {&b, *sdk::resolve_options(b.spec(), {})}};
  auto batch = build_detect_batch(modules, home.path());
  ASSERT_TRUE(batch);
  auto found = read_detect_report(*batch, run_locally(*batch, home.path().string()));
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].version, "v1.2-3-gabc[31m") << "first line, control bytes dropped";
  EXPECT_EQ(found[1].version, "") << "beta is not installed: its probe does not run";
  auto plan = plan_module(modules[0], found[0], nullptr);
  EXPECT_EQ(plan.installed_version, "v1.2-3-gabc[31m");
  EXPECT_EQ(plan.wanted_version, "v2");
  // A report line that forges another module's version is not taken.
  sdk::exec_result forged;
  forged.stdout_tail = run_locally(*batch, home.path().string())->stdout_tail + "xrio-version alpha evil\n";
  EXPECT_EQ(read_detect_report(*batch, forged)[0].version, "v1.2-3-gabc[31m");
}

// Look-only builtins run in the script's own shell (a subshell costs the host a fork per check);
// anything else keeps its subshell, so a check that exits or changes directory affects no other.
TEST(DetectBatch, ChecksThatExitOrChangeDirectoryCannotAffectTheNext) {
  sdk::module_spec s = demo_spec("gamma");
  s.install_steps = {{"leave", "Leaves.", "true", "cd / && exit 7", std::chrono::seconds{5}},
                     {"stayed", "Stayed.", "true", "test \"$PWD\" != /", std::chrono::seconds{5}},
                     {"chained", "Chained.", "true", "test -d {{dir}}; exit 0", std::chrono::seconds{5}},
                     {"quiet", "Quiet.", "true", "command -v sh >/dev/null 2>&1", std::chrono::seconds{5}}};
  sdk::data_installer g{s};
  temp_dir home;
  home.write("gamma/f", "x");
  const std::vector<module_request> modules{{&g, *sdk::resolve_options(g.spec(), {})}};
  auto batch = build_detect_batch(modules, home.path());
  ASSERT_TRUE(batch);
  const std::string& script = batch->script;
  EXPECT_NE(script.find("\ntest -f \"$HOME\"/'gamma'/f </dev/null"), std::string::npos) << script;
  EXPECT_NE(script.find("( cd / && exit 7\n)"), std::string::npos);
  EXPECT_NE(script.find("( test -d \"$HOME\"/'gamma'; exit 0\n)"), std::string::npos);
  // A look-only check that silences itself runs in place, with one set of redirections.
  EXPECT_NE(script.find("  command -v sh </dev/null >/dev/null 2>&1; echo"), std::string::npos) << script;

  ASSERT_NE(std::filesystem::current_path(), "/");
  auto found = read_detect_report(*batch, run_locally(*batch, home.path().string()));
  ASSERT_EQ(found.size(), 1u);
  // The file is there, the sentinel is not: absent, so the step checks ran, each in turn.
  EXPECT_EQ(found[0].detect.state, sdk::detect_state::absent) << found[0].detect.evidence;
  ASSERT_EQ(found[0].steps.size(), 5u);
  EXPECT_EQ(found[0].steps[0].satisfied, std::optional<bool>{false});  // exit 7 ended only its subshell
  EXPECT_EQ(found[0].steps[1].satisfied, std::optional<bool>{true});   // and its cd changed nothing here
  EXPECT_EQ(found[0].steps[2].satisfied, std::optional<bool>{true});   // and the script read on to the end
  EXPECT_EQ(found[0].steps[3].satisfied, std::optional<bool>{true});
}

TEST(DetectBatch, AFailedCommandMakesEveryModuleUnknownWithTheReason) {
  fixture f;
  auto batch = build_detect_batch(f.modules(), "/nonexistent");
  ASSERT_TRUE(batch);
  result<sdk::exec_result> lost = sdk::fail(sdk::errc::connection_lost, "connection reset");
  auto found = read_detect_report(*batch, lost);
  ASSERT_EQ(found.size(), 2u);
  for (const auto& d : found) {
    EXPECT_EQ(d.detect.state, sdk::detect_state::unknown);
    EXPECT_NE(d.detect.evidence.find("connection reset"), std::string::npos);
  }
  sdk::exec_result truncated;
  truncated.exit_code = 0;
  truncated.stdout_tail = "rio-probe 0 0\n";
  auto partial = read_detect_report(*batch, truncated);
  EXPECT_EQ(partial[0].detect.state, sdk::detect_state::unknown);
  EXPECT_NE(partial[0].detect.evidence.find("1 of 10"), std::string::npos) << partial[0].detect.evidence;

  // The host-level reading says the same once, so the run can refuse to plan installs on it.
  EXPECT_NE(read_detection(*batch, lost).failure.find("connection reset"), std::string::npos);
  EXPECT_NE(read_detection(*batch, truncated).failure.find("1 of 10"), std::string::npos);
}

TEST(Plan, TheHostIsTheTruthInBothDirections) {
  fixture f;
  auto m = f.modules();
  module_detection installed;
  installed.detect.state = sdk::detect_state::installed;
  installed.detect.evidence = "all 2 probes passed";
  module_detection absent;
  absent.detect.state = sdk::detect_state::absent;
  absent.detect.evidence = "probe 'file' failed (exit 1): The file exists.";

  // Status file lost, module present: noop.
  auto lost = plan_module(m[0], installed, nullptr);
  EXPECT_EQ(lost.action, plan_action::noop);
  EXPECT_EQ(lost.reason.rfind("detected installed on remote host", 0), 0u);

  // Status file says installed, host wiped: install again.
  module_record stale;
  stale.state = "installed";
  auto wiped = plan_module(m[0], absent, &stale);
  EXPECT_EQ(wiped.action, plan_action::install);
  EXPECT_NE(wiped.reason.find("status file says installed, but the host no longer has it"), std::string::npos);

  module_record failed;
  failed.state = "failed";
  failed.error = "step 'write' failed: exit code 1";
  auto resume = plan_module(m[0], absent, &failed);
  EXPECT_EQ(resume.action, plan_action::install);
  EXPECT_NE(resume.reason.find("resuming"), std::string::npos);

  module_detection unknown;
  unknown.detect.state = sdk::detect_state::unknown;
  unknown.detect.evidence = "detection timed out after 20 s";
  auto u = plan_module(m[0], unknown, nullptr);
  EXPECT_EQ(u.action, plan_action::install);
  EXPECT_NE(u.reason.find("timed out"), std::string::npos);
}

TEST(Plan, StepsToRunSkipSatisfiedOnes) {
  fixture f;
  auto m = f.modules();
  module_detection d;
  d.detect.state = sdk::detect_state::absent;
  d.steps = {{"make-dir", "", false, true, {}, {}, {}}, {"write", "", false, false, {}, {}, {}}, {"sentinel", "", true, std::nullopt, {}, {}, {}}};
  auto p = plan_module(m[0], d, nullptr);
  EXPECT_EQ(p.steps_to_run(), (std::vector<std::string>{"write", "sentinel"}));
}

// #21 point 4: a step that reads an earlier step's effect is shown as "may run" when that step
// will run, though its own check passes now; transitively, in step order.
TEST(Plan, StepsThatDependOnARunningStepMayRunToo) {
  fixture f;
  auto m = f.modules();
  module_detection d;
  d.detect.state = sdk::detect_state::absent;
  d.steps = {{"checkout", "", false, false, {}, {}, {}},
             {"venv", "", false, true, {}, {}, {}},
             {"pip", "", false, true, {}, {}, {"checkout", "venv"}},
             {"warm", "", false, true, {}, {}, {"pip"}},
             {"sentinel", "", true, std::nullopt, {}, {}, {}}};
  auto p = plan_module(m[0], d, nullptr);
  EXPECT_EQ(p.steps_to_run(), (std::vector<std::string>{"checkout", "sentinel"}));
  const auto may = p.steps_that_may_run();
  ASSERT_EQ(may.size(), 2u);
  EXPECT_EQ(may.at("pip"), std::vector<std::string>{"checkout"}) << "venv will not run, so only checkout counts";
  EXPECT_EQ(may.at("warm"), std::vector<std::string>{"pip"});
  d.steps[0].satisfied = true;
  EXPECT_TRUE(plan_module(m[0], d, nullptr).steps_that_may_run().empty()) << "nothing before pip runs";
}

// #21 point 3: options that define the installed state. Probes pass, but a changed pin is acted on.
TEST(Plan, AChangedStateOptionPlansAnInstallOfTheStepsWhoseChecksNowFail) {
  sdk::module_spec spec = demo_spec("pinned");
  spec.options.push_back({"version", sdk::option_type::version, "0.6.5", "the pin", false, true});
  sdk::data_installer a{spec};
  module_request request{&a, *sdk::resolve_options(a.spec(), {})};
  module_detection d;
  d.detect.state = sdk::detect_state::installed;
  d.detect.evidence = "all 2 probes passed";
  d.steps = {{"make-dir", "", false, true, {}, {}, {}}, {"write", "", false, false, {}, {}, {}}, {"sentinel", "", true, std::nullopt, {}, {}, {}}};

  module_record old;
  old.state = "installed";
  old.state_options = {{"version", "0.6.4"}};
  auto changed = plan_module(request, d, &old);
  EXPECT_EQ(changed.action, plan_action::install);
  EXPECT_EQ(changed.reason, "options changed: version 0.6.4 -> 0.6.5; steps that use them, and steps whose checks fail, will run");
  EXPECT_EQ(changed.steps_to_run(), (std::vector<std::string>{"write", "sentinel"}));
  EXPECT_EQ(changed.state_options, (std::map<std::string, std::string>{{"version", "0.6.5"}}));

  module_record same = old;
  same.state_options = {{"version", "0.6.5"}};
  EXPECT_EQ(plan_module(request, d, &same).action, plan_action::noop) << "recorded and requested agree";

  // No record of the options (installed before they were declared): the checks decide.
  auto unrecorded = plan_module(request, d, nullptr);
  EXPECT_EQ(unrecorded.action, plan_action::install);
  EXPECT_EQ(unrecorded.reason, "installed, but the checks of steps write fail for the requested options");
  d.steps[1].satisfied = true;
  EXPECT_EQ(plan_module(request, d, nullptr).action, plan_action::noop);

  // A module without such options keeps "probes pass: noop", whatever its steps' checks say.
  d.steps[1].satisfied = false;
  fixture f;
  EXPECT_EQ(plan_module(f.modules()[0], d, &old).action, plan_action::noop);
}

// With such an option, the detection script checks the module's steps even when its probes pass.
TEST(DetectBatch, StepChecksRunEvenWhenProbesPassForAModuleWithStateOptions) {
  sdk::module_spec spec = demo_spec("pinned");
  spec.options.push_back({"version", sdk::option_type::version, "0.6.5", "the pin", false, true});
  spec.install_steps[1].done_check = "grep -qx {{version}} {{dir}}/f";
  sdk::data_installer a{spec};
  auto batch = build_detect_batch({{&a, *sdk::resolve_options(a.spec(), {})}}, "/nonexistent");
  ASSERT_TRUE(batch) << batch.error().message;
  temp_dir home;
  home.write("pinned/f", "0.6.4\n");
  home.write(".config/comfyvn/remote/pinned.installed", "x");
  auto found = read_detect_report(*batch, run_locally(*batch, home.path().string()));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].detect.state, sdk::detect_state::installed);
  EXPECT_EQ(found[0].steps[0].satisfied, std::optional<bool>{true});
  EXPECT_EQ(found[0].steps[1].satisfied, std::optional<bool>{false}) << "checked although the probes passed";
}

// #22: Dropbear drops the connection when an exec string exceeds 9,000 bytes, and the detect
// command for every module is 15-19 KB. What goes on the exec line must stay short however big
// the script: the biggest real one is the detect batch for all four modules.
TEST(DetectBatch, TheLineSentForEveryModuleIsAShortBootstrap) {
  std::vector<load_problem> problems;
  auto registry = module_registry::load_directory(RIO_TEST_PLUGIN_DIR, problems);
  ASSERT_TRUE(registry) << registry.error().message;
  std::vector<module_request> modules;
  for (const auto& m : registry->modules()) {
    auto options = sdk::resolve_options(m->spec(), {});
    ASSERT_TRUE(options) << m->id << ": " << options.error().message;
    modules.push_back({&m->installer(), std::move(*options)});
  }
  ASSERT_EQ(modules.size(), 4u);
  temp_dir assets;
  auto batch = build_detect_batch(modules, assets.path());
  ASSERT_TRUE(batch) << batch.error().message;
  auto wrapped = ssh::wrap_command(batch->script, {{"RIO_TOKEN", "secret"}}, batch->timeout, /*watch_stdin=*/true);
  ASSERT_TRUE(wrapped);
  EXPECT_GT(batch->script.size(), 9000u) << "the script this test is about";
  EXPECT_LT(wrapped->line.size(), 2048u);
  std::cout << "detect batch for 4 modules: script " << batch->script.size() << " bytes, line " << wrapped->line.size()
            << " bytes, stdin " << wrapped->stdin_preamble.size() << " bytes\n";
}

}  // namespace
}  // namespace rio::kernel::engine
