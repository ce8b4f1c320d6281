// A host that was reached but whose detection script told nothing: the shell running it was
// killed midway (as Dropbear dropping an over-long command, or an OOM killer, would do). Nothing
// is known about the host then, neither what is installed nor what the preflight would refuse,
// so rio must not plan installs there and call the plan a success: the host fails with
// `detection_failed`, the reason, and exit 1; an install runs nothing on it. The `faulty`
// module's probe carries the kill (its own subshell's `$$` is the detection shell).
#include "fault_support.hpp"

namespace rio::test {
namespace {

constexpr const char* kill_the_detection = "faulty.probe=kill -KILL $$";

TEST(FaultsDetection, AHostWhoseDetectionDiesIsNeitherPlannedNorInstalled) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  const auto plugins = fault_plugin_dir(w.scratch());
  const auto spec = engine_world::spec(h);
  const auto run = [&](const std::string& verb, std::vector<std::string> extra) {
    return w.run(using_plugins(engine_world::with(w.args(verb, {spec}, "faulty,ollama"), std::move(extra)), plugins));
  };

  // The plan, as a person reads it: the host line says detection failed, and why.
  auto text = run("plan", {"--set", kill_the_detection});
  EXPECT_EQ(text.code, 1) << text.err << text.out;
  EXPECT_NE(text.out.find("DETECTION FAILED, nothing planned: detection failed: "), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("to install"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("detection failed on 1"), std::string::npos) << text.out;
  std::cout << "[ user sees ]\n" << text.out;

  // The same plan in JSON: no module is an install, every one is blocked by `detection`.
  auto plan = run("plan", {"--set", kill_the_detection, "--json"});
  EXPECT_EQ(plan.code, 1) << plan.err << plan.out;
  auto p = parse_object(plan.out);
  EXPECT_EQ(p["ok"], false);
  EXPECT_EQ(p["failure"], "detection_failed");
  EXPECT_NE(std::string{p["error"].as_string()}.find("detection failed: "), std::string::npos) << plan.out;
  for (const auto& m : p["plan"].as_array()) {
    const auto& entry = m.as_object();
    EXPECT_EQ(entry.at("action"), "blocked") << plan.out;
    EXPECT_EQ(entry.at("preflight").as_array().at(0).as_object().at("check"), "detection") << plan.out;
  }

  // An install runs nothing: both modules fail with the reason, and no sentinel appears.
  auto install = run("install", {"--set", kill_the_detection, "--json"});
  EXPECT_EQ(install.code, 1) << install.err << install.out;
  auto r = parse_object(install.out);
  EXPECT_EQ(r["failure"], "detection_failed");
  EXPECT_EQ(strings_of(r["failed"]), (std::vector<std::string>{"faulty", "ollama"})) << install.out;
  EXPECT_EQ(strings_of(r["installed"]), std::vector<std::string>{});
  auto last = parse_object(read_file(manifest_of(w, h)))["last_run"].as_object();
  EXPECT_NE(std::string{last["error"].as_string()}.find("detection failed: "), std::string::npos);
  EXPECT_FALSE(fs::exists(h.home() / ".config/comfyvn/remote")) << "no module may have run on the host";
  expect_records_readable(w);

  // Once detection runs again, the host installs.
  auto rerun = run("install", {});
  ASSERT_EQ(rerun.code, 0) << rerun.err << rerun.out;
  expect_installed(w, h, {"faulty", "ollama"});
}

}  // namespace
}  // namespace rio::test
