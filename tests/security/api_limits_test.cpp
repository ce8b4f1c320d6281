// Security regressions (issue 26, point 9): one API request named 300 unreachable hosts and left
// 900 files in 2.8 s (the lock files were never removed), and its per-host errors told a client
// which ports were open: a port scanner. Requests are capped (max_hosts_per_request), locks go
// when their run ends, and clients not on loopback learn "unreachable", nothing more.
#include "../http/api_test_support.hpp"

#include <rio/kernel/engine/engine_json.hpp>
#include <rio/kernel/engine/host_key.hpp>
#include <rio/kernel/engine/host_lock.hpp>
#include <rio/kernel/engine/host_run.hpp>
#include <rio/kernel/engine/request_builder.hpp>
#include <rio/kernel/inventory.hpp>
#include <rio/sdk/testing/run_co.hpp>

#include <boost/json/serialize.hpp>

#include <cctype>

namespace rio::test {
namespace {

namespace engine = kernel::engine;
namespace json = boost::json;

std::string hosts_body(std::size_t n) {
  std::string hosts;
  // Loopback addresses on a closed port: should the cap ever be lost, the run stays on this machine.
  for (std::size_t i = 0; i < n; ++i) {
    hosts += (i == 0 ? "\"" : ", \"") + ("127.77." + std::to_string(i / 250) + "." + std::to_string(1 + i % 250)) + ":1\"";
  }
  return "{\"hosts\": [" + hosts + "], \"modules\": [\"ollama\"], \"ssh\": {\"user\": \"root\"}}";
}

std::size_t files_under(const fs::path& dir) {
  std::size_t n = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it{dir, ec}, end; !ec && it != end; it.increment(ec)) n += it->is_regular_file() ? 1 : 0;
  return n;
}

TEST(SecurityApiLimits, ARequestOverTheHostCapIsRefusedBeforeAnythingHappens) {
  temp_dir root;
  {
    api_server api{root.path()};
    auto over = api.post("/api/remote/install", hosts_body(kernel::settings::default_max_hosts_per_request + 1));
    EXPECT_EQ(over.status, 400) << over.body.substr(0, 300);
    EXPECT_EQ(over.json()["field"], json::value("hosts")) << over.body.substr(0, 300);
    EXPECT_NE(over.body.find("max_hosts_per_request"), std::string::npos) << over.body.substr(0, 300);
  }
  root.write("config/rio.json", "{\"max_hosts_per_request\": 3}\n");
  api_server api{root.path()};
  auto over = api.post("/api/remote/install", hosts_body(4));
  EXPECT_EQ(over.status, 400) << over.body;
  EXPECT_EQ(over.json()["field"], json::value("hosts")) << over.body;
  EXPECT_EQ(files_under(root.path() / "data"), 0u) << "nothing may be planned or recorded";
  EXPECT_EQ(files_under(root.path() / "logs"), 0u);
  EXPECT_EQ(api.active_runs(), 0u);
}

TEST(SecurityApiLimits, ABadCapInTheConfigurationIsAnError) {
  for (const char* value : {"0", "-1", "\"many\"", "1.5", "1000000"}) {
    temp_dir root;
    root.write("config/rio.json", std::string{"{\"max_hosts_per_request\": "} + value + "}\n");
    auto s = kernel::resolve_settings({root.path(), std::nullopt, fake_env({}), root.path(), root.path()});
    ASSERT_FALSE(s) << value;
    EXPECT_NE(s.error().message.find("max_hosts_per_request"), std::string::npos) << s.error().message;
  }
}

// Applied runs on unreachable hosts still take their lock; when they end, no lock file is left.
TEST(SecurityApiLimits, LockFilesGoWhenTheRunEnds) {
  temp_dir root;
  api_server api{root.path()};
  auto r = api.post("/api/remote/install", "{\"hosts\": [\"127.0.0.1:1\", \"127.0.0.2:1\"], \"modules\": [\"ollama\"], "
                                           "\"ssh\": {\"user\": \"root\"}}");
  ASSERT_EQ(r.status, 200) << r.body;
  const fs::path status = root.path() / "data/remote/install";
  ASSERT_TRUE(fs::exists(status / (engine::record_token("127.0.0.1:1", "127.0.0.1", 1) + ".json"))) << "the run was recorded";
  for (const auto& e : fs::directory_iterator(status)) EXPECT_NE(e.path().extension(), ".lock") << e.path();
}

// A lock is removed by its holder only while the name is still its file: whatever replaced it
// (another run's fresh lock, after a crash left the old one) stays.
TEST(SecurityApiLimits, ALockRemovesOnlyItsOwnFile) {
  temp_dir dir;
  const fs::path file = dir.path() / "h.lock";
  {
    auto lock = engine::host_lock::try_acquire(file, "h", "run-1");
    ASSERT_TRUE(lock) << lock.error().message;
    EXPECT_TRUE(fs::exists(file));
  }
  EXPECT_FALSE(fs::exists(file)) << "the lock file outlived its run";
  {
    auto lock = engine::host_lock::try_acquire(file, "h", "run-2");
    ASSERT_TRUE(lock);
    fs::remove(file);
    dir.write("h.lock", "someone else's\n");
  }
  EXPECT_EQ(read_file(file), "someone else's\n");
  // And the replacement is a lock like any other: the next run takes it.
  auto next = engine::host_lock::try_acquire(file, "h", "run-3");
  EXPECT_TRUE(next) << next.error().message;
}

bool mentions(const std::string& text, const std::string& word) {
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find(word) != std::string::npos;
}

// A closed port answers "connection refused" and a filtered one times out: told apart, that is a
// port scan. A client that is not on loopback sees "unreachable" in every place the error goes.
TEST(SecurityApiLimits, RemoteClientsLearnUnreachableAndNothingMore) {
  temp_dir root;
  engine::redactor redact;
  auto entry = kernel::inventory::parse_host_spec("root@127.0.0.1:1");
  ASSERT_TRUE(entry);
  auto built = engine::build_host_request(*entry, {}, {}, redact, [](const char*) { return std::optional<std::string>{}; });
  ASSERT_TRUE(built) << built.error().message;
  engine::run_settings settings;
  settings.run_id = "run-scan";
  settings.paths = engine::resolve_run_paths(root.path(), {});
  settings.known_hosts.record = root.path() / "known_hosts";
  settings.redact = &redact;
  auto result = sdk::testing::run_co([&]() -> boost::asio::awaitable<engine::host_result> {
    kernel::ssh::session_pool pool;
    co_return co_await engine::run_host(pool, settings, built->request);
  });
  ASSERT_EQ(result.failure, engine::host_failure::unreachable) << result.error;

  const std::string local = json::serialize(engine::host_result_json(result, {&redact, true}));
  ASSERT_TRUE(mentions(local, "refused")) << "the detail exists (for loopback clients and the log): " << local;
  for (const auto& doc : {json::serialize(engine::host_result_json(result, {&redact, false})),
                          json::serialize(engine::fleet_result_json({result}, "run-scan", {&redact, false}))}) {
    EXPECT_FALSE(mentions(doc, "refused")) << doc;
    EXPECT_FALSE(mentions(doc, "connect_failed")) << doc;
    EXPECT_NE(doc.find("\"error\":\"unreachable\""), std::string::npos) << doc;
    EXPECT_NE(doc.find("\"failure\":\"unreachable\""), std::string::npos) << doc;
  }
  // The host's log keeps the detail for the operator.
  EXPECT_TRUE(mentions(read_file(result.log_path), "refused"));
}

}  // namespace
}  // namespace rio::test
