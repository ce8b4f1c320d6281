// Security regressions (issue 26, point 3): POST /api/modder/hooks/test stored any payload in the
// hook history (and in every subscriber's queue): 40 posts of 1 MB took the server from 9 MB to
// 508 MB, and one history read to 1.43 GB. Payloads are bounded, and so is the history in bytes.
#include "security_support.hpp"

namespace rio::test::security {
namespace {

std::string test_event(std::size_t payload_bytes, const std::string& tag = "x") {
  return R"({"event": "on_remote_install_finished", "payload": {"tag": ")" + tag + R"(", "blob": ")" +
         std::string(payload_bytes, 'a') + R"("}})";
}

std::size_t history_bytes(const json::object& history) {
  std::size_t total = 0;
  for (const auto& e : history.at("items").as_array()) total += json::serialize(e.as_object().at("payload")).size();
  return total;
}

TEST(SecurityHookPayload, ATestPayloadOverTheLimitIsRefusedAndNotKept) {
  temp_dir root;
  api_server api{root.path()};
  const auto before = api.get("/api/modder/hooks/history?limit=200").json()["items"].as_array().size();
  auto big = api.post("/api/modder/hooks/test", test_event(1000 * 1000));
  EXPECT_EQ(big.status, 413) << big.body.substr(0, 300);
  EXPECT_EQ(code_of(big), "payload_too_large");
  EXPECT_EQ(big.json()["field"], json::value("payload"));
  EXPECT_NE(big.body.find("65536"), std::string::npos) << big.body;
  EXPECT_EQ(api.get("/api/modder/hooks/history?limit=200").json()["items"].as_array().size(), before);
  EXPECT_EQ(api.post("/api/modder/hooks/test", test_event(60 * 1000)).status, 200) << "below the limit is fine";
}

// Payloads that each pass still cannot make the history grow past its byte budget (4 MiB).
TEST(SecurityHookPayload, TheHistoryKeepsABoundedNumberOfBytes) {
  temp_dir root;
  api_server api{root.path()};
  for (int i = 0; i < 100; ++i) ASSERT_EQ(api.post("/api/modder/hooks/test", test_event(60 * 1000, std::to_string(i))).status, 200) << i;
  auto history = api.get("/api/modder/hooks/history?limit=200").json();
  const auto& items = history.at("items").as_array();
  EXPECT_LE(history_bytes(history), 4u * 1024 * 1024) << items.size() << " events kept";
  EXPECT_LT(items.size(), 100u);
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items.back().as_object().at("payload").as_object().at("tag"), json::value("99")) << "the newest are kept";
}

// The attack as reported, measured on the server's own memory (in-process: this process's RSS).
TEST(SecurityHookPayload, MegabytePostsAndAHistoryReadLeaveMemoryFlat) {
  if (sanitized_build) GTEST_SKIP() << "RSS under AddressSanitizer holds its quarantine of freed blocks; the ci preset measures";
  temp_dir root;
  api_server api{root.path()};
  EXPECT_EQ(api.get("/api/modder/hooks/history?limit=200").status, 200);  // warm-up: first allocations
  const std::size_t before = rss_kib();
  // 80 rather than the report's 40: the old history kept every one (+80 MiB here), so the bound
  // below tells the two apart with room for the allocator's noise.
  for (int i = 0; i < 80; ++i) EXPECT_EQ(api.post("/api/modder/hooks/test", test_event(1000 * 1000)).status, 413) << i;
  auto history = api.get("/api/modder/hooks/history?limit=200");
  EXPECT_EQ(history.status, 200);
  const std::size_t after = rss_kib();
  const std::size_t grown_mib = after > before ? (after - before) / 1024 : 0;
  EXPECT_LT(grown_mib, 24u) << "RSS " << before / 1024 << " MiB -> " << after / 1024 << " MiB (the old code: +80 MiB)";
}

}  // namespace
}  // namespace rio::test::security
