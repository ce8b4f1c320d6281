// `rio inventory`: what an inventory resolves to, without connecting anywhere.
#include "cli_runner.hpp"
#include "temp_dir.hpp"

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

namespace rio::test {
namespace {

namespace json = boost::json;

TEST(CliInventory, ListsResolvedHostsAsATableOrJson) {
  temp_dir dir;
  auto file = dir.write("hosts.ini",
                        "[web]\nweb1 ansible_host=192.0.2.1 ansible_user=ops\nweb2:2222\n[db]\ndb1\n"
                        "[web:vars]\nansible_ssh_port=2022\n");
  auto table = run_cli({"inventory", "-i", file.string()});
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_NE(table.out.find("HOST"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("192.0.2.1"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("3 hosts"), std::string::npos) << table.out;

  auto r = run_cli({"inventory", "-i", file.string(), "--limit", "web:!web2", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto hosts = json::parse(r.out).at("hosts").as_array();
  ASSERT_EQ(hosts.size(), 1u) << r.out;
  EXPECT_EQ(hosts[0].at("name").as_string(), "web1");
  EXPECT_EQ(hosts[0].at("address").as_string(), "192.0.2.1");
  EXPECT_EQ(hosts[0].at("port").as_int64(), 2022);  // ansible_ssh_port beats the host's plain port
  EXPECT_EQ(hosts[0].at("user").as_string(), "ops");
}

TEST(CliInventory, BadInputIsAUsageError) {
  temp_dir dir;
  auto file = dir.write("hosts.ini", "[web]\nweb1\n");
  EXPECT_EQ(run_cli({"inventory"}).code, 2);
  auto nope = run_cli({"inventory", "-i", file.string(), "--limit", "web:nope"});
  EXPECT_EQ(nope.code, 2);
  EXPECT_NE(nope.err.find("'nope' matches no host or group"), std::string::npos) << nope.err;
  auto missing = run_cli({"inventory", "-i", (dir.path() / "none.ini").string()});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("no such file"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace rio::test
