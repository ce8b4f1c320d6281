// The run engine end to end: real sshd hosts on loopback, the four real modules, offline
// fixture upstreams, and `rio plan|install|status` as operators run them.
#include "engine_test_support.hpp"

#include <rio/kernel/engine/host_key.hpp>

#include <boost/json/serialize.hpp>

namespace rio::test {
namespace {

namespace json = boost::json;



const std::vector<std::string> all_modules{"comfyui", "sillytavern", "lmstudio", "ollama"};

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

TEST(EngineRun, FirstRunInstallsAndTheSecondIsNoopOverOneConnectionAndOneCommand) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  auto first = w.run(engine_world::with(w.args("install", {engine_world::spec(h)}), {"--json"}));
  ASSERT_EQ(first.code, 0) << first.err << first.out;
  auto r1 = parse_object(first.out);
  EXPECT_EQ(r1["status"], "installed") << first.out;
  EXPECT_EQ(strings_of(r1["installed"]), all_modules);
  EXPECT_TRUE(strings_of(r1["failed"]).empty());
  // Every module's sentinel is on the host, written last.
  for (const auto& m : all_modules) EXPECT_TRUE(fs::exists(h.home() / ".config/comfyvn/remote" / (m + ".installed"))) << m;
  // Config sync mirrored the root's file.
  EXPECT_EQ(read_file(h.home() / ".config/comfyvn/remote/comfyui.json"), "{\"from\": \"rio root\"}\n");

  auto manifest = parse_object(status_file_text(w, h));
  EXPECT_EQ(manifest["version"], 1);
  for (const auto& m : all_modules) {
    auto& rec = manifest["modules"].as_object()[m].as_object();
    EXPECT_EQ(rec["state"], "installed") << m;
    EXPECT_TRUE(rec.contains("installed_at"));
    EXPECT_EQ(rec["run_id"], r1["run_id"]);
    EXPECT_FALSE(rec["steps"].as_array().empty());
  }
  EXPECT_EQ(manifest["last_run"].as_object()["status"], "installed");

  auto second = w.run(engine_world::with(w.args("install", {engine_world::spec(h)}), {"--json"}));
  ASSERT_EQ(second.code, 0) << second.err;
  auto r2 = parse_object(second.out);
  EXPECT_EQ(r2["status"], "noop");
  EXPECT_EQ(strings_of(r2["skipped"]), all_modules);
  EXPECT_TRUE(strings_of(r2["installed"]).empty());
  EXPECT_EQ(r2["connections"], 1) << "one SSH connection for the whole second run";
  EXPECT_EQ(r2["remote_commands"], 1) << "one detect command, nothing else";
  for (const auto& entry : r2["plan"].as_array()) {
    EXPECT_EQ(entry.as_object().at("action"), "noop");
    EXPECT_NE(std::string{entry.as_object().at("reason").as_string()}.find("detected installed on remote host"), std::string::npos);
  }

  // The log ties both runs to their ids, with step lines, exit codes and durations.
  auto log = read_file(w.log_dir() / (kernel::engine::host_token("127.0.0.1", h.target().port) + ".log"));
  EXPECT_NE(log.find("run=" + std::string{r1["run_id"].as_string()} + " [comfyui] step clone done (exit 0, "), std::string::npos);
  EXPECT_NE(log.find("run=" + std::string{r2["run_id"].as_string()} + " [comfyui] no-op"), std::string::npos);
  EXPECT_TRUE(log.find("] out: ") != std::string::npos || log.find("] err: ") != std::string::npos)
      << "remote output is logged:\n" << log;
}

TEST(EngineRun, DryRunChangesNothingAnywhere) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  auto plan = w.run(engine_world::with(w.args("plan", {engine_world::spec(h)}), {"--json"}));
  ASSERT_EQ(plan.code, 0) << plan.err;
  auto r = parse_object(plan.out);
  EXPECT_EQ(r["status"], "dry_run");
  EXPECT_EQ(r["plan"].as_array().size(), 4u);
  for (const auto& e : r["plan"].as_array()) EXPECT_EQ(e.as_object().at("action"), "install");
  // No status, log, lock or known_hosts file: not even the directories.
  EXPECT_FALSE(fs::exists(w.root() / "data"));
  EXPECT_FALSE(fs::exists(w.root() / "logs"));
  // Nothing on the host either.
  EXPECT_FALSE(fs::exists(h.home() / "ComfyUI"));
  EXPECT_FALSE(fs::exists(h.home() / ".config/comfyvn"));
  EXPECT_EQ(count(read_file(w.fixtures().calls_log), "\n"), 0u) << read_file(w.fixtures().calls_log);
  auto dry = w.run(engine_world::with(w.args("install", {engine_world::spec(h)}), {"--dry-run"}));
  EXPECT_EQ(dry.code, 0) << dry.err;
  EXPECT_NE(dry.out.find("steps to run:"), std::string::npos) << dry.out;
  EXPECT_FALSE(fs::exists(w.root() / "data"));
}

