#include <rio/kernel/inventory.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rio::test {
namespace {

namespace inv = kernel::inventory;
using strings = std::vector<std::string>;

inv::inventory parse_ok(std::string_view text) {
  auto r = inv::parse_inventory(text, "hosts.ini");
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : inv::inventory{};
}

std::string parse_error(std::string_view text) {
  auto r = inv::parse_inventory(text, "hosts.ini");
  EXPECT_FALSE(r) << "parsed without error: " << text;
  if (r) return {};
  EXPECT_EQ(r.error().code, kernel::make_error_code(kernel::errc::bad_config));
  return r.error().message;
}

::testing::AssertionResult has(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

const inv::host_entry& host(const inv::inventory& i, const std::string& name) {
  for (const auto& h : i.hosts) {
    if (h.name == name) return h;
  }
  ADD_FAILURE() << "no host " << name;
  static const inv::host_entry none;
  return none;
}

strings names(const inv::inventory& i) {
  strings out;
  for (const auto& h : i.hosts) out.push_back(h.name);
  return out;
}

std::string option(const inv::host_entry& h, const std::string& module, const std::string& name) {
  auto m = h.module_options.find(module);
  if (m == h.module_options.end()) return "<unset>";
  auto o = m->second.find(name);
  return o == m->second.end() ? "<unset>" : o->second;
}

std::string ssh_name(const inv::host_entry& h) {
  return h.where.user + "@" + kernel::ssh::display_name(h.where);
}

TEST(InventoryAnsible, ReadsGroupsAliasesAndConnectionVariables) {
  auto inv = parse_ok(
      "[web]\n"
      "web1.example.com\n"
      "jumper ansible_host=192.0.2.50 ansible_port=5555 ansible_user=admin\n"
      "\n"
      "[db]\n"
      "db1.example.com:2222 ansible_ssh_user=postgres ansible_ssh_private_key_file=/keys/db\n"
      "db2 ansible_ssh_host=2001:db8::7 ansible_ssh_port=2200 ansible_private_key_file=~/k\n");
  EXPECT_EQ(names(inv), (strings{"web1.example.com", "jumper", "db1.example.com", "db2"}));

  const auto& web1 = host(inv, "web1.example.com");
  EXPECT_EQ(web1.where.host, "web1.example.com");
  EXPECT_EQ(web1.where.port, 22);
  EXPECT_FALSE(web1.port_set);
  EXPECT_FALSE(web1.user_set);
  EXPECT_EQ(web1.groups, strings{"web"});
  EXPECT_EQ(web1.line, 2);

  const auto& jumper = host(inv, "jumper");
  EXPECT_EQ(jumper.where.host, "192.0.2.50");
  EXPECT_EQ(jumper.where.port, 5555);
  EXPECT_TRUE(jumper.port_set);
  EXPECT_EQ(jumper.where.user, "admin");
  EXPECT_TRUE(jumper.user_set);

  const auto& db1 = host(inv, "db1.example.com");
  EXPECT_EQ(db1.where.host, "db1.example.com");
  EXPECT_EQ(db1.where.port, 2222);
  EXPECT_EQ(db1.where.user, "postgres");
  EXPECT_EQ(db1.identity, "/keys/db");
  EXPECT_EQ(db1.groups, strings{"db"});
  EXPECT_EQ(db1.line, 6);

  const auto& db2 = host(inv, "db2");
  EXPECT_EQ(db2.where.host, "2001:db8::7");
  EXPECT_EQ(db2.where.port, 2200);
  EXPECT_EQ(db2.identity, "~/k");
}

TEST(InventoryAnsible, AcceptsRiosOwnKeysToo) {
  auto inv = parse_ok("[gpu]\nbox1 ansible_host=10.0.0.9 user=ops port=2022 identity=/k comfyui.ref=v0.3.10\n");
  const auto& h = host(inv, "box1");
  EXPECT_EQ(h.where.user, "ops");
  EXPECT_EQ(h.where.port, 2022);
  EXPECT_EQ(h.identity, "/k");
  EXPECT_EQ(option(h, "comfyui", "ref"), "v0.3.10");
}

TEST(InventoryAnsible, HostsBeforeAnyHeaderAreUngrouped) {
  auto inv = parse_ok(
      "loose1\n"
      "both\n"
      "[web]\n"
      "web1\n"
      "both\n"
      "[all]\n"
      "only-in-all\n");
  EXPECT_EQ(names(inv), (strings{"loose1", "both", "web1", "only-in-all"}));
  EXPECT_EQ(host(inv, "loose1").groups, strings{"ungrouped"});
  // As in Ansible: "ungrouped" keeps only the hosts that no other group lists.
  EXPECT_EQ(host(inv, "both").groups, strings{"web"});
  EXPECT_EQ(host(inv, "web1").groups, strings{"web"});
  EXPECT_EQ(host(inv, "only-in-all").groups, strings{"ungrouped"});
}

TEST(InventoryAnsible, AppliesVariablesWithAnsiblePrecedence) {
  auto inv = parse_ok(
      "[all:vars]\n"
      "ansible_user=everyone\n"
      "comfyui.ref=from-all\n"
      "ansible_port=2000\n"
      "\n"
      "[gpu:children]\n"
      "west\n"
      "\n"
      "[gpu:vars]\n"
      "ansible_user=gpu-admin\n"
      "comfyui.ref=from-gpu\n"
      "ollama.models=llama3\n"
      "\n"
      "[west]\n"
      "w1\n"
      "w2 ansible_user=w2-own comfyui.ref=from-host\n"
      "\n"
      "[west:vars]\n"
      "comfyui.ref=from-west\n"
      "\n"
      "[east]\n"
      "e1\n");
  const auto& w1 = host(inv, "w1");
  EXPECT_EQ(w1.where.user, "gpu-admin");            // group beats all
  EXPECT_EQ(option(w1, "comfyui", "ref"), "from-west");  // child group beats its parent
  EXPECT_EQ(option(w1, "ollama", "models"), "llama3");   // inherited from the parent
  EXPECT_EQ(w1.where.port, 2000);                   // from all
  EXPECT_TRUE(w1.port_set);
  EXPECT_EQ(w1.groups, (strings{"gpu", "west"}));

  const auto& w2 = host(inv, "w2");
  EXPECT_EQ(w2.where.user, "w2-own");  // the host line beats every group
  EXPECT_EQ(option(w2, "comfyui", "ref"), "from-host");

  const auto& e1 = host(inv, "e1");
  EXPECT_EQ(e1.where.user, "everyone");
  EXPECT_EQ(option(e1, "comfyui", "ref"), "from-all");
  EXPECT_EQ(option(e1, "ollama", "models"), "<unset>");
  EXPECT_EQ(e1.groups, strings{"east"});
}

TEST(InventoryAnsible, DepthDecidesNotFileOrderAndEqualDepthsGoByName) {
  auto inv = parse_ok(
      "[child:vars]\n"
      "ansible_user=from-child\n"
      "[zeta:vars]\n"
      "comfyui.ref=from-zeta\n"
      "[alpha:vars]\n"
      "comfyui.ref=from-alpha\n"
      "[parent:vars]\n"
      "ansible_user=from-parent\n"
      "[parent:children]\n"
      "child\n"
      "[child]\n"
      "h1\n"
      "[zeta]\n"
      "h2\n"
      "[alpha]\n"
      "h2\n");
  EXPECT_EQ(host(inv, "h1").where.user, "from-child");
  // zeta and alpha are both top-level: the later name wins, whatever the file order.
  EXPECT_EQ(option(host(inv, "h2"), "comfyui", "ref"), "from-zeta");
  EXPECT_EQ(host(inv, "h2").groups, (strings{"zeta", "alpha"}));
}

TEST(InventoryAnsible, SynonymsShareOnePrecedence) {
  auto inv = parse_ok("[g:vars]\nansible_user=group-user\nport=3000\n[g]\nh1 user=host-user ansible_port=3001\nh2\n");
  EXPECT_EQ(host(inv, "h1").where.user, "host-user");
  EXPECT_EQ(host(inv, "h1").where.port, 3001);
  EXPECT_EQ(host(inv, "h2").where.user, "group-user");
  EXPECT_EQ(host(inv, "h2").where.port, 3000);
}

TEST(InventoryAnsible, ResolvesChildrenTransitively) {
  auto inv = parse_ok(
      "[top:children]\n"
      "middle\n"
      "[middle:children]\n"
      "leaf\n"
      "[top:vars]\n"
      "comfyui.ref=top\n"
      "identity=/keys/top\n"
      "[middle:vars]\n"
      "comfyui.ref=middle\n"
      "[leaf]\n"
      "deep1\n"
      "[other]\n"
      "o1\n");
  const auto& deep = host(inv, "deep1");
  EXPECT_EQ(deep.groups, (strings{"top", "middle", "leaf"}));
  EXPECT_EQ(option(deep, "comfyui", "ref"), "middle");
  EXPECT_EQ(deep.identity, "/keys/top");
  auto top = inv::select_hosts(inv, "top");
  ASSERT_TRUE(top) << top.error().message;
  EXPECT_EQ(names(*top), strings{"deep1"});
}

TEST(InventoryAnsible, RefusesGroupCycles) {
  EXPECT_EQ(parse_error("[a:children]\nb\n[b:children]\nc\n[c:children]\na\n[a]\nh1\n"),
            "hosts.ini:6: [group:children] entries form a cycle: a -> b -> c -> a");
  EXPECT_EQ(parse_error("[a:children]\na\n"), "hosts.ini:2: [group:children] entries form a cycle: a -> a");
  // A group below a cycle is no part of it, but the cycle is still found.
  EXPECT_TRUE(has(parse_error("[x:children]\ny\n[y:children]\nx\nz\n"), "x -> y -> x"));
  EXPECT_EQ(parse_error("[a:children]\nall\n"), "hosts.ini:2: group 'all' cannot be a child of another group");
}

TEST(InventoryAnsible, MergesAHostListedInSeveralGroups) {
  auto inv = parse_ok(
      "[web]\n"
      "h0\n"
      "shared ansible_user=first comfyui.ref=a\n"
      "[db]\n"
      "shared ansible_port=2201 comfyui.ref=b\n"
      "[web]\n"
      "shared\n");
  EXPECT_EQ(names(inv), (strings{"h0", "shared"}));
  const auto& h = host(inv, "shared");
  EXPECT_EQ(h.line, 3);
  EXPECT_EQ(h.groups, (strings{"web", "db"}));
  EXPECT_EQ(h.where.user, "first");
  EXPECT_EQ(h.where.port, 2201);
  EXPECT_EQ(option(h, "comfyui", "ref"), "b");
}

TEST(InventoryAnsible, RefusesOneNameForTwoAddresses) {
  EXPECT_EQ(parse_error("[a]\n10.0.0.5:2201\n[b]\n10.0.0.5:2202\n"),
            "hosts.ini:4: host '10.0.0.5' was listed on line 2 with another port; one name is one host, so give each "
            "machine its own alias (alias ansible_host=... ansible_port=...)");
  EXPECT_TRUE(has(parse_error("[a]\nbox ansible_host=10.0.0.1\n[b]\nbox ansible_host=10.0.0.2\n"),
                  "hosts.ini:4: host 'box' was listed on line 2 with another host"));
  // The same address twice, or a port given once, is one host in two groups.
  auto inv = parse_ok("[a]\n10.0.0.5:2201\n[b]\n10.0.0.5:2201\n[c]\n10.0.0.5\n");
  ASSERT_EQ(inv.hosts.size(), 1u);
  EXPECT_EQ(inv.hosts[0].where.port, 2201);
  EXPECT_EQ(inv.hosts[0].groups, (strings{"a", "b", "c"}));
}

TEST(InventoryAnsible, TellsHeadersFromIpv6HostsAndRanges) {
  auto v6 = parse_ok("[::1]:2222\n");
  ASSERT_EQ(v6.hosts.size(), 1u);
  EXPECT_EQ(v6.hosts[0].where.host, "::1");
  EXPECT_EQ(v6.hosts[0].where.port, 2222);

  auto inv = parse_ok(
      "[v6]   # lab machines\n"
      "[::1]:2222\n"
      "[2001:db8::5]\n"
      "fe80::9\n"
      "web[01:02].example.com\n");
  EXPECT_EQ(names(inv), (strings{"::1", "2001:db8::5", "fe80::9", "web01.example.com", "web02.example.com"}));
  EXPECT_EQ(inv.hosts[0].where.port, 2222);
  EXPECT_EQ(inv.hosts[0].where.host, "::1");
  EXPECT_FALSE(inv.hosts[1].port_set);
  for (const auto& h : inv.hosts) EXPECT_EQ(h.groups, strings{"v6"});
}

TEST(InventoryAnsible, IgnoresForeignVariablesButChecksRecognisedOnes) {
  auto inv = parse_ok(
      "; an Ansible-style comment\n"
      "[web]\n"
      "web1 ansible_connection=ssh ansible_python_interpreter=/usr/bin/python3 http_port=80 maxRequestsPerChild=808\n"
      "[web:vars]\n"
      "ntp_server = ntp.example.com\n"
      "motd = Welcome to the \"fleet\"   # unbalanced ' quotes are fine here\n"
      "ansible_become=true\n");
  EXPECT_EQ(names(inv), strings{"web1"});
  EXPECT_TRUE(host(inv, "web1").module_options.empty());

  EXPECT_EQ(parse_error("[web]\nweb1 ansible_port=70000\n"),
            "hosts.ini:2: ansible_port: port '70000' is not a number between 1 and 65535");
  EXPECT_EQ(parse_error("[web:vars]\nansible_ssh_port = x\n[web]\nw\n"),
            "hosts.ini:2: ansible_ssh_port: port 'x' is not a number between 1 and 65535");
  EXPECT_TRUE(has(parse_error("[web]\nweb1 ansible_user='bad user'\n"), "hosts.ini:2: ansible_user: user 'bad user' contains whitespace"));
  EXPECT_TRUE(has(parse_error("[web]\nweb1 ansible_host=not;a;host\n"), "hosts.ini:2: ansible_host: host 'not;a;host'"));
  EXPECT_TRUE(has(parse_error("[web]\nweb1 ansible_host=\n"), "hosts.ini:2: ansible_host: host is empty"));
  // A bad value of a recognised variable is an error even where no host uses it.
  EXPECT_TRUE(has(parse_error("[empty:vars]\ncomfyui.Ref=1\n"), "hosts.ini:2: key 'comfyui.Ref' is not <module>.<option>"));
}

TEST(InventoryAnsible, ReadsVarsSectionValues) {
  auto inv = parse_ok(
      "[gpu:vars]\n"
      "ansible_user = \"deploy\"   # quoted, with a comment\n"
      "comfyui.args = '--listen --lowvram'\n"
      "ollama.empty =\n"
      "[gpu]\n"
      "g1\n");
  const auto& g1 = host(inv, "g1");
  EXPECT_EQ(g1.where.user, "deploy");
  EXPECT_EQ(option(g1, "comfyui", "args"), "--listen --lowvram");
  EXPECT_EQ(option(g1, "ollama", "empty"), "");

  EXPECT_EQ(parse_error("[gpu:vars]\njust words\n"), "hosts.ini:2: expected name=value in [gpu:vars], got 'just words'");
  EXPECT_EQ(parse_error("[gpu:vars]\ncomfyui.args = --listen --lowvram\n"),
            "hosts.ini:2: comfyui.args: expected one value; quote values that contain spaces");
  EXPECT_EQ(parse_error("[gpu:vars]\n= x\n"), "hosts.ini:2: '=' without a key before it");
  EXPECT_EQ(parse_error("[gpu:vars]\nansible_user=\"x\n"), "hosts.ini:2: unterminated \" quote");
}

TEST(InventoryAnsible, RefusesAHostThatSshWouldReadAsAnOption) {
  EXPECT_EQ(parse_error("[web]\nweb1\n-oProxyCommand=x\n"),
            "hosts.ini:3: host '-oProxyCommand=x' starts with '-', which ssh would read as an option");
  EXPECT_TRUE(has(parse_error("[web]\nweb1 ansible_host=-oProxyCommand=x\n"), "hosts.ini:2: ansible_host: host '-oProxyCommand=x' starts with '-'"));
  EXPECT_TRUE(has(parse_error("[web:vars]\nansible_user=-oProxyCommand=x\n"), "hosts.ini:2: ansible_user: user '-oProxyCommand=x' starts with '-'"));
  EXPECT_TRUE(has(parse_error("[web]\nweb1 ansible_ssh_private_key_file=-oProxyCommand=x\n"), "identity '-oProxyCommand=x' starts with '-'"));
  EXPECT_TRUE(has(parse_error("[web]\n-web[1:2]\n"), "hosts.ini:2: host '-web1' starts with '-'"));
}

// Found by tests/fuzz (regressions/inventory/alias_with_comma.ini): host patterns are split at
// ',', so an alias containing one could never be selected by its name.
TEST(InventoryAnsible, RefusesAnAliasThatNoPatternCouldSelect) {
  EXPECT_EQ(parse_error("[west]\nw-s,are ansible_host=192.0.2.50\n"),
            "hosts.ini:2: host name 'w-s,are' contains ',', which separates host patterns");
}

TEST(InventoryAnsible, AnAliasNeedsAnsibleHost) {
  std::string message = parse_error("[web]\nweb1\nmy*box\n");
  EXPECT_TRUE(has(message, "hosts.ini:3: host 'my*box' is not a valid host name")) << message;
  EXPECT_TRUE(has(message, "set ansible_host")) << message;
  auto inv = parse_ok("[web]\nmy*box ansible_host=10.1.1.1\n");
  EXPECT_EQ(host(inv, "my*box").where.host, "10.1.1.1");
  // ansible_host may come from a group, too.
  EXPECT_EQ(host(parse_ok("[web:vars]\nansible_host=10.2.2.2\n[web]\nmy*box\n"), "my*box").where.host, "10.2.2.2");
  // A name OpenSSH takes (an ssh-config alias, a container name) is a host by itself.
  EXPECT_EQ(host(parse_ok("[web]\nmy_box\n"), "my_box").where.host, "my_box");
  EXPECT_TRUE(has(parse_error("[web]\na/b ansible_host=10.1.1.1\n"), "hosts.ini:2: host name 'a/b' contains '/'"));
}

TEST(InventoryAnsible, NamesMalformedLinesAndSections) {
  EXPECT_EQ(parse_error("[web]\nweb1\n[web:hosts]\n"),
            "hosts.ini:3: unknown section type 'hosts' in '[web:hosts]' (expected vars or children)");
  EXPECT_EQ(parse_error("[web]\nweb1\n[web.servers]  # typo\n"),
            "hosts.ini:3: group name 'web.servers' may contain only letters, digits, '_' and '-'");
  EXPECT_EQ(parse_error("[web]\nweb1 notkv\n"), "hosts.ini:2: expected key=value after the host, got 'notkv'");
  EXPECT_EQ(parse_error("[web:children]\ndb cache\n"), "hosts.ini:2: expected one group name per line in [web:children]");
  EXPECT_TRUE(has(parse_error("[web:children]\nbad.name\n"), "hosts.ini:2: group name 'bad.name' in [web:children] must match"));
  EXPECT_EQ(parse_error("[web]\nweb1:0\n"), "hosts.ini:2: port '0' is not a number between 1 and 65535");
  EXPECT_EQ(parse_error("[web]\n:22\n"), "hosts.ini:2: host is empty before ':'");
}

TEST(InventoryAnsible, ReadsTheExampleInTheDocs) {
  // Keep in step with docs/inventory.md.
  auto inv = parse_ok(
      "# Hosts before any header belong to \"ungrouped\".\n"
      "bastion.example.com\n"
      "\n"
      "[west]\n"
      "w[01:04].gpu.example.com\n"
      "w-spare ansible_host=192.0.2.50 ansible_port=5555 ansible_user=admin comfyui.ref=main\n"
      "\n"
      "[east]\n"
      "e1.gpu.example.com:2222\n"
      "e-[a:c].gpu.example.com\n"
      "\n"
      "[gpu:children]\n"
      "west\n"
      "east\n"
      "\n"
      "[gpu:vars]\n"
      "ansible_user=gpu-admin\n"
      "ansible_ssh_private_key_file=~/.ssh/gpu_ed25519\n"
      "ollama.models = \"llama3 mistral\"\n"
      "\n"
      "[west:vars]\n"
      "comfyui.ref=v0.3.10\n"
      "\n"
      "[all:vars]\n"
      "ansible_python_interpreter=/usr/bin/python3   # ignored: not rio's\n"
      "comfyui.ref=v0.3.9\n");
  EXPECT_EQ(names(inv), (strings{"bastion.example.com", "w01.gpu.example.com", "w02.gpu.example.com",
                                 "w03.gpu.example.com", "w04.gpu.example.com", "w-spare", "e1.gpu.example.com",
                                 "e-a.gpu.example.com", "e-b.gpu.example.com", "e-c.gpu.example.com"}));
  const auto& w01 = host(inv, "w01.gpu.example.com");
  EXPECT_EQ(w01.where.user, "gpu-admin");
  EXPECT_EQ(w01.identity, "~/.ssh/gpu_ed25519");
  EXPECT_EQ(option(w01, "comfyui", "ref"), "v0.3.10");
  EXPECT_EQ(option(w01, "ollama", "models"), "llama3 mistral");
  EXPECT_EQ(w01.groups, (strings{"west", "gpu"}));
  const auto& spare = host(inv, "w-spare");
  EXPECT_EQ(ssh_name(spare), "admin@[192.0.2.50]:5555");
  EXPECT_EQ(option(spare, "comfyui", "ref"), "main");
  const auto& bastion = host(inv, "bastion.example.com");
  EXPECT_EQ(bastion.groups, strings{"ungrouped"});
  EXPECT_FALSE(bastion.user_set);
  EXPECT_EQ(option(bastion, "comfyui", "ref"), "v0.3.9");
  EXPECT_EQ(host(inv, "e1.gpu.example.com").where.port, 2222);
  EXPECT_EQ(option(host(inv, "e-b.gpu.example.com"), "comfyui", "ref"), "v0.3.9");
}

TEST(InventoryAnsible, EmptyGroupsAreFine) {
  auto inv = parse_ok("[web]\n[db]\ndb1\n[cache:children]\nredis\n[redis]\n");
  EXPECT_EQ(names(inv), strings{"db1"});
  EXPECT_TRUE(parse_ok("[web]\n").hosts.empty());
}

// Found by tests/fuzz (regressions/inventory): every host gets its own copy of its groups and
// their variables, so a few kB of [..:children] or [..:vars] lines over one range cost minutes
// and gigabytes. The copies are now counted, and worked out once per distinct set of groups.
TEST(InventoryAnsible, CapsTheGroupsAndVariablesCopiedIntoHosts) {
  std::string chain = "[g]\nh[0:99999]\n";
  std::string parent = "g";
  for (int i = 0; i < 300; ++i) {
    chain += "[a" + std::to_string(i) + ":children]\n" + parent + "\n";
    parent = "a" + std::to_string(i);
  }
  EXPECT_TRUE(has(parse_error(chain), "hosts.ini:2: the inventory is too large"));
  std::string vars = "[g]\nh[0:99999]\n[all:vars]\n";
  for (int i = 0; i < 300; ++i) vars += "comfyui.o" + std::to_string(i) + "=v\n";
  EXPECT_TRUE(has(parse_error(vars), "hosts.ini:2: the inventory is too large"));
  // A hierarchy over a few hosts is fine, and precedence still holds per host.
  auto inv = parse_ok("[g]\nh[1:3] comfyui.ref=own\n[a0:children]\ng\n[a0:vars]\ncomfyui.ref=parent\nuser=ops\n");
  ASSERT_EQ(inv.hosts.size(), 3u);
  EXPECT_EQ(inv.hosts[2].module_options["comfyui"]["ref"], "own");
  EXPECT_EQ(inv.hosts[2].where.user, "ops");
  EXPECT_EQ(inv.hosts[2].groups, (strings{"g", "a0"}));
}

}  // namespace
}  // namespace rio::test
