// Issue #22, points 8-14: where rio used to disagree with ansible-core 2.14 on INI inventories,
// and the YAML and JSON formats. The differential corpus (inventory_corpus_test.cpp) checks the
// same rules against answers recorded from ansible-core; these tests name each rule.

#include <rio/kernel/inventory.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace rio::test {
namespace {

namespace inv = kernel::inventory;
using strings = std::vector<std::string>;

inv::inventory parse_ok(std::string_view text) {
  auto r = inv::parse_inventory(text, "hosts");
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : inv::inventory{};
}

const inv::host_entry& host(const inv::inventory& i, const std::string& name) {
  static const inv::host_entry none;
  auto it = std::find_if(i.hosts.begin(), i.hosts.end(), [&](const auto& h) { return h.name == name; });
  EXPECT_NE(it, i.hosts.end()) << name;
  return it == i.hosts.end() ? none : *it;
}

strings names(const inv::inventory& i) {
  strings out;
  for (const auto& h : i.hosts) out.push_back(h.name);
  return out;
}

strings pick(const inv::inventory& i, std::string_view pattern) {
  auto r = inv::select_hosts(i, pattern);
  EXPECT_TRUE(r) << pattern << ": " << r.error().message;
  return r ? names(*r) : strings{};
}

std::string pick_error(const inv::inventory& i, std::string_view pattern) {
  auto r = inv::select_hosts(i, pattern);
  EXPECT_FALSE(r) << pattern;
  return r ? std::string{} : r.error().message;
}

TEST(InventoryIssue22, SshSpellingsWinAtAnyLevel) {
  auto i = parse_ok("[g:vars]\nansible_ssh_user=group-ssh\nansible_ssh_port=2022\nansible_ssh_host=10.0.0.9\n"
                    "[g]\nh1 ansible_user=host-plain ansible_port=3000 ansible_host=10.0.0.1\nh2:2200\n");
  EXPECT_EQ(host(i, "h1").where.user, "group-ssh");
  EXPECT_EQ(host(i, "h1").where.port, 2022);
  EXPECT_EQ(host(i, "h1").where.host, "10.0.0.9");
  EXPECT_EQ(host(i, "h2").where.port, 2022);  // name:port is a host-level ansible_port
}

TEST(InventoryIssue22, GroupPriorityOrdersGroupsOfEqualDepth) {
  auto i = parse_ok("[a]\nh1\n[b]\nh1\n[a:vars]\nansible_user=from-a\nansible_group_priority=10\n[b:vars]\nansible_user=from-b\n");
  EXPECT_EQ(host(i, "h1").where.user, "from-a");
  EXPECT_FALSE(inv::parse_inventory("[a:vars]\nansible_group_priority=high\n", "hosts"));
}

TEST(InventoryIssue22, HashInsideAWordStartsAnAnsibleComment) {
  auto i = parse_ok("[g]\nh1 note=a#b ansible_port=2222\n");
  EXPECT_EQ(host(i, "h1").where.port, 22);
  EXPECT_FALSE(host(i, "h1").port_set);
}

TEST(InventoryIssue22, AHostNameBeatsAGroupOfTheSameName) {
  auto i = parse_ok("[web1]\nweb3\n[g]\nweb1\n");
  EXPECT_EQ(pick(i, "web1"), (strings{"web1"}));
  EXPECT_EQ(pick(i, "g:!web1"), (strings{"web1"}));  // '!web1' is the group, as in Ansible
}

TEST(InventoryIssue22, AHeaderlessFileIsAnsibleIniUnlessItUsesSimpleListSyntax) {
  auto i = parse_ok("badwolf.example.com:5309\njumper ansible_port=5555 ansible_host=192.0.2.50\n");
  EXPECT_EQ(names(i), (strings{"badwolf.example.com", "jumper"}));
  EXPECT_EQ(host(i, "badwolf.example.com").where.port, 5309);
  EXPECT_EQ(host(i, "jumper").where.host, "192.0.2.50");
  EXPECT_EQ(host(i, "jumper").groups, (strings{"ungrouped"}));
  EXPECT_EQ(names(parse_ok("alice@gpu1:2222\n")), (strings{"gpu1:2222"}));
  EXPECT_EQ(names(parse_ok("127.0.0.1:2201\n127.0.0.1:2202\n")), (strings{"127.0.0.1:2201", "127.0.0.1:2202"}));
}

TEST(InventoryIssue22, AcceptsEmptyUserZoneIdsAndBracketedHosts) {
  auto i = parse_ok("[g]\nh1 ansible_user=\nh2 ansible_host=[2001:db8::1]\nh3 ansible_host=fe80::1%eth0\nfe80::2%eth1\n"
                    "[g:vars]\nansible_user=ops\n");
  EXPECT_FALSE(host(i, "h1").user_set);
  EXPECT_EQ(host(i, "h2").where.host, "2001:db8::1");
  EXPECT_EQ(host(i, "h3").where.host, "fe80::1%eth0");
  EXPECT_EQ(host(i, "fe80::2%eth1").where.host, "fe80::2%eth1");
}

TEST(InventoryIssue22, JinjaValuesSayTemplatingIsNotSupported) {
  for (std::string_view text : {"[g]\nh1 ansible_host=\"{{ lookup('env', 'H') }}\"\n", "[g:vars]\nansible_user={{ who }}\n"}) {
    auto r = inv::parse_inventory(text, "hosts");
    ASSERT_FALSE(r) << text;
    EXPECT_NE(r.error().message.find("Jinja template; rio does not evaluate templates"), std::string::npos) << r.error().message;
  }
  EXPECT_TRUE(inv::parse_inventory("[g]\nh1 motd=\"{{ x }}\"\n", "hosts"));  // not rio's: ignored
}

TEST(InventoryIssue22, LimitPatternsFollowAnsible) {
  auto i = parse_ok("[web]\nweb1\nweb2\nweb3\n[db]\ndb1\nweb2\n[lb]\nlb1\n");
  EXPECT_EQ(pick(i, "web:db"), (strings{"web1", "web2", "web3", "db1"}));
  EXPECT_EQ(pick(i, "web:&db"), (strings{"web2"}));
  EXPECT_EQ(pick(i, "web:!db"), (strings{"web1", "web3"}));
  EXPECT_EQ(pick(i, "!db:web"), (strings{"web1", "web3"}));  // exclusions apply last
  EXPECT_EQ(pick(i, "!db"), (strings{"web1", "web3", "lb1"}));
  EXPECT_EQ(pick(i, "web*"), (strings{"web1", "web2", "web3"}));
  EXPECT_EQ(pick(i, "~(web|lb)[13]"), (strings{"web1", "web3", "lb1"}));
  EXPECT_EQ(pick(i, "web[0]"), (strings{"web1"}));
  EXPECT_EQ(pick(i, "web[-1]"), (strings{"web3"}));
  EXPECT_EQ(pick(i, "web[1:]"), (strings{"web2", "web3"}));
  EXPECT_EQ(pick(i, "web[0:1],lb"), (strings{"web1", "web2", "lb1"}));
  EXPECT_NE(pick_error(i, "web:wbe").find("'wbe' matches no host or group"), std::string::npos);
  EXPECT_NE(pick_error(i, "web[7]").find("no hosts matched the subscripted pattern"), std::string::npos);
  EXPECT_NE(pick_error(i, "web:&lb").find("selects no host"), std::string::npos);
  EXPECT_NE(pick_error(i, "~(?P<x>web)").find("Python regex syntax"), std::string::npos);
  EXPECT_NE(pick_error(i, "~web(").find("not a valid regular expression"), std::string::npos);
}

// Found by tests/fuzz (regressions/inventory): names that patterns would otherwise misread.
TEST(InventoryIssue22, ExactNamesAndAllAlwaysSelect) {
  auto yaml = parse_ok("all:\n  children:\n    bet[::1]:2222a:\n      hosts:\n        h1:\n");
  EXPECT_EQ(pick(yaml, "bet[::1]:2222a"), (strings{"h1"}));  // a group's exact name, brackets and all
  auto named_all = parse_ok("[g]\nh1\nall:7\n");
  EXPECT_EQ(pick(named_all, "all"), (strings{"h1", "all"}));  // `all` is every host, even beside a host "all"
  EXPECT_FALSE(inv::parse_inventory("all:\n  hosts:\n    h1:\n? ''\n: children:\n    all2:\n", "e.yml"));
}

TEST(InventoryIssue22, ReadsAnsibleYaml) {
  auto i = parse_ok(
      "all:\n"
      "  hosts:\n"
      "    jump.example.com:2222:\n"
      "  vars:\n"
      "    ansible_user: ops\n"
      "  children:\n"
      "    web:\n"
      "      hosts:\n"
      "        web[01:02]:\n"
      "          ansible_host: 10.0.0.5\n"
      "      vars:\n"
      "        comfyui.ref: v1\n"
      "        ansible_ssh_port: \"2022\"\n");
  EXPECT_EQ(names(i), (strings{"jump.example.com", "web01", "web02"}));
  EXPECT_EQ(host(i, "jump.example.com").where.port, 2222);
  EXPECT_EQ(host(i, "web02").where.port, 2022);
  EXPECT_EQ(host(i, "web02").where.user, "ops");
  EXPECT_EQ(host(i, "web01").module_options.at("comfyui").at("ref"), "v1");
  EXPECT_EQ(host(i, "web01").groups, (strings{"web"}));
  auto bad = inv::parse_inventory("all:\n  hosts:\n    h1:\n      ansible_port: ssh\n", "fleet.yml");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message.substr(0, 12), "fleet.yml:4:");
}