TEST(EngineRun, AWipedHostIsReinstalledDespiteTheStatusFile) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  auto spec = engine_world::spec(h);
  ASSERT_EQ(w.run(w.args("install", {spec}, "comfyui")).code, 0);
  fs::remove_all(h.home() / "ComfyUI");
  fs::remove(h.home() / ".config/comfyvn/remote/comfyui.installed");

  auto plan = w.run(engine_world::with(w.args("plan", {spec}, "comfyui"), {"--json"}));
  auto entry = parse_object(plan.out)["plan"].as_array().at(0).as_object();
  EXPECT_EQ(entry["action"], "install");
  EXPECT_NE(std::string{entry["reason"].as_string()}.find("status file says installed, but the host no longer has it"),
            std::string::npos)
      << entry["reason"];
  auto again = w.run(engine_world::with(w.args("install", {spec}, "comfyui"), {"--json"}));
  EXPECT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(parse_object(again.out)["status"], "installed");
  EXPECT_TRUE(fs::exists(h.home() / "ComfyUI/.git"));
}

TEST(EngineRun, AFailedStepHaltsOnlyItsModuleAndTheRerunResumesThere) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  auto spec = engine_world::spec(h);
  auto broken = engine_world::with(w.args("install", {spec}, "sillytavern,ollama"),
                                   {"--set", "sillytavern.repo_url=file:///nonexistent/SillyTavern.git", "--json"});
  auto first = w.run(broken);
  EXPECT_EQ(first.code, 1) << "partial failure";
  auto r = parse_object(first.out);
  EXPECT_EQ(r["status"], "failed");
  EXPECT_EQ(strings_of(r["failed"]), std::vector<std::string>{"sillytavern"});
  EXPECT_EQ(strings_of(r["installed"]), std::vector<std::string>{"ollama"}) << "the run went on with the next module";
  auto rec = parse_object(status_file_text(w, h))["modules"].as_object()["sillytavern"].as_object();
  EXPECT_EQ(rec["state"], "failed");
  EXPECT_NE(std::string{rec["error"].as_string()}.find("step 'clone' failed"), std::string::npos) << rec["error"];
  EXPECT_NE(std::string{rec["stderr_tail"].as_string()}.find("nonexistent"), std::string::npos) << rec["stderr_tail"];
  EXPECT_TRUE(rec.contains("failed_at"));
  EXPECT_FALSE(fs::exists(h.home() / ".config/comfyvn/remote/sillytavern.installed")) << "no sentinel after a failure";

  // The fix: the right repository (the last --set wins). The rerun skips the done nodejs step.
  auto fixed = w.run(engine_world::with(w.args("install", {spec}, "sillytavern"), {"--json"}));
  ASSERT_EQ(fixed.code, 0) << fixed.err << fixed.out;
  auto steps = parse_object(fixed.out)["modules"].as_object()["sillytavern"].as_object()["steps"].as_array();
  ASSERT_GE(steps.size(), 3u);
  EXPECT_EQ(steps[0].as_object().at("id"), "nodejs");
  EXPECT_EQ(steps[0].as_object().at("outcome"), "already_done");
  EXPECT_EQ(steps[1].as_object().at("id"), "clone");
  EXPECT_EQ(steps[1].as_object().at("outcome"), "done");
  auto after = parse_object(status_file_text(w, h))["modules"].as_object()["sillytavern"].as_object();
  EXPECT_EQ(after["state"], "installed");
  EXPECT_FALSE(after.contains("error")) << "a stale error never sits beside installed";
}

