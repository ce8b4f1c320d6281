// A remote command that never ends: it ignores SIGTERM and sleeps forever. Every step runs
// under the host's `timeout -k 5 <step timeout>`, which sends TERM at the step's timeout and KILL
// 5 s later to the command's whole process group. The real modules' step timeouts are 5 to 30
// minutes and fixed in their specs (no CLI option or environment variable shortens them), so the
// test-only `faulty` module (3 s step timeout) carries the command.
#include "fault_support.hpp"

namespace rio::test {
namespace {

TEST(FaultsHungCommand, ACommandThatNeverEndsIsKilledAtItsStepTimeoutAndTheRunGoesOn) {
  // The user sees: exit 1 after about timeout + 5 s; faulty failed with "step 'work' failed:
  // timed out after N s" (N counts the 5 s KILL grace); the next module (ollama) installed; no
  // remote process left. With a command that ends, the rerun exits 0.
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  const auto plugins = fault_plugin_dir(w.scratch());
  const auto spec = engine_world::spec(h);
  const auto install = [&](const std::string& command) {
    return w.run(using_plugins(
        engine_world::with(w.args("install", {spec}, "faulty,ollama"), {"--set", "faulty.command=" + command, "--json"}),
        plugins));
  };

  const auto started = std::chrono::steady_clock::now();
  auto first = install("trap '' TERM HUP INT; echo $$ > \"$HOME/hung.pid\"; exec sleep 100000");
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(first.code, 1) << first.err << first.out;
  EXPECT_GE(took, std::chrono::seconds{3});
  EXPECT_LT(took, std::chrono::seconds{18}) << "bounded by the step timeout, the KILL grace and rio's own grace";
  auto r = parse_object(first.out);
  EXPECT_EQ(strings_of(r["failed"]), std::vector<std::string>{"faulty"});
  EXPECT_EQ(strings_of(r["installed"]), std::vector<std::string>{"ollama"}) << "the run went on with the next module";
  auto rec = parse_object(read_file(manifest_of(w, h)))["modules"].as_object()["faulty"].as_object();
  const std::string error{rec["error"].as_string()};
  EXPECT_NE(error.find("step 'work' failed: timed out after "), std::string::npos) << error;
  std::cout << "[ user sees ] faulty: " << error << " (after " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
            << " ms)\n";

  // The command is gone from the host, not orphaned (bounded wait: the KILL is asynchronous).
  const std::string pid = read_file(h.home() / "hung.pid");
  ASSERT_FALSE(pid.empty());
  const fs::path proc = "/proc/" + pid.substr(0, pid.find('\n'));
  EXPECT_TRUE(wait_until([&] { return !fs::exists(proc); }, std::chrono::seconds{10})) << proc << " still runs";
  expect_records_readable(w);
  EXPECT_EQ(remote_leftovers(h), std::vector<std::string>{});

  auto rerun = install("true");
  ASSERT_EQ(rerun.code, 0) << rerun.err << rerun.out;
  expect_installed(w, h, {"faulty", "ollama"});
  expect_records_readable(w);
}

}  // namespace
}  // namespace rio::test
