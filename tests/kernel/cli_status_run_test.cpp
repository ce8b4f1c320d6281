// Honest outputs: `rio status` names the root it read and what the last run said; `--json` of
// plan/install says "ok": false when something failed.
#include <rio/kernel/cli.hpp>
#include <rio/kernel/engine/status_manifest.hpp>

#include "cli_runner.hpp"
#include "temp_dir.hpp"

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include <sstream>

namespace rio::test {
namespace {

namespace json = boost::json;

TEST(CliStatus, EmptyRootNamesWhereItLookedAndHowToChooseAnother) {
  temp_dir root;
  auto r = run_cli({"--root", root.path().string(), "status"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(root.path().string()), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--root"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("RIO_ROOT"), std::string::npos) << r.out;
}

TEST(CliStatus, AMissingRootIsAnErrorNamingIt) {
  temp_dir root;
  const auto missing = (root.path() / "nonexistent").string();
  auto r = run_cli({"--root", missing, "status"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
}

TEST(CliStatus, ALongHostNameKeepsItsColumnsApartAndTheLastErrorShows) {
  temp_dir root;
  const std::string host = "gpu-node-017.rack3.lab.example.invalid.some-long-suffix.test";
  ASSERT_EQ(host.size(), 60u);
  kernel::engine::host_manifest m;
  m.host = host;
  kernel::engine::run_record last;
  last.id = "20261207T000000Z-1";
  last.state = "finished";
  last.status = "failed";
  last.error = "unreachable: connection refused";
  m.last_run = last;
  ASSERT_TRUE(kernel::engine::save_manifest(root.path() / "data/remote/install" / (host + ".json"), m));
  auto r = run_cli({"--root", root.path().string(), "status"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream lines{r.out};
  std::string header, first, second;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_EQ(first, host) << r.out;  // alone on its line: the old output glued "no modules recorded" to it
  EXPECT_EQ(second.find_first_not_of(' '), header.find("MODULE")) << r.out;
  EXPECT_NE(r.out.find("failed: unreachable: connection refused"), std::string::npos) << r.out;
}

TEST(CliRun, JsonOkIsFalseWhenAHostIsUnreachable) {
  temp_dir root;
  auto r = run_cli({"--root", root.path().string(), "plan", "127.0.0.1:1", "-m", "comfyui", "--json", "--connect-timeout", "2"});
  EXPECT_EQ(r.code, 1) << r.err;
  auto doc = json::parse(r.out).as_object();
  EXPECT_EQ(doc.at("ok"), false) << r.out;
}

}  // namespace
}  // namespace rio::test
