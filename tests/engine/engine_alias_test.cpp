// Two inventory aliases of one machine (issue #22 point 7): both are hosts of the run, each with
// its own status record, and the per-machine lock does not make the second one fail as busy.
#include "engine_test_support.hpp"

#include <fstream>

namespace rio::test {
namespace {

TEST(EngineAliases, TwoAliasesOfOneMachineBothInstall) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  const auto t = h.target();
  const std::string vars = " ansible_host=" + t.host + " ansible_port=" + std::to_string(t.port) +
                           " ansible_user=" + t.user + " ansible_ssh_private_key_file=" + h.user_key().string();
  const auto inventory = w.scratch() / "aliases.ini";
  std::ofstream{inventory} << "[gpu]\nbox-a" << vars << "\nbox-b" << vars << "\n";

  auto r = w.run(engine_world::with(w.args("install", {}, "lmstudio"), {"-i", inventory.string(), "--json"}));
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  auto result = parse_object(r.out);
  ASSERT_TRUE(result["hosts"].is_array()) << r.out;
  const auto& hosts = result["hosts"].as_array();
  ASSERT_EQ(hosts.size(), 2u) << r.out;
  EXPECT_EQ(hosts[0].at("host").as_string(), "box-a");
  EXPECT_EQ(hosts[1].at("host").as_string(), "box-b");
  for (const auto& one : hosts) EXPECT_NE(one.at("status").as_string(), "failed") << r.out;

  // One status record per alias.
  int records = 0;
  for (const auto& e : fs::directory_iterator(w.status_dir())) records += e.path().extension() == ".json" ? 1 : 0;
  EXPECT_EQ(records, 2);
  auto status = w.run({"--root", w.root().string(), "status", "-i", inventory.string(), "--json"});
  EXPECT_EQ(status.code, 0) << status.err << status.out;
  EXPECT_NE(status.out.find("box-a"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("box-b"), std::string::npos) << status.out;
}

}  // namespace
}  // namespace rio::test
