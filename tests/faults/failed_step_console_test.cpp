// A failed step's own words reach the console: the last lines it wrote to stderr are printed
// under its module by `rio install`, not only in the log, the manifest and --json.
#include "fault_support.hpp"

namespace rio::test {
namespace {

TEST(FaultsFailedStep, TheConsoleShowsTheLastLinesOfTheFailedStepsStderr) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  const auto plugins = fault_plugin_dir(w.scratch());
  // Seven lines, the last of them blank: the console shows the last five that say something.
  const std::string command =
      "for i in 1 2 3 4 5 6; do echo \"pip: line $i\" >&2; done; "
      "echo 'ERROR: No matching distribution found for open-webui==9.9.9' >&2; echo >&2; exit 1";
  auto run = w.run(using_plugins(engine_world::with(w.args("install", {engine_world::spec(h)}, "faulty"),
                                                    {"--set", "faulty.command=" + command}),
                                 plugins));
  EXPECT_EQ(run.code, 1) << run.err << run.out;
  std::cout << "[ user sees ]\n" << run.out;
  const auto at = run.out.find("stderr of step 'work' (last 5 lines):");
  ASSERT_NE(at, std::string::npos) << run.out;
  const std::string shown = run.out.substr(at);
  EXPECT_EQ(shown.find("pip: line 2"), std::string::npos) << "only the last five lines";
  for (const char* line : {"| pip: line 3", "| pip: line 6", "| ERROR: No matching distribution found for open-webui==9.9.9"}) {
    EXPECT_NE(shown.find(line), std::string::npos) << line << "\n" << run.out;
  }
}

}  // namespace
}  // namespace rio::test