TEST(EngineRun, ConfigSyncNeverOverwritesAnOperatorsFile) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  fs::create_directories(h.home() / ".config/comfyvn/remote");
  { std::ofstream{h.home() / ".config/comfyvn/remote/comfyui.json"} << "operator tuned\n"; }
  auto plan = w.run(engine_world::with(w.args("plan", {engine_world::spec(h)}, "comfyui"), {"--json"}));
  auto sync = parse_object(plan.out)["plan"].as_array().at(0).as_object()["config_sync"].as_array().at(0).as_object();
  EXPECT_EQ(sync["remote_exists"], true);
  EXPECT_EQ(sync["will_upload"], false);
  auto run = w.run(w.args("install", {engine_world::spec(h)}, "comfyui"));
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(read_file(h.home() / ".config/comfyvn/remote/comfyui.json"), "operator tuned\n");
}

TEST(EngineRun, ADeadAndAKilledHostFailOnlyThemselves) {
  REQUIRE_SSHD();
  engine_world w;
  w.add_host();
  auto& b = w.add_host("127.0.0.2");
  // A port nobody listens on: bound and closed again, so connect is refused at once.
  auto& dead = w.add_host("127.0.0.3");
  const std::string dead_spec = engine_world::spec(dead);
  dead.stop(true);
  auto gate = w.scratch() / "gate.fifo";
  auto python = w.gate_python(gate, b.home());
  auto inv = w.inventory({0, 1}, {dead_spec + " identity=" + dead.user_key().string()});
  auto args = engine_world::with(w.args("install", {}, "comfyui,ollama"), {"-i", inv.string(), "--set", "comfyui.python=" + python.string(), "--json"});
  auto child = w.spawn(args, "fleet");
  ASSERT_GT(child.pid, 0);
  ASSERT_EQ(engine_world::pass_gate(gate), "reached");
  b.stop(true);  // sshd and the session running the step are gone mid-step
  const int code = child.wait();
  EXPECT_EQ(code, 1) << read_file(child.err);
  auto r = parse_object(read_file(child.out));
  auto hosts = r["hosts"].as_array();
  ASSERT_EQ(hosts.size(), 3u) << read_file(child.out);
  EXPECT_EQ(hosts[0].as_object().at("status"), "installed");
  EXPECT_EQ(hosts[1].as_object().at("status"), "failed");
  EXPECT_EQ(hosts[2].as_object().at("status"), "failed");
  EXPECT_EQ(hosts[2].as_object().at("failure"), "unreachable");
  EXPECT_EQ(r["summary"].as_object()["failed"], 2);

  // Back up: the rerun completes what the killed run left.
  ASSERT_TRUE(b.restart());
  fs::remove(gate);
  auto rerun = w.run(engine_world::with(w.args("install", {}, "comfyui,ollama"), {"-i", w.inventory({1}).string(), "--json"}));
  EXPECT_EQ(rerun.code, 0) << rerun.err << rerun.out;
}

