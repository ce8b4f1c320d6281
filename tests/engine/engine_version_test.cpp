// Versions (issue #24, point 1): each module reports its installed version in detection, the plan
// shows it beside the wanted one, and the status manifest records it with every install and noop.
#include "engine_test_support.hpp"

#include <boost/json/serialize.hpp>


namespace rio::test {
namespace {

// The fixture ComfyUI's commit as `git describe --always` abbreviates it (it has no tags).
std::string fixture_commit(engine_world& w) {
  return command_output("git -C '" + (w.fixtures().dir / "upstreams/comfyui.git").string() + "' rev-parse --short HEAD");
}

std::string str(const boost::json::value& v) { return v.is_string() ? std::string{v.get_string()} : "<" + boost::json::serialize(v) + ">"; }

const boost::json::object& plan_entry(const boost::json::object& r, const std::string& module) {
  for (const auto& p : r.at("plan").as_array()) {
    if (p.at("module").as_string() == module) return p.as_object();
  }
  static const boost::json::object none;
  return none;
}

TEST(EngineVersion, InstalledVersionsAreRecordedAndThePlanShowsInstalledAndWanted) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  const std::string commit = fixture_commit(w);
  ASSERT_EQ(commit.size(), 7u) << commit;

  // Before anything is installed the plan knows the wanted version only.
  auto before = parse_object(w.run(engine_world::with(w.args("plan", {engine_world::spec(h)}, "comfyui,ollama"), {"--json"})).out);
  const auto& fresh = plan_entry(before, "comfyui").at("version").as_object();
  EXPECT_TRUE(fresh.at("installed").is_null());
  EXPECT_EQ(str(fresh.at("wanted")), "master");

  auto installed = w.run(engine_world::with(w.args("install", {engine_world::spec(h)}, "comfyui,ollama"), {"--json"}));
  ASSERT_EQ(installed.code, 0) << installed.err << installed.out;
  auto manifest = parse_object(status_file_text(w, h));
  EXPECT_EQ(str(manifest["modules"].as_object()["comfyui"].as_object()["version"]), commit) << "recorded with the install";
  EXPECT_EQ(str(manifest["modules"].as_object()["ollama"].as_object()["version"]), "0.0.0-rio-fixture");

  auto after = w.run(w.args("plan", {engine_world::spec(h)}, "comfyui,ollama"));
  EXPECT_NE(after.out.find("version: " + commit + " installed, master wanted"), std::string::npos) << after.out;
  EXPECT_NE(after.out.find("version: 0.0.0-rio-fixture installed, latest wanted"), std::string::npos) << after.out;
  auto json = parse_object(w.run(engine_world::with(w.args("plan", {engine_world::spec(h)}, "comfyui,ollama"), {"--json"})).out);
  EXPECT_EQ(str(plan_entry(json, "comfyui").at("version").at("installed")), commit);
  EXPECT_TRUE(plan_entry(json, "ollama").at("version").at("wanted").is_null());

  // A commit made on the host shows in the next detection, and a noop run records it.
  const std::string repo = (h.home() / "ComfyUI").string();
  ASSERT_EQ(std::system(("git -C '" + repo + "' -c user.name=t -c user.email=t@localhost.invalid commit -q --allow-empty -m local").c_str()), 0);
  auto noop = w.run(w.args("install", {engine_world::spec(h)}, "comfyui"));
  ASSERT_EQ(noop.code, 0) << noop.out;
  const std::string moved = str(parse_object(status_file_text(w, h))["modules"].as_object()["comfyui"].as_object()["version"]);
  EXPECT_NE(moved, commit);
  EXPECT_EQ(moved.size(), 7u) << moved;
}

}  // namespace
}  // namespace rio::test
