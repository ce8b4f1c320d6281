#include <rio/kernel/inventory.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rio::test {
namespace {

namespace inv = kernel::inventory;
using strings = std::vector<std::string>;

::testing::AssertionResult has(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

strings names(const inv::inventory& i) {
  strings out;
  for (const auto& h : i.hosts) out.push_back(h.name);
  return out;
}

std::string usage_error(std::string_view spec) {
  auto r = inv::parse_host_spec(spec);
  EXPECT_FALSE(r) << spec;
  if (r) return {};
  EXPECT_EQ(r.error().code, kernel::make_error_code(kernel::errc::bad_usage));
  return r.error().message;
}

TEST(InventoryHostSpec, ReadsEverySpelling) {
  struct row {
    std::string spec, host, user, name;
    int port;
    bool user_set, port_set;
  };
  for (const row& r : std::vector<row>{
           {"web1", "web1", "", "web1", 22, false, false},
           {"alice@web1", "web1", "alice", "web1", 22, true, false},
           {"web1:2222", "web1", "", "web1:2222", 2222, false, true},
           {"alice@web1.example.com:2222", "web1.example.com", "alice", "web1.example.com:2222", 2222, true, true},
           {"192.0.2.1:22", "192.0.2.1", "", "192.0.2.1", 22, false, true},
           {"[2001:db8::1]:2222", "2001:db8::1", "", "[2001:db8::1]:2222", 2222, false, true},
           {"bob@[::1]:2200", "::1", "bob", "[::1]:2200", 2200, true, true},
           {"[::1]", "::1", "", "::1", 22, false, false},
           {"fe80::1", "fe80::1", "", "fe80::1", 22, false, false},
       }) {
    auto h = inv::parse_host_spec(r.spec);
    ASSERT_TRUE(h) << r.spec << ": " << h.error().message;
    EXPECT_EQ(h->where.host, r.host) << r.spec;
    EXPECT_EQ(h->where.user, r.user) << r.spec;
    EXPECT_EQ(h->where.port, r.port) << r.spec;
    EXPECT_EQ(h->name, r.name) << r.spec;
    EXPECT_EQ(h->user_set, r.user_set) << r.spec;
    EXPECT_EQ(h->port_set, r.port_set) << r.spec;
    EXPECT_TRUE(h->groups.empty());
    EXPECT_TRUE(h->module_options.empty());
  }
}

TEST(InventoryHostSpec, NamesTheProblemAsAUsageError) {
  EXPECT_EQ(usage_error(""), "host '': host is empty");
  EXPECT_EQ(usage_error("alice@"), "host 'alice@': host is empty");
  EXPECT_EQ(usage_error("@web1"), "host '@web1': user before '@' is empty");
  EXPECT_EQ(usage_error("web1:"), "host 'web1:': port is empty");
  EXPECT_EQ(usage_error("web1:0"), "host 'web1:0': port '0' is not a number between 1 and 65535");
  EXPECT_EQ(usage_error("web1:70000"), "host 'web1:70000': port '70000' is not a number between 1 and 65535");
  EXPECT_EQ(usage_error("-oProxyCommand=x"),
            "host '-oProxyCommand=x': host '-oProxyCommand=x' starts with '-', which ssh would read as an option");
  EXPECT_TRUE(has(usage_error("-oProxyCommand=x@web1"), "user '-oProxyCommand=x' starts with '-'"));
  EXPECT_TRUE(has(usage_error("[web1]:22"), "'web1' in brackets is not an IPv6 address"));
  EXPECT_TRUE(has(usage_error("[::1"), "'[' without ']'"));
  EXPECT_TRUE(has(usage_error("[::1]2222"), "expected ':port' after ']'"));
  EXPECT_TRUE(has(usage_error("web 1"), "host 'web 1' contains whitespace or control characters"));
  EXPECT_TRUE(has(usage_error("web;1"), "host 'web;1' is not a valid host name: it contains ';', a shell metacharacter"));
  EXPECT_LT(usage_error(std::string(3000, 'x') + "_").size(), 250u);
}

inv::inventory fleet() {
  auto r = inv::parse_inventory(
      "[gpu:children]\n"
      "west\n"
      "east\n"
      "[west]\n"
      "w1\n"
      "w2\n"
      "[east]\n"
      "e1\n"
      "w1\n"
      "[db]\n"
      "d1\n"
      "[empty]\n",
      "fleet.ini");
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : inv::inventory{};
}

TEST(InventorySelect, MatchesGroupsHostsAndAll) {
  auto f = fleet();
  auto pick = [&](std::string_view pattern) {
    auto r = inv::select_hosts(f, pattern);
    EXPECT_TRUE(r) << pattern << ": " << r.error().message;
    return r ? names(*r) : strings{};
  };
  EXPECT_EQ(pick("all"), (strings{"w1", "w2", "e1", "d1"}));
  EXPECT_EQ(pick("west"), (strings{"w1", "w2"}));
  EXPECT_EQ(pick("east"), (strings{"w1", "e1"}));  // inventory order, not pattern order
  EXPECT_EQ(pick("gpu"), (strings{"w1", "w2", "e1"}));
  EXPECT_EQ(pick("d1,w2"), (strings{"w2", "d1"}));
  EXPECT_EQ(pick(" db , west "), (strings{"w1", "w2", "d1"}));
  EXPECT_EQ(pick("west,w1,gpu,all"), (strings{"w1", "w2", "e1", "d1"}));  // each host once
}

TEST(InventorySelect, APatternThatMatchesNothingIsAnError) {
  auto f = fleet();
  auto r = inv::select_hosts(f, "west,wset");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, kernel::make_error_code(kernel::errc::bad_usage));
  EXPECT_EQ(r.error().message, "host pattern 'wset' matches no host or group");
  EXPECT_FALSE(inv::select_hosts(f, "empty"));
  EXPECT_FALSE(inv::select_hosts(f, "W1"));
  EXPECT_TRUE(has(inv::select_hosts(f, "west,,db").error().message, "empty host pattern in 'west,,db'"));
  EXPECT_FALSE(inv::select_hosts(f, ""));
  EXPECT_FALSE(inv::select_hosts(inv::inventory{}, "all"));
}

TEST(InventorySelect, MatchesSimpleListNamesWithPorts) {
  auto f = inv::parse_inventory("127.0.0.1:2201\n127.0.0.1:2202\nweb1\n", "list");
  ASSERT_TRUE(f) << f.error().message;
  auto r = inv::select_hosts(*f, "127.0.0.1:2202,web1");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(names(*r), (strings{"127.0.0.1:2202", "web1"}));
  EXPECT_EQ(r->hosts.at(0).line, 2);
}

TEST(InventoryLoad, ReadsAFileAndNamesItInErrors) {
  temp_dir dir;
  auto good = dir.write("fleet.ini", "[gpu]\nbox1 ansible_host=10.0.0.1 comfyui.ref=v1\n");
  auto r = inv::load_inventory(good);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->hosts.size(), 1u);
  EXPECT_EQ(r->hosts[0].where.host, "10.0.0.1");

  auto bad = dir.write("bad.txt", "web1\nweb2:0\n");
  auto e = inv::load_inventory(bad);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, kernel::make_error_code(kernel::errc::bad_config));
  EXPECT_EQ(e.error().message, bad.string() + ":2: port '0' is not a number between 1 and 65535");
}

TEST(InventoryLoad, AMissingFileIsABadConfig) {
  temp_dir dir;
  auto missing = dir.path() / "nope.ini";
  auto r = inv::load_inventory(missing);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, kernel::make_error_code(kernel::errc::bad_config));
  EXPECT_EQ(r.error().message, missing.string() + ": no such file");

  auto d = inv::load_inventory(dir.path());
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().message, dir.path().string() + ": not a regular file");
}

}  // namespace
}  // namespace rio::test