TEST(EngineRun, KillNineMidRunLeavesReadableRecordsAndTheRerunCompletes) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  auto gate = w.scratch() / "gate.fifo";
  auto python = w.gate_python(gate, h.home());
  auto args = engine_world::with(w.args("install", {engine_world::spec(h)}, "ollama,comfyui"),
                                 {"--set", "comfyui.python=" + python.string()});
  auto child = w.spawn(args, "killed");
  ASSERT_EQ(engine_world::pass_gate(gate), "reached");
  ::kill(child.pid, SIGKILL);
  EXPECT_EQ(child.wait(), 128 + SIGKILL);

  // The manifest parses and records what finished before the kill; no temp files are left.
  auto manifest = parse_object(status_file_text(w, h));
  ASSERT_FALSE(manifest.empty());
  EXPECT_EQ(manifest["modules"].as_object()["ollama"].as_object()["state"], "installed");
  EXPECT_EQ(manifest["last_run"].as_object()["state"], "running");
  for (const auto& e : fs::directory_iterator{w.status_dir()}) {
    EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << e.path();
  }
  auto status = w.run({"--root", w.root().string(), "status", engine_world::spec(h)});
  EXPECT_NE(status.out.find("interrupted"), std::string::npos) << status.out;

  fs::remove(gate);
  auto rerun = w.run(engine_world::with(w.args("install", {engine_world::spec(h)}, "ollama,comfyui"), {"--json"}));
  ASSERT_EQ(rerun.code, 0) << rerun.err;
  auto r = parse_object(rerun.out);
  EXPECT_EQ(strings_of(r["skipped"]), std::vector<std::string>{"ollama"});
  EXPECT_EQ(strings_of(r["installed"]), std::vector<std::string>{"comfyui"});
}

TEST(EngineRun, InterruptStopsTheRemoteStepAndRecordsTheRunAsCancelled) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  auto gate = w.scratch() / "gate.fifo";
  auto hold = w.scratch() / "hold.fifo";
  auto python = w.gate_python(gate, h.home(), hold);
  auto args = engine_world::with(w.args("install", {engine_world::spec(h)}, "comfyui,ollama"),
                                 {"--set", "comfyui.python=" + python.string(), "--json"});
  auto child = w.spawn(args, "interrupted");
  ASSERT_EQ(engine_world::pass_gate(gate), "reached");  // the venv step now blocks on `hold`
  ::kill(child.pid, SIGINT);
  EXPECT_EQ(child.wait(), 128 + SIGINT) << read_file(child.err);
  EXPECT_NE(read_file(child.err).find("interrupted: stopping remote commands"), std::string::npos);
  auto r = parse_object(read_file(child.out));
  EXPECT_EQ(r["status"], "cancelled") << read_file(child.out);
  EXPECT_EQ(strings_of(r["failed"]), (std::vector<std::string>{"comfyui", "ollama"}));
  auto manifest = parse_object(status_file_text(w, h));
  EXPECT_EQ(manifest["last_run"].as_object()["state"], "finished");
  EXPECT_EQ(manifest["last_run"].as_object()["status"], "cancelled");
  EXPECT_EQ(manifest["modules"].as_object()["ollama"].as_object()["state"], "failed");
  EXPECT_FALSE(fs::exists(h.home() / ".config/comfyvn/remote/comfyui.installed"));

  fs::remove(gate);
  auto rerun = w.run(engine_world::with(w.args("install", {engine_world::spec(h)}, "comfyui,ollama"), {"--json"}));
  EXPECT_EQ(rerun.code, 0) << rerun.err << rerun.out;
}

TEST(EngineRun, TwoRunsOnOneHostAreSerialised) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  auto gate = w.scratch() / "gate.fifo";
  auto python = w.gate_python(gate, h.home());
  auto args = engine_world::with(w.args("install", {engine_world::spec(h)}, "comfyui"), {"--set", "comfyui.python=" + python.string()});
  auto first = w.spawn(args, "first");
  // Wait until the first run is inside its venv step (it holds the host's lock by then).
  std::ifstream gate_in{gate};
  auto refused = w.run(w.args("install", {engine_world::spec(h)}, "comfyui"));
  EXPECT_EQ(refused.code, 3) << refused.err << refused.out;
  EXPECT_NE(refused.out.find("a run is already in progress on"), std::string::npos) << refused.out;
  auto status = w.run({"--root", w.root().string(), "status", engine_world::spec(h)});
  EXPECT_NE(status.out.find("a run is in progress now"), std::string::npos) << status.out;
  auto waiting = w.spawn(engine_world::with(w.args("install", {engine_world::spec(h)}, "comfyui"), {"--wait"}), "waiting");
  std::string word;
  gate_in >> word;  // lets the first run go on
  EXPECT_EQ(first.wait(), 0) << read_file(first.err);
  EXPECT_EQ(waiting.wait(), 0) << read_file(waiting.err);
  // Never interleaved: the first run's last line comes before the second run's first.
  auto log = read_file(w.log_dir() / (kernel::engine::host_token("127.0.0.1", h.target().port) + ".log"));
  auto done = log.find("Install orchestration complete");
  auto second_start = log.find("Starting remote install orchestration", log.find("Starting remote install orchestration") + 1);
  ASSERT_NE(done, std::string::npos);
  ASSERT_NE(second_start, std::string::npos) << log;
  EXPECT_LT(done, second_start);
}