TEST(InventoryIssue22, YamlAliasesCannotMultiplyTheWork) {
  // Each level names the one below twice: 2^24 group bodies from a 1 kB file.
  std::string text = "all:\n  children:\n    a0: &a0 {hosts: {h1: }}\n";
  for (int i = 1; i <= 24; ++i) {
    const std::string n = std::to_string(i), below = std::to_string(i - 1);
    text += "    a" + n + ": &a" + n + " {children: {x" + n + ": *a" + below + ", y" + n + ": *a" + below + "}}\n";
  }
  auto r = inv::parse_inventory(text, "bomb.yml");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("group definitions (YAML aliases repeat them)"), std::string::npos) << r.error().message;
}

TEST(InventoryIssue22, ReadsAnsibleInventoryListJson) {
  auto i = parse_ok(R"({"_meta": {"hostvars": {"h1": {"ansible_host": "10.0.0.1", "ansible_port": 2201},
                                                  "h2": {"ansible_user": "bob"}}},
                       "all": {"children": ["ungrouped", "web"]},
                       "web": {"hosts": ["h1", "h2"], "vars": {"ansible_user": "ops"}}})");
  EXPECT_EQ(names(i), (strings{"h1", "h2"}));
  EXPECT_EQ(host(i, "h1").where.host, "10.0.0.1");
  EXPECT_EQ(host(i, "h1").where.port, 2201);
  EXPECT_EQ(host(i, "h1").where.user, "ops");
  EXPECT_EQ(host(i, "h2").where.user, "bob");
  auto bad = inv::parse_inventory(R"({"web": {"hosts": ["h1"]}, "_meta": {"hostvars": {"h1": {"ansible_port": "x"}}}})", "fleet.json");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message.substr(0, 23), "fleet.json: host 'h1': ");
}

}  // namespace
}  // namespace rio::test
