// Two rio processes on one data directory at once: run 1 holds host A (its venv step blocks
// remotely); run 2 is a fleet of A and B started meanwhile; run 3 waits for A with --wait.
#include "fault_support.hpp"

namespace rio::test {
namespace {

TEST(FaultsTwoProcesses, RunsOnOneRootNeverTearOrLoseEachOthersRecords) {
  // The user sees: run 2 exits 1 with A "failed" (failure: busy) and the message "a run is
  // already in progress on <A> (pid N, run R); wait for it to finish, or pass --wait ...", and B
  // installed; `rio install A` alone exits 3 with the same message; run 3 (--wait) waits, then
  // exits 0 like run 1. No manifest or log line of A is written by a run that did not hold A.
  REQUIRE_SSHD();
  engine_world w;
  auto& a = w.add_host();
  auto& b = w.add_host("127.0.0.2");
  const auto gate = w.scratch() / "gate.fifo";
  const auto hold = w.scratch() / "hold.fifo";
  const auto python = w.gate_python(gate, a.home(), hold);
  const auto spec_a = engine_world::spec(a);
  const auto with_python = std::vector<std::string>{"--set", "comfyui.python=" + python.string(), "--json"};

  auto run1 = w.spawn(engine_world::with(w.args("install", {spec_a}, "comfyui"), with_python), "run1");
  ASSERT_EQ(engine_world::pass_gate(gate), "reached");  // run 1 now holds A's lock, its step blocked
  const std::string a_manifest = read_file(manifest_of(w, a));
  const std::string a_log = read_file(log_of(w, a));

  auto run2 = w.spawn(engine_world::with(w.args("install", {}, "comfyui"), {"-i", w.inventory({0, 1}).string(), "--json"}),
                      "run2");
  ASSERT_EQ(run2.wait(), 1) << read_file(run2.err);
  auto r2 = parse_object(read_file(run2.out));
  auto hosts = r2["hosts"].as_array();
  ASSERT_EQ(hosts.size(), 2u) << read_file(run2.out);
  EXPECT_EQ(hosts[0].as_object().at("failure"), "busy");
  const std::string busy{hosts[0].as_object().at("error").as_string()};
  EXPECT_NE(busy.find("a run is already in progress on"), std::string::npos) << busy;
  EXPECT_EQ(hosts[1].as_object().at("status"), "installed");
  std::cout << "[ user sees ] " << busy << "\n";

  auto alone = w.run(w.args("install", {spec_a}, "comfyui"));
  EXPECT_EQ(alone.code, 3) << alone.err << alone.out;

  // Run 1's records are untouched by runs that never held A.
  EXPECT_EQ(read_file(manifest_of(w, a)), a_manifest);
  EXPECT_EQ(read_file(log_of(w, a)), a_log);
  expect_records_readable(w);

  auto run3 = w.spawn(engine_world::with(w.args("install", {spec_a}, "comfyui"), {"--wait", "--json"}), "run3");
  ASSERT_GT(run3.pid, 0);
  std::ofstream{hold} << "go\n";  // lets run 1's step finish
  EXPECT_EQ(run1.wait(), 0) << read_file(run1.err);
  EXPECT_EQ(run3.wait(), 0) << read_file(run3.err);
  EXPECT_EQ(parse_object(read_file(run3.out))["status"], "noop");
  // Never interleaved: run 1's last line comes before run 3's first.
  const std::string log = read_file(log_of(w, a));
  const auto run1_done = log.find("Install orchestration complete");
  const auto run3_start = log.find("Starting remote install orchestration", log.find("Starting remote install orchestration") + 1);
  ASSERT_NE(run3_start, std::string::npos) << log;
  EXPECT_LT(run1_done, run3_start);

  // Both hosts' keys were recorded by the two processes, each line whole.
  const std::string known = read_file(w.root() / "data/ssh/known_hosts");
  EXPECT_NE(known.find("[127.0.0.1]:" + std::to_string(a.target().port) + " "), std::string::npos) << known;
  EXPECT_NE(known.find("[127.0.0.2]:" + std::to_string(b.target().port) + " "), std::string::npos) << known;
  expect_installed(w, a, {"comfyui"});
  expect_installed(w, b, {"comfyui"});
  expect_records_readable(w);
}

}  // namespace
}  // namespace rio::test