TEST(EngineRun, AnAnsibleInventoryFleetIsRecordedUnderItsAliases) {
  REQUIRE_SSHD();
  engine_world w;
  auto& a = w.add_host();
  auto& b = w.add_host("127.0.0.2");
  auto line = [](const std::string& alias, const kernel::sandbox::throwaway_host& h) {
    auto t = h.target();
    return alias + " ansible_host=" + t.host + " ansible_port=" + std::to_string(t.port) + " ansible_user=" + t.user +
           " ansible_ssh_private_key_file=" + h.user_key().string() + " ansible_python_interpreter=/usr/bin/python3";
  };
  auto inv = w.scratch() / "hosts.ini";
  {
    std::ofstream f{inv};
    f << "[gpu]\n" << line("box-a", a) << "\n" << line("box-b", b) << "\n\n[cpu]\nnever-used ansible_host=127.0.0.9\n"
      << "\n[gpu:vars]\ncomfyui.ref=master\n";
  }
  auto run = w.run(engine_world::with(w.args("install", {}, "comfyui"), {"-i", inv.string(), "--limit", "gpu", "--json"}));
  ASSERT_EQ(run.code, 0) << run.err << run.out;
  auto r = parse_object(run.out);
  EXPECT_EQ(r["status"], "installed");
  auto hosts = r["hosts"].as_array();
  ASSERT_EQ(hosts.size(), 2u);
  EXPECT_EQ(hosts[0].as_object().at("host"), "box-a");
  EXPECT_EQ(hosts[1].as_object().at("host"), "box-b");
  const auto token = kernel::engine::host_token("box-a", a.target().port);
  EXPECT_TRUE(fs::exists(w.status_dir() / (token + ".json")));
  auto status = w.run({"--root", w.root().string(), "status", "-i", inv.string(), "--limit", "box-b", "--json"});
  ASSERT_EQ(status.code, 0) << status.err;
  auto s = parse_object(status.out);
  EXPECT_EQ(s["host"], "box-b");
  EXPECT_EQ(s["status"].as_object()["modules"].as_object()["comfyui"].as_object()["state"], "installed");
}

TEST(EngineRun, BadInputIsRefusedBeforeAnythingRuns) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  auto bad_module = w.run(w.args("install", {engine_world::spec(h)}, "comfyui,base_tools"));
  EXPECT_EQ(bad_module.code, 2);
  EXPECT_NE(bad_module.err.find("unknown module 'base_tools'"), std::string::npos) << bad_module.err;
  auto inject = w.run(w.args("plan", {"-oProxyCommand=touch /tmp/rio-pwned"}, "comfyui"));
  EXPECT_EQ(inject.code, 2) << inject.err;
  EXPECT_FALSE(fs::exists("/tmp/rio-pwned"));
  auto bad_option = w.run(engine_world::with(w.args("plan", {engine_world::spec(h)}, "comfyui"), {"--set", "comfyui.ref=-x"}));
  EXPECT_EQ(bad_option.code, 2);
  EXPECT_NE(bad_option.err.find("ref"), std::string::npos) << bad_option.err;
  auto no_modules = w.run({"--root", w.root().string(), "--plugin-dir", RIO_TEST_PLUGIN_DIR, "plan", engine_world::spec(h)});
  EXPECT_EQ(no_modules.code, 2);
  EXPECT_FALSE(fs::exists(w.root() / "data"));
}

}  // namespace
}  // namespace rio::test
