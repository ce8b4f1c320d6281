// The differential corpus (tests/inventory/corpus, README.md there): inventories written from
// Ansible's documented rules, each with the answer ansible-core 2.14 gave (NAME.expected.json,
// recorded by scripts/record-inventory-corpus.sh). rio must give the same answer, or the
// documented one in NAME.rio.json where it differs on purpose. One test per case.

#include <rio/kernel/inventory.hpp>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <iostream>
#include <map>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace rio::test {
namespace {

namespace inv = kernel::inventory;
namespace fs = std::filesystem;
namespace json = boost::json;

const fs::path corpus_dir = fs::path{RIO_TEST_SOURCE_DIR} / "tests" / "inventory" / "corpus";

std::optional<json::value> read_json(const fs::path& p) {
  std::ifstream in(p);
  if (!in) return std::nullopt;
  std::stringstream s;
  s << in.rdbuf();
  return json::parse(s.str());
}

std::vector<std::string> case_files() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(corpus_dir)) {
    const std::string name = e.path().filename().string();
    const std::string ext = e.path().extension().string();
    if (name.ends_with(".expected.json") || name.ends_with(".rio.json")) continue;
    if (ext == ".ini" || ext == ".yml" || ext == ".json") out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

fs::path beside(const std::string& file, const std::string& suffix) {
  return corpus_dir / (fs::path{file}.stem().string() + suffix);
}

// rio's answer in the recorded shape: hosts -> {address, port, user|null}, limits -> names|null.
json::object rio_answer(const inv::inventory& parsed, const json::object& limits) {
  // By name, as the recorder writes them (sort_keys), so the two serialise alike.
  std::map<std::string, const inv::host_entry*> by_name;
  for (const auto& h : parsed.hosts) by_name[h.name] = &h;
  json::object hosts;
  for (const auto& [name, h] : by_name) {
    json::value user = h->user_set ? json::value(h->where.user) : json::value(nullptr);
    hosts[name] = {{"address", h->where.host}, {"port", h->where.port}, {"user", user}};
  }
  json::object picked;
  for (const auto& [pattern, ignored] : limits) {
    auto r = inv::select_hosts(parsed, pattern);
    if (!r) {
      picked[pattern] = nullptr;
      continue;
    }
    std::set<std::string> names;
    for (const auto& h : r->hosts) names.insert(h.name);
    json::array a;
    for (const auto& n : names) a.emplace_back(n);
    picked[pattern] = std::move(a);
  }
  return {{"hosts", std::move(hosts)}, {"limits", std::move(picked)}};
}

// What rio must answer: ansible-core's, with NAME.rio.json's documented differences laid over it.
json::object wanted(const json::object& expected, const json::object* rio) {
  json::object want{{"hosts", expected.at("hosts")}, {"limits", expected.at("limits")}};
  if (rio == nullptr) return want;
  if (auto it = rio->find("hosts"); it != rio->end()) want["hosts"] = it->value();
  if (auto it = rio->find("limits"); it != rio->end()) {
    for (const auto& [k, v] : it->value().as_object()) want["limits"].as_object()[k] = v;
  }
  return want;
}

class InventoryCorpus : public ::testing::TestWithParam<std::string> {};

TEST_P(InventoryCorpus, AgreesWithAnsibleCoreOrDiffersAsDocumented) {
  const std::string file = GetParam();
  auto expected = read_json(beside(file, ".expected.json"));
  ASSERT_TRUE(expected) << file << ": no .expected.json; run scripts/record-inventory-corpus.sh";
  auto rio = read_json(beside(file, ".rio.json"));
  if (rio) {
    ASSERT_TRUE(rio->as_object().contains("reason")) << file << ".rio.json must say why rio differs";
  }
  auto parsed = inv::load_inventory(corpus_dir / file);
  if (rio && rio->as_object().contains("error")) {
    ASSERT_FALSE(parsed) << file << ": rio should refuse it (" << rio->at("reason").as_string() << ")";
    EXPECT_NE(parsed.error().message.find(std::string{rio->at("error").as_string()}), std::string::npos)
        << parsed.error().message;
    return;
  }
  ASSERT_TRUE(parsed) << file << ": " << parsed.error().message;
  const auto& exp = expected->as_object();
  const bool rio_hosts = rio && rio->as_object().contains("hosts");
  ASSERT_TRUE(exp.at("hosts").is_object() || rio_hosts) << file << ": ansible-core refused it; mark rio's answer in .rio.json";
  const json::object got = rio_answer(*parsed, exp.at("limits").as_object());
  const json::object want = wanted(exp, rio ? &rio->as_object() : nullptr);
  EXPECT_EQ(json::serialize(got.at("hosts")), json::serialize(want.at("hosts"))) << file;
  EXPECT_EQ(json::serialize(got.at("limits")), json::serialize(want.at("limits"))) << file;
}

std::string case_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = info.param;
  std::replace_if(n.begin(), n.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) == 0; }, '_');
  return n;
}

INSTANTIATE_TEST_SUITE_P(Recorded, InventoryCorpus, ::testing::ValuesIn(case_files()), case_name);

// The counts the issue asks for, per format: agree, differ by design, refused by design.
TEST(InventoryCorpusCounts, EveryCaseIsRecordedAndClassified) {
  std::map<std::string, std::array<int, 3>> counts;
  for (const auto& file : case_files()) {
    auto rio = read_json(beside(file, ".rio.json"));
    const int kind = !rio ? 0 : rio->as_object().contains("error") ? 2 : 1;
    ++counts[fs::path{file}.extension().string()][kind];
    EXPECT_TRUE(fs::exists(beside(file, ".expected.json"))) << file;
  }
  for (const auto& [ext, c] : counts) {
    std::cout << "corpus " << ext << ": " << c[0] << " agree, " << c[1] << " differ by design, " << c[2]
              << " refused by design\n";
  }
  EXPECT_GE(counts.size(), 3u);
}

}  // namespace
}  // namespace rio::test
