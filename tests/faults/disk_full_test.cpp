// A host whose disk fills during a step: its $HOME is a small tmpfs, and a step writes until
// ENOSPC. Needs root to mount; skipped otherwise.
#include "fault_support.hpp"

namespace rio::test {
namespace {

TEST(FaultsDiskFull, AStepThatFillsTheDiskFailsItsModuleAndTheRerunAfterCleanupCompletes) {
  // The user sees: exit 1; comfyui failed with "step 'venv' failed: exit code 1" and a stderr
  // tail saying "No space left on device"; ollama, installed before, stays installed. `rio plan`
  // still works on the full host. After the space is freed, the rerun exits 0.
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  tmpfs_mount home{h.home(), "4m"};
  if (!home.ok()) GTEST_SKIP() << home.why();
  // The venv step first downloads until the disk is full (a stand-in for a pip cache or a model).
  const auto knob = w.scratch().string() + "/fill-the-disk";
  const std::string real = w.fixtures().options.at("comfyui").at("python");
  const auto python = w.scratch() / "filling-python";
  std::ofstream{python} << "#!/bin/sh\nif [ \"$1\" = -m ] && [ \"$2\" = venv ] && [ -e '" << knob << "' ]; then\n"
                        << "  dd if=/dev/zero of=\"$HOME/ballast\" bs=64k || exit 1\nfi\nexec '" << real << "' \"$@\"\n";
  fs::permissions(python, fs::perms::owner_all);
  std::ofstream{knob} << "on\n";
  const auto spec = engine_world::spec(h);
  // The preflight would refuse these modules up front on a 4 MiB home (EnginePlatform covers
  // that); skipping its disk check lets the disk fill during the step, which is the fault here.
  const auto args = engine_world::with(w.args("install", {spec}, "ollama,comfyui"),
                                       {"--set", "comfyui.python=" + python.string(), "--json", "--skip-check", "disk"});

  auto first = w.run(args);
  ASSERT_EQ(first.code, 1) << first.err << first.out;
  auto r = parse_object(first.out);
  EXPECT_EQ(strings_of(r["installed"]), std::vector<std::string>{"ollama"});
  EXPECT_EQ(strings_of(r["failed"]), std::vector<std::string>{"comfyui"});
  auto rec = parse_object(read_file(manifest_of(w, h)))["modules"].as_object()["comfyui"].as_object();
  EXPECT_EQ(rec["state"], "failed");
  const std::string error{rec["error"].as_string()};
  EXPECT_NE(error.find("step 'venv' failed: exit code 1"), std::string::npos) << error;
  EXPECT_NE(std::string{rec["stderr_tail"].as_string()}.find("No space left on device"), std::string::npos)
      << rec["stderr_tail"];
  EXPECT_FALSE(fs::exists(h.home() / ".config/comfyvn/remote/comfyui.installed"));
  std::cout << "[ user sees ] comfyui: " << error << " / " << rec["stderr_tail"].as_string() << "\n";
  expect_records_readable(w);

  // Detection writes nothing on the host, so a plan of the full host still answers.
  auto plan = w.run(engine_world::with(w.args("plan", {spec}, "ollama,comfyui"), {"--json"}));
  ASSERT_EQ(plan.code, 0) << plan.err;
  auto entries = parse_object(plan.out)["plan"].as_array();
  EXPECT_EQ(entries.at(0).as_object().at("action"), "noop");
  // ... and its preflight now says why the next install would fail, before anything runs.
  EXPECT_EQ(entries.at(1).as_object().at("action"), "blocked");
  EXPECT_EQ(entries.at(1).as_object().at("preflight").as_array().at(0).as_object().at("check"), "disk") << plan.out;

  // The fault removed: the space is freed; the rerun completes.
  fs::remove(knob);
  fs::remove(h.home() / "ballast");
  auto rerun = w.run(args);
  ASSERT_EQ(rerun.code, 0) << rerun.err << rerun.out;
  expect_installed(w, h, {"ollama", "comfyui"});
  expect_records_readable(w);
  EXPECT_EQ(remote_leftovers(h), std::vector<std::string>{});
}

TEST(FaultsDiskFull, ASentinelThatCannotBeWrittenIsNotLeftBehindEmpty) {
  // A step fills the disk but ignores its own write errors, so the module's last write, the
  // sentinel, is the one that hits ENOSPC. The user sees: exit 1, "step 'sentinel' failed: exit
  // code 1" with "No space left on device"; the next plan still says install (an empty sentinel
  // left behind would have made the failed module look installed). After cleanup, exit 0.
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  tmpfs_mount home{h.home(), "2m"};
  if (!home.ok()) GTEST_SKIP() << home.why();
  const auto plugins = fault_plugin_dir(w.scratch());
  const auto spec = engine_world::spec(h);
  const auto install = [&](const std::string& command) {
    return w.run(using_plugins(engine_world::with(w.args("install", {spec}, "faulty"), {"--set", "faulty.command=" + command, "--json", "--skip-check", "disk"}),
                               plugins));
  };

  auto first = install("dd if=/dev/zero of=\"$HOME/ballast\" bs=64k 2>/dev/null; true");
  ASSERT_EQ(first.code, 1) << first.err << first.out;
  auto rec = parse_object(read_file(manifest_of(w, h)))["modules"].as_object()["faulty"].as_object();
  const std::string error{rec["error"].as_string()};
  EXPECT_NE(error.find("step 'sentinel' failed: exit code 1"), std::string::npos) << error;
  EXPECT_NE(std::string{rec["stderr_tail"].as_string()}.find("No space left on device"), std::string::npos)
      << rec["stderr_tail"];
  EXPECT_FALSE(fs::exists(h.home() / ".config/comfyvn/remote/faulty.installed")) << "no torn, empty sentinel";
  EXPECT_EQ(remote_leftovers(h), std::vector<std::string>{});
  std::cout << "[ user sees ] faulty: " << error << " / " << rec["stderr_tail"].as_string() << "\n";
  expect_records_readable(w);

  auto plan = w.run(using_plugins(engine_world::with(w.args("plan", {spec}, "faulty"), {"--json", "--skip-check", "disk"}), plugins));
  ASSERT_EQ(plan.code, 0) << plan.err;
  EXPECT_EQ(parse_object(plan.out)["plan"].as_array().at(0).as_object().at("action"), "install") << plan.out;

  fs::remove(h.home() / "ballast");
  auto rerun = install("true");
  ASSERT_EQ(rerun.code, 0) << rerun.err << rerun.out;
  expect_installed(w, h, {"faulty"});
  expect_records_readable(w);
}

}  // namespace
}  // namespace rio::test
