#include <rio/kernel/inventory.hpp>

#include <gtest/gtest.h>

#include <string>

namespace rio::test {
namespace {

namespace inv = kernel::inventory;

inv::inventory parse_ok(std::string_view text) {
  auto r = inv::parse_inventory(text, "hosts");
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : inv::inventory{};
}

// The message of a parse that must fail with errc::bad_config ("" if it did not fail).
std::string parse_error(std::string_view text) {
  auto r = inv::parse_inventory(text, "hosts");
  EXPECT_FALSE(r) << "parsed without error: " << text;
  if (r) return {};
  EXPECT_EQ(r.error().code, kernel::make_error_code(kernel::errc::bad_config));
  return r.error().message;
}

::testing::AssertionResult has(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

TEST(InventorySimple, ReadsEveryHostSpelling) {
  auto inv = parse_ok(
      "web1\n"
      "alice@web2.example.com\n"
      "web3:2222\n"
      "bob@10.0.0.4:2200\n"
      "[2001:db8::1]:2222\n"
      "carol@[2001:db8::2]:22\n"
      "fe80::1\n");
  ASSERT_EQ(inv.hosts.size(), 7u);
  const auto& h = inv.hosts;
  EXPECT_EQ(h[0].name, "web1");
  EXPECT_EQ(h[0].where.host, "web1");
  EXPECT_EQ(h[0].where.port, 22);
  EXPECT_EQ(h[0].where.user, "");
  EXPECT_FALSE(h[0].user_set);
  EXPECT_FALSE(h[0].port_set);
  EXPECT_EQ(h[0].line, 1);

  EXPECT_EQ(h[1].where.user, "alice");
  EXPECT_TRUE(h[1].user_set);
  EXPECT_EQ(h[1].where.host, "web2.example.com");
  EXPECT_EQ(h[1].name, "web2.example.com");

  EXPECT_EQ(h[2].where.port, 2222);
  EXPECT_TRUE(h[2].port_set);
  EXPECT_EQ(h[2].name, "web3:2222");

  EXPECT_EQ(h[3].where.user, "bob");
  EXPECT_EQ(h[3].where.host, "10.0.0.4");
  EXPECT_EQ(h[3].where.port, 2200);

  EXPECT_EQ(h[4].where.host, "2001:db8::1");
  EXPECT_EQ(h[4].where.port, 2222);
  EXPECT_EQ(h[4].name, "[2001:db8::1]:2222");

  EXPECT_EQ(h[5].where.user, "carol");
  EXPECT_EQ(h[5].where.host, "2001:db8::2");
  EXPECT_TRUE(h[5].port_set);
  EXPECT_EQ(h[5].name, "2001:db8::2");

  EXPECT_EQ(h[6].where.host, "fe80::1");
  EXPECT_FALSE(h[6].port_set);
  EXPECT_EQ(h[6].line, 7);
  for (const auto& e : h) EXPECT_TRUE(e.groups.empty());
}

TEST(InventorySimple, KeysSetUserPortIdentityAndModuleOptions) {
  auto ok = parse_ok("web1 user=deploy port=2022 identity=~/.ssh/fleet comfyui.ref=v0.3.10 comfyui.port=8188 "
                     "ollama.models=llama3 lm-studio_2.model_dir=/m\n");
  ASSERT_EQ(ok.hosts.size(), 1u);
  const auto& h = ok.hosts[0];
  EXPECT_EQ(h.where.user, "deploy");
  EXPECT_TRUE(h.user_set);
  EXPECT_EQ(h.where.port, 2022);
  EXPECT_TRUE(h.port_set);
  EXPECT_EQ(h.name, "web1:2022");
  EXPECT_EQ(h.identity, "~/.ssh/fleet");
  ASSERT_EQ(h.module_options.size(), 3u);
  EXPECT_EQ(h.module_options.at("comfyui").at("ref"), "v0.3.10");
  EXPECT_EQ(h.module_options.at("comfyui").at("port"), "8188");
  EXPECT_EQ(h.module_options.at("ollama").at("models"), "llama3");
  EXPECT_EQ(h.module_options.at("lm-studio_2").at("model_dir"), "/m");
}

TEST(InventorySimple, LaterWordsOnALineWin) {
  auto inv = parse_ok("alice@web1:2200 user=bob port=2201 comfyui.ref=a comfyui.ref=b\n");
  ASSERT_EQ(inv.hosts.size(), 1u);
  EXPECT_EQ(inv.hosts[0].where.user, "bob");
  EXPECT_EQ(inv.hosts[0].where.port, 2201);
  EXPECT_EQ(inv.hosts[0].name, "web1:2201");
  EXPECT_EQ(inv.hosts[0].module_options.at("comfyui").at("ref"), "b");
}

TEST(InventorySimple, CommentsOnlyStartAWord) {
  auto inv = parse_ok(
      "# the GPU fleet\n"
      "\n"
      "   \t \n"
      "ops@web1   # rack 3 (a user@ makes this a simple list, not header-less Ansible INI)\n"
      "web2 comfyui.ref=a#b #note user=ignored\n"
      "   # indented comment\n");
  ASSERT_EQ(inv.hosts.size(), 2u);
  EXPECT_EQ(inv.hosts[0].name, "web1");
  EXPECT_EQ(inv.hosts[0].line, 4);
  EXPECT_EQ(inv.hosts[1].line, 5);
  EXPECT_EQ(inv.hosts[1].module_options.at("comfyui").at("ref"), "a#b");
  EXPECT_FALSE(inv.hosts[1].user_set);
  EXPECT_TRUE(has(parse_error("ops@web1\nweb3#x\n"), "hosts:2: "));
}

TEST(InventorySimple, UnquotesSingleAndDoubleQuotedValues) {
  auto inv = parse_ok(
      "web1 identity=\"/keys/my key\" comfyui.args='--listen --port 8188' ollama.note=\"say \\\"hi\\\" \\\\o/\" "
      "sillytavern.x=a\\ b lmstudio.empty='' lmstudio.mixed=pre'fix \"x\"'post comfyui.hash='#not-a-comment'\n");
  ASSERT_EQ(inv.hosts.size(), 1u);
  const auto& h = inv.hosts[0];
  EXPECT_EQ(h.identity, "/keys/my key");
  EXPECT_EQ(h.module_options.at("comfyui").at("args"), "--listen --port 8188");
  EXPECT_EQ(h.module_options.at("ollama").at("note"), "say \"hi\" \\o/");
  EXPECT_EQ(h.module_options.at("sillytavern").at("x"), "a b");
  EXPECT_EQ(h.module_options.at("lmstudio").at("empty"), "");
  EXPECT_EQ(h.module_options.at("lmstudio").at("mixed"), "prefix \"x\"post");
  EXPECT_EQ(h.module_options.at("comfyui").at("hash"), "#not-a-comment");
}

TEST(InventorySimple, UnterminatedQuotesNameTheLine) {
  EXPECT_EQ(parse_error("web1\nweb2 identity=\"/x\n"), "hosts:2: unterminated \" quote");
  EXPECT_EQ(parse_error("web1 comfyui.ref='v1\n"), "hosts:1: unterminated ' quote");
  EXPECT_EQ(parse_error("web1 comfyui.ref=v1\\"), "hosts:1: line ends with a backslash");
}

TEST(InventorySimple, BadPortsNameTheLineAndTheValue) {
  EXPECT_EQ(parse_error("web1\nweb2:0\n"), "hosts:2: port '0' is not a number between 1 and 65535");
  EXPECT_EQ(parse_error("web1:65536\n"), "hosts:1: port '65536' is not a number between 1 and 65535");
  EXPECT_EQ(parse_error("web1 port=ssh\n"), "hosts:1: port 'ssh' is not a number between 1 and 65535");
  EXPECT_EQ(parse_error("web1 port=-22\n"), "hosts:1: port '-22' is not a number between 1 and 65535");
  EXPECT_EQ(parse_error("ops@web1:\n"), "hosts:1: port is empty");
  EXPECT_TRUE(has(parse_error("web1 port=123456789012345678901234567890\n"), "hosts:1: port '1234"));
  EXPECT_TRUE(has(parse_error("[::1]:99999\n"), "hosts:1: port '99999'"));
  EXPECT_EQ(parse_ok("web1:00022\n").hosts.at(0).where.port, 22);
}

TEST(InventorySimple, BadHostsNameTheLine) {
  EXPECT_TRUE(has(parse_error("web1\nweb*2\n"), "hosts:2: host 'web*2' is not a valid host name"));
  EXPECT_TRUE(has(parse_error("web1~example\n"), "hosts:1: host 'web1~example' is not a valid host name"));
  EXPECT_TRUE(has(parse_error("ops@[web1]:22\n"), "hosts:1: 'web1' in brackets is not an IPv6 address"));
  EXPECT_TRUE(has(parse_error("[::1]x\n"), "hosts:1: expected ':port' after ']'"));
  EXPECT_TRUE(has(parse_error("ops@[::1:22\n"), "hosts:1: '[' without ']'"));
  EXPECT_EQ(parse_error("@web1\n"), "hosts:1: user before '@' is empty");
  EXPECT_EQ(parse_error("alice@\n"), "hosts:1: host is empty");
  EXPECT_EQ(parse_error("ops@:22\n"), "hosts:1: host is empty");
  EXPECT_TRUE(has(parse_error("1bad$user@web1\n"), "hosts:1: user '1bad$user' must start with a letter"));
  EXPECT_TRUE(has(parse_error("web1:22:33\n"), "hosts:1: host 'web1:22:33' is not a valid"));
}

TEST(InventorySimple, RefusesAHostOrValueThatSshWouldReadAsAnOption) {
  EXPECT_EQ(parse_error("web1\n-oProxyCommand=x\n"),
            "hosts:2: host '-oProxyCommand=x' starts with '-', which ssh would read as an option");
  EXPECT_TRUE(has(parse_error("-oProxyCommand=sh@web1\n"), "hosts:1: user '-oProxyCommand=sh' starts with '-'"));
  EXPECT_TRUE(has(parse_error("web1 user=-oProxyCommand=x\n"), "hosts:1: user '-oProxyCommand=x' starts with '-'"));
  EXPECT_TRUE(has(parse_error("web1 identity=-oProxyCommand=x\n"), "hosts:1: identity '-oProxyCommand=x' starts with '-'"));
  EXPECT_TRUE(has(parse_error("alice@-web1:22\n"), "hosts:1: host '-web1' starts with '-'"));
}

TEST(InventorySimple, UnknownKeysAreErrorsNamingTheKey) {
  EXPECT_EQ(parse_error("web1 user=ops\nweb2 colour=blue\n"),
            "hosts:2: unknown key 'colour' (expected user, port, identity or <module>.<option>)");
  EXPECT_TRUE(has(parse_error("ops@web1 ansible_host=10.0.0.1\n"), "unknown key 'ansible_host'"));
  EXPECT_TRUE(has(parse_error("ops@web1 ansible_host=10.0.0.1\n"), "Ansible inventory"));
  EXPECT_EQ(parse_error("web1 web2\n"), "hosts:1: expected key=value after the host, got 'web2'");
  EXPECT_EQ(parse_error("web1 =x\n"), "hosts:1: '=' without a key before it");
  EXPECT_TRUE(has(parse_error("web1 ComfyUI.ref=x\n"), "hosts:1: key 'ComfyUI.ref' is not <module>.<option>"));
  EXPECT_TRUE(has(parse_error("web1 comfyui.=x\n"), "key 'comfyui.' is not <module>.<option>"));
  EXPECT_TRUE(has(parse_error("web1 .ref=x\n"), "key '.ref' is not <module>.<option>"));
  EXPECT_TRUE(has(parse_error("web1 comfyui.ref.x=1\n"), "key 'comfyui.ref.x' is not"));
  EXPECT_TRUE(has(parse_error("web1 1comfy.ref=1\n"), "key '1comfy.ref' is not"));
  EXPECT_TRUE(has(parse_error("web1 comfyui.some-opt=1\n"), "key 'comfyui.some-opt' is not"));
}

TEST(InventorySimple, EmptyConnectionValuesAreErrors) {
  EXPECT_EQ(parse_error("web1 user=\n"), "hosts:1: user is empty");
  EXPECT_EQ(parse_error("web1 port=''\n"), "hosts:1: port is empty");
  EXPECT_EQ(parse_error("web1 identity=\"\"\n"), "hosts:1: identity is empty");
  EXPECT_TRUE(has(parse_error("web1 identity=\"a\tb\"\n"), "identity 'a\\x09b' contains control characters"));
}

TEST(InventorySimple, RefusesTheSameHostTwice) {
  EXPECT_EQ(parse_error("web1\n\nalice@web1 comfyui.ref=x\n"), "hosts:3: host 'web1' is listed twice (first on line 1)");
  auto inv = parse_ok("127.0.0.1:2201\n127.0.0.1:2202\n");
  ASSERT_EQ(inv.hosts.size(), 2u);
  EXPECT_EQ(inv.hosts[0].name, "127.0.0.1:2201");
  EXPECT_EQ(inv.hosts[1].name, "127.0.0.1:2202");
}

TEST(InventorySimple, ListsAtMostOneHundredThousandHosts) {
  std::string text;
  for (int i = 0; i < 100001; ++i) text += "h" + std::to_string(i) + "\n";
  auto r = inv::parse_inventory(text, "fleet.txt");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.substr(0, 60), "fleet.txt:100001: the inventory lists more than 100000 hosts");
}

TEST(InventorySimple, ShortensHugeValuesInMessages) {
  const std::string huge(5000, 'a');
  for (const std::string& text : {huge + "_x.example.com\n", "web1 port=" + huge + "\n", "ops@web1 colour=" + huge + "\n",
                                  "ops@web1 " + huge + "=1\n", "[" + huge + "]:22\n", "web1 user=" + huge + "\n"}) {
    std::string message = parse_error(text);
    EXPECT_LT(message.size(), 200u) << message;
    EXPECT_TRUE(has(message, "hosts:1: ")) << message;
  }
  EXPECT_TRUE(has(parse_error(huge + "_x.example.com\n"), "aaa...'"));
}

TEST(InventorySimple, ToleratesWindowsLineEndingsAndAByteOrderMark) {
  auto inv = parse_ok("\xEF\xBB\xBFweb1\r\nweb2 comfyui.ref=v1\r\n");
  ASSERT_EQ(inv.hosts.size(), 2u);
  EXPECT_EQ(inv.hosts[0].name, "web1");
  EXPECT_EQ(inv.hosts[1].module_options.at("comfyui").at("ref"), "v1");
}

TEST(InventorySimple, ReadsTheExampleInTheDocs) {
  // Keep in step with docs/inventory.md.
  auto inv = parse_ok(
      "# GPU fleet, rack 3\n"
      "gpu1.example.com\n"
      "alice@gpu2.example.com:2222\n"
      "10.0.0.5 user=deploy port=2022 identity=~/.ssh/fleet_ed25519\n"
      "[2001:db8::10]:22 comfyui.ref=v0.3.10 ollama.models=llama3\n"
      "bob@[2001:db8::11]:2200   # a trailing comment\n"
      "lab-box identity=\"/keys/lab key\" comfyui.args='--listen --lowvram'\n");
  ASSERT_EQ(inv.hosts.size(), 6u);
  std::vector<std::string> names;
  for (const auto& h : inv.hosts) names.push_back(h.name);
  EXPECT_EQ(names, (std::vector<std::string>{"gpu1.example.com", "gpu2.example.com:2222", "10.0.0.5:2022",
                                             "2001:db8::10", "[2001:db8::11]:2200", "lab-box"}));
  EXPECT_EQ(inv.hosts[2].where.user, "deploy");
  EXPECT_EQ(inv.hosts[3].module_options.at("ollama").at("models"), "llama3");
  EXPECT_EQ(inv.hosts[5].identity, "/keys/lab key");
  EXPECT_EQ(inv.hosts[5].module_options.at("comfyui").at("args"), "--listen --lowvram");
}

TEST(InventorySimple, AnEmptyFileHasNoHosts) {
  EXPECT_TRUE(parse_ok("").hosts.empty());
  EXPECT_TRUE(parse_ok("# nothing yet\n\n").hosts.empty());
}

TEST(InventorySimple, ErrorsNameTheSource) {
  auto r = inv::parse_inventory("web1\nweb2\nweb|3\n", "/etc/rio/fleet.txt");
  ASSERT_FALSE(r);
  EXPECT_TRUE(has(r.error().message, "/etc/rio/fleet.txt:3: host 'web|3'"));
}

}  // namespace
}  // namespace rio::test
