#include <rio/kernel/inventory.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rio::test {
namespace {

namespace inv = kernel::inventory;
using strings = std::vector<std::string>;

// Parses one Ansible host line under [r] and returns the host names it produced.
strings expand(const std::string& host_line) {
  auto r = inv::parse_inventory("[r]\n" + host_line + "\n", "ranges.ini");
  EXPECT_TRUE(r) << r.error().message;
  strings out;
  if (r) {
    for (const auto& h : r->hosts) out.push_back(h.name);
  }
  return out;
}

std::string range_error(const std::string& host_line) {
  auto r = inv::parse_inventory("[r]\n" + host_line + "\n", "ranges.ini");
  EXPECT_FALSE(r) << host_line;
  return r ? std::string{} : r.error().message;
}

::testing::AssertionResult has(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

TEST(InventoryRanges, KeepsZeroPadding) {
  EXPECT_EQ(expand("web[01:03].example.com"), (strings{"web01.example.com", "web02.example.com", "web03.example.com"}));
  EXPECT_EQ(expand("web[8:11]"), (strings{"web8", "web9", "web10", "web11"}));
  EXPECT_EQ(expand("web[098:101]"), (strings{"web098", "web099", "web100", "web101"}));
}

TEST(InventoryRanges, TakesAStride) {
  EXPECT_EQ(expand("node[1:9:4]"), (strings{"node1", "node5", "node9"}));
  EXPECT_EQ(expand("node[1:8:4]"), (strings{"node1", "node5"}));
  EXPECT_EQ(expand("n[:2]"), (strings{"n0", "n1", "n2"}));
  EXPECT_EQ(expand("db-[a:e:2]"), (strings{"db-a", "db-c", "db-e"}));
}

TEST(InventoryRanges, ExpandsLetters) {
  EXPECT_EQ(expand("db-[a:c]"), (strings{"db-a", "db-b", "db-c"}));
  EXPECT_EQ(expand("[x:z]-db"), (strings{"x-db", "y-db", "z-db"}));
}

TEST(InventoryRanges, MultipliesSeveralRangesInOrder) {
  EXPECT_EQ(expand("r[1:2]-[a:b]"), (strings{"r1-a", "r1-b", "r2-a", "r2-b"}));
}

TEST(InventoryRanges, GivesEveryHostTheLinesVariablesAndPort) {
  auto r = inv::parse_inventory("[r]\nweb[1:2]:2222 ansible_user=ops comfyui.ref=v1\n", "ranges.ini");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->hosts.size(), 2u);
  for (const auto& h : r->hosts) {
    EXPECT_EQ(h.where.port, 2222);
    EXPECT_EQ(h.where.user, "ops");
    EXPECT_EQ(h.line, 2);
    EXPECT_EQ(h.module_options.at("comfyui").at("ref"), "v1");
    EXPECT_EQ(h.groups, strings{"r"});
  }
  EXPECT_EQ(r->hosts[1].where.host, "web2");
}

TEST(InventoryRanges, NamesBadRanges) {
  EXPECT_TRUE(has(range_error("h[3:1]"), "ranges.ini:2: range '[3:1]': begin is greater than end"));
  EXPECT_TRUE(has(range_error("h[c:a]"), "ranges.ini:2: range '[c:a]': begin is after end"));
  EXPECT_TRUE(has(range_error("h[01:5]"), "range '[01:5]': a zero-padded begin and its end must have the same width"));
  EXPECT_TRUE(has(range_error("h[a:5]"), "range '[a:5]': bounds must both be numbers or both single letters"));
  EXPECT_TRUE(has(range_error("h[aa:bb]"), "bounds must both be numbers or both single letters"));
  EXPECT_TRUE(has(range_error("h[1:5:0]"), "range '[1:5:0]': step must be a positive number"));
  EXPECT_TRUE(has(range_error("h[1:5:x]"), "step must be a positive number"));
  EXPECT_TRUE(has(range_error("h[1:]"), "range '[1:]' has no end"));
  EXPECT_TRUE(has(range_error("h[1:2:3:4]"), "range '[1:2:3:4]' must be [begin:end] or [begin:end:step]"));
  EXPECT_TRUE(has(range_error("h[1:9999999999999999999]"), "is too large"));
}

TEST(InventoryRanges, CapsTheNumberOfHosts) {
  EXPECT_EQ(range_error("h[0:100000]"), "ranges.ini:2: host range 'h[0:100000]' expands to more than 100000 hosts");
  EXPECT_TRUE(has(range_error("h[0:999]-[0:999]"), "expands to more than 100000 hosts"));
  EXPECT_TRUE(has(range_error("h[0:99999999999999]"), "expands to more than 100000 hosts"));
  auto r = inv::parse_inventory("[r]\nh[1:1000]-[1:100]\n", "ranges.ini");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->hosts.size(), 100000u);
  EXPECT_EQ(r->hosts.back().name, "h1000-100");
}

// Found by tests/fuzz (regressions/inventory): the per-line cap alone let a 5 kB file of ranges
// ask for 36 million hosts, and one range repeated on many lines cost seconds per line.
TEST(InventoryRanges, CapsTheWholeInventoryToo) {
  std::string many = "[r]\n";
  for (int i = 0; i < 360; ++i) many += "h" + std::to_string(i) + "-[0:99999]\n";
  auto r = inv::parse_inventory(many, "ranges.ini");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "ranges.ini:3: the inventory lists more than 100000 hosts (ranges expanded, a host listed twice counted twice)");
  std::string repeated = "[a]\nh[0:59999]\n[b]\nh[0:59999]\n";
  auto twice = inv::parse_inventory(repeated, "ranges.ini");
  ASSERT_FALSE(twice);
  EXPECT_TRUE(has(twice.error().message, "ranges.ini:4: the inventory lists more than 100000 hosts"));
  auto fits = inv::parse_inventory("[a]\nh[1:50000]\n[b]\nh[1:50000]\n", "ranges.ini");
  ASSERT_TRUE(fits) << fits.error().message;
  EXPECT_EQ(fits->hosts.size(), 50000u);
}

TEST(InventoryRanges, LeavesBracketsWithoutAColonAlone) {
  // Not a range: the name stays as written and, being no host name, needs ansible_host.
  auto r = inv::parse_inventory("[r]\nbox[1] ansible_host=10.0.0.1\n", "ranges.ini");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->hosts.at(0).name, "box[1]");
}

TEST(InventoryRanges, AreAnsibleOnly) {
  // A header-less file is Ansible INI (as Ansible reads it), so ranges expand there...
  auto ini = inv::parse_inventory("web[01:03].example.com\n", "plain.txt");
  ASSERT_TRUE(ini) << ini.error().message;
  EXPECT_EQ(ini->hosts.size(), 3u);
  // ...but not in rio's simple list (here marked by a user@).
  auto r = inv::parse_inventory("ops@web[01:03].example.com\n", "plain.txt");
  ASSERT_FALSE(r);
  EXPECT_TRUE(has(r.error().message, "plain.txt:1: "));
}

}  // namespace
}  // namespace rio::test
