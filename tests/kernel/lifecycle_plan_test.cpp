// The lifecycle verbs' decisions without a host (issue #24): pins and lines, drift, what each
// verb plans from a detection and a record, and reading an uninstall survey.
#include <rio/kernel/engine/lifecycle_plan.hpp>
#include <rio/kernel/engine/lifecycle_scripts.hpp>

#include <gtest/gtest.h>

namespace rio::test {
namespace {
using namespace kernel::engine;

TEST(LifecyclePlan, APinMatchesItselfAndItsLineOnly) {
  EXPECT_TRUE(version_matches_pin("v0.3.10", "v0.3.10"));
  EXPECT_TRUE(version_matches_pin("0.3.10", "v0.3.10")) << "a leading v is ignored";
  EXPECT_TRUE(version_matches_pin("v0.3.12", "v0.3")) << "the line v0.3";
  EXPECT_FALSE(version_matches_pin("v0.30.1", "v0.3")) << "not a longer number";
  EXPECT_FALSE(version_matches_pin("v0.3.1-4-gabc1234", "v0.3")) << "a commit past a tag is not in the line";
  EXPECT_FALSE(version_matches_pin("v0.4.0", "v0.3"));
  EXPECT_FALSE(version_matches_pin("", "v0.3"));
  EXPECT_FALSE(version_matches_pin("master", "release"));
}

TEST(LifecyclePlan, DriftIsAVersionOutsideThePinOrMovedSinceRioInstalledIt) {
  module_record rec;
  EXPECT_EQ(drift_of(&rec, "v1.0"), "") << "no pin, no drift";
  rec.pin = "v1";
  rec.pin_version = "v1.1";
  EXPECT_EQ(drift_of(&rec, "v1.1"), "");
  EXPECT_EQ(drift_of(&rec, "v1.2"), "") << "still in the line";
  EXPECT_EQ(drift_of(&rec, "v2.0"), "installed v2.0, pinned v1 (rio installed v1.1)");
  EXPECT_EQ(drift_of(&rec, "v1.1-dirty"), "installed v1.1-dirty (local changes), pinned v1 (rio installed v1.1)");
  rec.pin = "master";
  rec.pin_version = "abc1234";
  EXPECT_EQ(drift_of(&rec, "abc1234"), "") << "a branch pin is measured by what rio installed under it";
  EXPECT_EQ(drift_of(&rec, "def5678"), "installed def5678, pinned master (rio installed abc1234)");
  EXPECT_EQ(drift_of(nullptr, "v1"), "");
}

sdk::step_spec step(const std::string& id) {
  sdk::step_spec st;
  st.id = id;
  return st;
}

verb_options verb(run_verb v, bool purge = false) {
  verb_options o;
  o.verb = v;
  o.purge = purge;
  return o;
}

step_check check(const std::string& id, bool satisfied) {
  step_check c;
  c.id = id;
  c.satisfied = satisfied;
  return c;
}

sdk::module_spec spec_with_lifecycle() {
  sdk::module_spec s;
  s.id = "demo";
  s.name = "Demo";
  s.lifecycle.update = {step("checkout")};
  s.lifecycle.rollback = {step("back")};
  s.lifecycle.stop = {step("stop")};
  s.lifecycle.purge = {step("purge")};
  return s;
}

module_plan planned(sdk::detect_state state) {
  module_plan p;
  p.id = "demo";
  p.found.detect.state = state;
  p.found.detect.evidence = "probe repo";
  p.installed_version = state == sdk::detect_state::installed ? "v1.0" : "";
  p.wanted_version = "v2.0";
  return p;
}

TEST(LifecyclePlan, EachVerbPlansFromTheDetectionAndTheRecord) {
  const auto spec = spec_with_lifecycle();
  module_record rec;

  auto update = planned(sdk::detect_state::installed);
  plan_verb(update, verb(run_verb::update), &rec, spec);
  EXPECT_EQ(update.action, plan_action::update);
  EXPECT_EQ(update.lifecycle_steps, std::vector<std::string>{"checkout"});
  EXPECT_NE(update.reason.find("update from v1.0 to v2.0"), std::string::npos) << update.reason;

  auto absent = planned(sdk::detect_state::absent);
  plan_verb(absent, verb(run_verb::update), &rec, spec);
  EXPECT_EQ(absent.action, plan_action::noop) << "nothing to update";

  auto unknown = planned(sdk::detect_state::unknown);
  plan_verb(unknown, verb(run_verb::update), &rec, spec);
  EXPECT_EQ(unknown.action, plan_action::blocked);

  auto no_point = planned(sdk::detect_state::installed);
  plan_verb(no_point, verb(run_verb::rollback), &rec, spec);
  EXPECT_EQ(no_point.action, plan_action::blocked);
  EXPECT_NE(no_point.reason.find("no rollback point"), std::string::npos);
  rec.rollback = rollback_record{"v0.9", "2026-12-07T10:00:00Z", "run-1"};
  auto back = planned(sdk::detect_state::installed);
  plan_verb(back, verb(run_verb::rollback), &rec, spec);
  EXPECT_EQ(back.action, plan_action::rollback);
  EXPECT_EQ(back.wanted_version, "v0.9");

  auto repair = planned(sdk::detect_state::installed);
  repair.found.steps = {check("venv", true), check("requirements", false)};
  plan_verb(repair, verb(run_verb::repair), &rec, spec);
  EXPECT_EQ(repair.action, plan_action::install);
  EXPECT_NE(repair.reason.find("steps requirements fail"), std::string::npos) << repair.reason;

  sdk::module_spec plain;
  plain.id = "plain";
  plain.name = "Plain";
  auto no_update = planned(sdk::detect_state::installed);
  plan_verb(no_update, verb(run_verb::update), &rec, plain);
  EXPECT_EQ(no_update.action, plan_action::noop) << "a module without update steps is not updated";
}

TEST(LifecyclePlan, UninstallRemovesWhatWasRecordedNewestFirstAndKeepsPurgeOnlyPaths) {
  const auto spec = spec_with_lifecycle();
  module_record rec;
  rec.created = {{"~/Demo", "checkout", "clone"}, {"~/Demo/venv", "owned", "venv"}, {"~/models", "purge", "models"}};
  auto p = planned(sdk::detect_state::installed);
  plan_verb(p, verb(run_verb::uninstall), &rec, spec);
  ASSERT_EQ(p.action, plan_action::uninstall);
  EXPECT_EQ(p.lifecycle_steps, std::vector<std::string>{"stop"});
  ASSERT_GE(p.removals.size(), 3u);
  EXPECT_EQ(p.removals[0].path, "~/models");
  EXPECT_EQ(p.removals[0].action, "keep");
  EXPECT_EQ(p.removals[1].path, "~/Demo/venv");
  EXPECT_EQ(p.removals[2].action, "remove-tracked");

  auto purge = planned(sdk::detect_state::installed);
  plan_verb(purge, verb(run_verb::uninstall, true), &rec, spec);
  EXPECT_EQ(purge.lifecycle_steps, (std::vector<std::string>{"stop", "purge"}));
  EXPECT_EQ(purge.removals[0].action, "remove");
  EXPECT_EQ(purge.removals[2].action, "remove") << "--purge removes the whole checkout";

  module_record none;
  auto gone = planned(sdk::detect_state::absent);
  plan_verb(gone, verb(run_verb::uninstall), &none, spec);
  EXPECT_EQ(gone.action, plan_action::noop);
}

TEST(LifecycleScripts, TheSurveyIsReadOnlyForItsOwnModuleAndBounded) {
  std::vector<removal_item> removals{{"~/Demo", "checkout", "clone", "remove-tracked", {}, 0}, {"~/Demo/venv", "owned", "venv", "remove", {}, 0}};
  std::vector<std::string> purge;
  std::string out = "rio-rm 3 0 present\nrio-rm 3 1 absent\nrio-ops 3 0 2\nrio-op 3 0 models/\nrio-op 3 0 notes\x01.txt\n"
                    "rio-rm 4 0 absent\nrio-op 3 9 x\nnoise rio-rm 3 0 absent\nrio-purge 3 /usr/local/bin/ollama\n";
  read_survey(out, {3, &removals, ""}, purge);
  EXPECT_EQ(removals[0].action, "remove-tracked") << "another module's line and a line in the middle of output do not count";
  EXPECT_EQ(removals[1].action, "absent");
  EXPECT_EQ(removals[0].operator_file_count, 2u);
  EXPECT_EQ(removals[0].operator_files, (std::vector<std::string>{"models/", "notes.txt"})) << "control characters dropped";
  EXPECT_EQ(purge, std::vector<std::string>{"/usr/local/bin/ollama"});
}

TEST(LifecycleScripts, TheRemovalScriptQuotesEveryPathAndSkipsWhatStays) {
  std::vector<removal_item> removals{{"~/it's", "owned", "venv", "remove", {}, 0},
                                     {"~/Demo", "checkout", "clone", "remove-tracked", {}, 0},
                                     {"~/models", "purge", "models", "keep", {}, 0}};
  auto script = removal_script(removals, false);
  ASSERT_TRUE(script);
  EXPECT_NE(script->find("rio_p=\"$HOME\"/'it'\\''s'"), std::string::npos) << *script;
  EXPECT_NE(script->find("git -c core.quotePath=false ls-files -m"), std::string::npos) << "changed tracked files stay";
  EXPECT_EQ(script->find("models"), std::string::npos) << "a kept path is not in the script";
  std::vector<removal_item> bad{{"~root/x", "owned", "venv", "remove", {}, 0}};
  EXPECT_FALSE(removal_script(bad, false)) << "a ~user path does not quote";
  for (const char* broad : {"/", "~", "~/", "/usr", "/home/", "~/..", "/srv/../etc"}) {
    std::vector<removal_item> one{{broad, "owned", "x", "remove", {}, 0}};
    EXPECT_FALSE(removal_script(one, true)) << broad << " is never removed";
  }
  std::vector<removal_item> fine{{"/usr/local/lib/ollama", "purge", "x", "remove", {}, 0}};
  EXPECT_TRUE(removal_script(fine, true));
}

}  // namespace
}  // namespace rio::test
