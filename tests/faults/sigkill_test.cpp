// rio killed with SIGKILL at random points of a fleet run, then rerun. Kill points are counted in
// log lines (one per engine event, across the fleet's host logs), drawn from a seeded RNG; the
// seed is printed and RIO_FAULT_SEED replays a failure.
#include "fault_support.hpp"

#include <cstdlib>
#include <random>

namespace rio::test {
namespace {

std::uint32_t fault_seed() {
  if (const char* s = std::getenv("RIO_FAULT_SEED"); s != nullptr && *s != '\0') return static_cast<std::uint32_t>(std::strtoul(s, nullptr, 10));
  return std::random_device{}();
}

TEST(FaultsSigkill, KilledAtRandomPointsOfAFleetRunThenTheRerunCompletes) {
  // The user sees, after each kill: `rio status` works, every manifest and log reads, a run that
  // was cut short shows as "interrupted (rerun to resume)", and no host stays locked. The final
  // rerun exits 0 with every module installed.
  REQUIRE_SSHD();
  engine_world w;
  auto& a = w.add_host();
  auto& b = w.add_host("127.0.0.2");
  const std::uint32_t seed = fault_seed();
  std::cout << "[ seed ] RIO_FAULT_SEED=" << seed << "\n";
  RecordProperty("seed", std::to_string(seed));
  SCOPED_TRACE("RIO_FAULT_SEED=" + std::to_string(seed));
  std::mt19937 rng{seed};
  const auto args =
      engine_world::with(w.args("install", {}, "comfyui,ollama"), {"-i", w.inventory({0, 1}).string(), "--json"});

  constexpr int iterations = 6;
  std::vector<pid_t> killed;
  for (int i = 0; i < iterations; ++i) {
    // Lines this run writes before the kill: 0 kills it while it connects or detects.
    const std::size_t kill_after = std::uniform_int_distribution<std::size_t>{0, 60}(rng);
    const std::size_t before = log_lines(w);
    auto child = w.spawn(args, "kill" + std::to_string(i));
    ASSERT_GT(child.pid, 0);
    ASSERT_TRUE(wait_until([&] { return has_exited(child) || log_lines(w) >= before + kill_after; }))
        << "iteration " << i << " made no progress";
    killed.push_back(child.pid);
    ::kill(child.pid, SIGKILL);
    const int code = child.wait();
    std::cout << "[ kill ] iteration " << i << ": after " << kill_after << " log lines, exit " << code << "\n";
    EXPECT_TRUE(code == 128 + SIGKILL || code == 0) << "iteration " << i << ": " << read_file(child.err);

    // A kill inside a manifest write leaves that write's temp file until the next run; a kill
    // never leaves an unreadable manifest or a torn log line.
    expect_records_readable(w, killed);
    auto status = w.run({"--root", w.root().string(), "status"});
    EXPECT_EQ(status.code, 0) << status.err;
    EXPECT_EQ(status.out.find("a run is in progress now"), std::string::npos) << "no host stays locked: " << status.out;
  }

  auto rerun = w.run(args);
  ASSERT_EQ(rerun.code, 0) << rerun.err << rerun.out;
  expect_installed(w, a, {"comfyui", "ollama"});
  expect_installed(w, b, {"comfyui", "ollama"});
  expect_records_readable(w);
  // A step killed with its run leaves no half-made clone or upload on the host.
  for (auto* h : {&a, &b}) EXPECT_EQ(remote_leftovers(*h), std::vector<std::string>{});
}

TEST(FaultsSigkill, AKillInsideAManifestWriteLeavesATempFileThatTheNextRunRemoves) {
  // SIGKILL between the temp file's creation and its rename (the fsync makes that window wide)
  // leaves <token>.json.tmp.<pid>.<n> beside an intact manifest. The random kills hit it only
  // sometimes, so this test plants what such a kill leaves, named after a rio it really killed.
  // The user sees: `rio status` unaffected; the next run removes the leftover, says so in its
  // log ("warning: removed 1 temp file(s) that a killed run left ..."), and exits 0.
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  const auto gate = w.scratch() / "gate.fifo";
  const auto python = w.gate_python(gate, h.home());
  const auto spec = engine_world::spec(h);
  auto child = w.spawn(engine_world::with(w.args("install", {spec}, "ollama,comfyui"), {"--set", "comfyui.python=" + python.string()}),
                       "killed");
  ASSERT_EQ(engine_world::pass_gate(gate), "reached");
  const pid_t dead = child.pid;
  ::kill(child.pid, SIGKILL);
  ASSERT_EQ(child.wait(), 128 + SIGKILL);

  const std::string intact = read_file(manifest_of(w, h));
  const fs::path leftover = manifest_of(w, h).string() + ".tmp." + std::to_string(dead) + ".7";
  std::ofstream{leftover} << intact.substr(0, intact.size() / 2);  // torn: the kill came mid-write
  // A neighbour whose name merely starts the same way is another host's manifest: never touched.
  const fs::path neighbour = w.status_dir() / (token_of(h) + ".json.tmp." + std::to_string(dead) + ".7.json");
  std::ofstream{neighbour} << intact;

  auto status = w.run({"--root", w.root().string(), "status", spec});
  EXPECT_EQ(status.code, 0) << status.err;
  EXPECT_NE(status.out.find("interrupted"), std::string::npos) << status.out;

  fs::remove(gate);
  auto rerun = w.run(engine_world::with(w.args("install", {spec}, "ollama,comfyui"), {"--json"}));
  ASSERT_EQ(rerun.code, 0) << rerun.err << rerun.out;
  EXPECT_FALSE(fs::exists(leftover)) << "the killed run's temp file is still there";
  EXPECT_TRUE(fs::exists(neighbour));
  EXPECT_NE(read_file(log_of(w, h)).find("removed 1 temp file"), std::string::npos) << read_file(log_of(w, h));
  fs::remove(neighbour);
  expect_installed(w, h, {"ollama", "comfyui"});
  expect_records_readable(w);
}

}  // namespace
}  // namespace rio::test
