// sshd stopped in the middle of a step: the host's sshd and every session it serves get SIGTERM
// (what `systemctl stop ssh` followed by a reboot does) while comfyui's venv step runs remotely.
#include "fault_support.hpp"

namespace rio::test {
namespace {

TEST(FaultsSshd, StoppedInTheMiddleOfAStepFailsTheHostAndTheRerunResumesThere) {
  // The user sees: exit 1; comfyui failed at step 'venv' (its error names the step and the lost
  // connection), ollama failed with "cannot reconnect: ..." and never half-ran. Once sshd is back,
  // a plain rerun exits 0, skipping the steps that had finished (already_done).
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  const auto gate = w.scratch() / "gate.fifo";
  const auto hold = w.scratch() / "hold.fifo";
  const auto python = w.gate_python(gate, h.home(), hold);  // the venv step blocks on `hold` remotely
  const auto spec = engine_world::spec(h);
  auto child = w.spawn(engine_world::with(w.args("install", {spec}, "comfyui,ollama"),
                                          {"--set", "comfyui.python=" + python.string(), "--json"}),
                       "stopped");
  ASSERT_GT(child.pid, 0);
  ASSERT_EQ(engine_world::pass_gate(gate), "reached");
  h.stop();
  ASSERT_EQ(child.wait(), 1) << read_file(child.err);

  auto r = parse_object(read_file(child.out));
  EXPECT_EQ(r["status"], "failed") << read_file(child.out);
  EXPECT_EQ(strings_of(r["failed"]), (std::vector<std::string>{"comfyui", "ollama"}));
  auto manifest = parse_object(read_file(manifest_of(w, h)));
  auto comfyui = manifest["modules"].as_object()["comfyui"].as_object();
  EXPECT_EQ(comfyui["state"], "failed");
  const std::string error{comfyui["error"].as_string()};
  EXPECT_NE(error.find("step 'venv' failed"), std::string::npos) << error;
  auto ollama = manifest["modules"].as_object()["ollama"].as_object();
  EXPECT_EQ(ollama["state"], "failed");
  EXPECT_NE(std::string{ollama["error"].as_string()}.find("cannot reconnect"), std::string::npos) << ollama["error"];
  EXPECT_EQ(manifest["last_run"].as_object()["state"], "finished");
  EXPECT_EQ(manifest["last_run"].as_object()["status"], "failed");
  EXPECT_FALSE(fs::exists(h.home() / ".config/comfyvn/remote/comfyui.installed"));
  EXPECT_NE(read_file(log_of(w, h)).find("[comfyui] install failed: step 'venv' failed"), std::string::npos);
  expect_records_readable(w);
  std::cout << "[ user sees ] comfyui: " << error << "\n[ user sees ] ollama: " << ollama["error"].as_string() << "\n";

  // The fault removed: sshd is back on the same port; the rerun resumes at the venv step.
  ASSERT_TRUE(h.restart());
  auto rerun = w.run(engine_world::with(w.args("install", {spec}, "comfyui,ollama"), {"--json"}));
  ASSERT_EQ(rerun.code, 0) << rerun.err << rerun.out;
  auto steps = parse_object(rerun.out)["modules"].as_object()["comfyui"].as_object()["steps"].as_array();
  ASSERT_GE(steps.size(), 4u);
  EXPECT_EQ(steps[1].as_object().at("id"), "clone");
  EXPECT_EQ(steps[1].as_object().at("outcome"), "already_done");
  EXPECT_EQ(steps[3].as_object().at("id"), "venv");
  EXPECT_EQ(steps[3].as_object().at("outcome"), "done");
  expect_installed(w, h, {"comfyui", "ollama"});
  expect_records_readable(w);
  EXPECT_EQ(remote_leftovers(h), std::vector<std::string>{});
}

}  // namespace
}  // namespace rio::test
