#include <rio/sdk/probe_script.hpp>

#include "local_sh.hpp"

#include <gtest/gtest.h>

namespace rio::test {
namespace {

std::vector<sdk::rendered_probe> probes(std::initializer_list<const char*> commands) {
  std::vector<sdk::rendered_probe> out;
  int i = 0;
  for (const char* c : commands) out.push_back({"m", "p" + std::to_string(i++), "probe", c, std::chrono::seconds{5}});
  return out;
}

TEST(ProbeScript, RunsEveryProbeAndReportsEachStatus) {
  auto list = probes({"true", "false", "exit 3", "cd / && echo noise", "test -d /"});
  auto run = run_sh(sdk::probe_script(list));
  ASSERT_EQ(run.exit_code, 0);
  auto statuses = sdk::parse_probe_report(run.out, list.size());
  ASSERT_TRUE(statuses) << statuses.error().message;
  EXPECT_EQ(*statuses, (std::vector<int>{0, 1, 3, 0, 0}));
}

TEST(ProbeScript, DeadlineIsTheSumOfProbeTimeouts) {
  EXPECT_EQ(sdk::probe_script_timeout(probes({"true", "true"})), std::chrono::seconds{10});
}

TEST(ParseProbeReport, IgnoresForeignOutputLines) {
  auto s = sdk::parse_probe_report("Welcome to Ubuntu\nrio-probe 1 0\nrio-probe 0 2\n", 2);
  ASSERT_TRUE(s);
  EXPECT_EQ(*s, (std::vector<int>{2, 0}));
}

TEST(ParseProbeReport, RefusesMissingAndMalformedLines) {
  auto missing = sdk::parse_probe_report("rio-probe 0 0\n", 2);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, sdk::make_error_code(sdk::errc::bad_probe_report));
  EXPECT_FALSE(sdk::parse_probe_report("rio-probe x 0\n", 1));
  EXPECT_FALSE(sdk::parse_probe_report("rio-probe 0 zero\n", 1));
  EXPECT_FALSE(sdk::parse_probe_report("rio-probe 5 0\n", 1));
}

// Found by tests/fuzz (regressions/detect_report): a probe that reports -1 was taken for one that
// had not reported yet, so a repeated line was counted twice.
TEST(ParseProbeReport, CountsEachProbeOnceWhateverItsStatus) {
  auto repeated = sdk::parse_probe_report("rio-probe 0 -1\nrio-probe 0 3\n", 1);
  ASSERT_TRUE(repeated) << repeated.error().message;
  EXPECT_EQ(*repeated, (std::vector<int>{3}));
  auto one_missing = sdk::parse_probe_report("rio-probe 0 -1\nrio-probe 0 -1\nrio-probe 1 0\n", 3);
  ASSERT_FALSE(one_missing);
  EXPECT_NE(one_missing.error().message.find("2 of 3"), std::string::npos) << one_missing.error().message;
}

TEST(MakeDetectReport, InstalledOnlyWhenEveryProbePasses) {
  auto list = probes({"a", "b"});
  EXPECT_EQ(sdk::make_detect_report(list, {0, 0}).state, sdk::detect_state::installed);
  auto absent = sdk::make_detect_report(list, {0, 1});
  EXPECT_EQ(absent.state, sdk::detect_state::absent);
  EXPECT_EQ(absent.evidence, "probe 'p1' failed (exit 1): probe");
  ASSERT_EQ(absent.probes.size(), 2u);
  EXPECT_TRUE(absent.probes[0].passed);
}

}  // namespace
}  // namespace rio::test
