// Security regressions (issue 26, point 2): registering webhooks must not be a way to exhaust the
// server. Each webhook used to cost two threads (its delivery thread and its resolver's): 63 of
// them under a 64-task limit made the next event abort the server, and since webhooks are saved
// and restarted on boot, it never started again.
#include "security_support.hpp"

namespace rio::test::security {
namespace {

std::string hook_body(std::size_t i, const std::string& event = "*") {
  return R"({"event": ")" + event + R"(", "url": "http://127.0.0.1:9/hook-)" + std::to_string(i) + R"("})";
}

TEST(SecurityWebhooks, RegistrationStopsAtTheLimitWith409NamingIt) {
  temp_dir root;
  api_server api{root.path()};
  for (std::size_t i = 0; i < 32; ++i) ASSERT_EQ(api.post("/api/modder/hooks/webhooks", hook_body(i)).status, 200) << i;
  auto over = api.post("/api/modder/hooks/webhooks", hook_body(32));
  EXPECT_EQ(over.status, 409) << over.body;
  EXPECT_EQ(code_of(over), "too_many_webhooks");
  EXPECT_EQ(over.json()["limit"], json::value(32));
  EXPECT_NE(over.body.find("32"), std::string::npos) << over.body;
  // Replacing one (same event and url) is not one more; removing one makes room.
  EXPECT_EQ(api.post("/api/modder/hooks/webhooks", hook_body(7)).status, 200);
  EXPECT_EQ(http_call(api.port(), "DELETE", "/api/modder/hooks/webhooks", hook_body(7)).status, 200);
  EXPECT_EQ(api.post("/api/modder/hooks/webhooks", hook_body(32)).status, 200);
  EXPECT_EQ(api.get("/api/modder/hooks").json()["webhooks"].as_array().size(), 32u);
}

TEST(SecurityWebhooks, DeliveriesRunOnTheServersThreadNotOneEach) {
  temp_dir root;
  api_server api{root.path()};
  const std::size_t before = thread_count();
  for (std::size_t i = 0; i < 32; ++i) ASSERT_EQ(api.post("/api/modder/hooks/webhooks", hook_body(i)).status, 200) << i;
  // An event for all of them: 32 deliveries in flight (port 9 refuses, so they retry with backoff).
  ASSERT_EQ(api.post("/api/modder/hooks/test", R"({"event": "on_remote_install_finished", "payload": {}})").status, 200);
  EXPECT_EQ(api.get("/api/health").status, 200);
  const std::size_t after = thread_count();
  EXPECT_LE(after, before + 1) << "32 webhooks took " << after - before << " threads (the old code: 64)";
  std::uint64_t queued_or_tried = 0;
  const auto hooks = api.get("/api/modder/hooks").json();
  for (const auto& s : hooks.at("subscribers").as_array()) {
    const auto& o = s.as_object();
    if (o.at("name").as_string().starts_with("webhook ")) ++queued_or_tried;
  }
  EXPECT_EQ(queued_or_tried, 32u) << "each webhook still reports its counters";
}

// The routes that change what the server does obey the same rules as installs: the feature flag,
// and the token when there is one.
TEST(SecurityWebhooks, MutatingHookRoutesFollowTheFeatureFlagAndTheToken) {
  temp_dir off_root;
  api_server off{off_root.path(), false};
  auto reg = off.post("/api/modder/hooks/webhooks", hook_body(1));
  EXPECT_EQ(reg.status, 403) << reg.body;
  EXPECT_EQ(reg.json()["message"], json::value("remote installer disabled"));
  EXPECT_EQ(http_call(off.port(), "DELETE", "/api/modder/hooks/webhooks", hook_body(1)).status, 403);
  EXPECT_EQ(off.post("/api/modder/hooks/test", R"({"payload": {}})").status, 403);
  EXPECT_FALSE(fs::exists(off_root.path() / "data/webhooks.json"));
  EXPECT_EQ(off.get("/api/modder/hooks").status, 200) << "reading stays open";

  temp_dir token_root;
  const std::string token = "webhook-token-0123456789";
  api_server guarded{token_root.path(), true, token};
  EXPECT_EQ(guarded.post("/api/modder/hooks/webhooks", hook_body(1)).status, 401);
  EXPECT_EQ(guarded.post("/api/modder/hooks/webhooks", hook_body(1), {{"Authorization", "Bearer " + token}}).status, 200);
}

// Whatever data/webhooks.json holds, the server starts, answers, and says what it skipped.
TEST(SecurityWebhooks, TheServerStartsWhateverTheWebhookFileHolds) {
  std::string many = "[";
  for (int i = 0; i < 10000; ++i) {
    many += std::string{i ? "," : ""} + R"({"id": "wh-)" + std::to_string(i) + R"(", "event": "*", "url": "http://127.0.0.1:9/)" +
            std::to_string(i) + R"(", "signed": false})";
  }
  many += "]";
  const std::vector<std::pair<std::string, std::string>> files{
      {"garbage", "\x01\x02 not json {{{"},
      {"an object", R"({"id": "wh-1"})"},
      {"10,000 entries", many},
      {"bad entries", R"([1, "x", null, {"id": "wh-a", "event": "*", "url": "ftp://x/"}, {"id": "wh-b", "event": "*", "url": "http://-x/"},
                         {"id": "wh-c", "event": "on_nothing", "url": "http://127.0.0.1:9/"}, {"event": "*", "url": "http://127.0.0.1:9/"},
                         {"id": "wh-d", "event": "*", "url": "http://127.0.0.1:9/", "signed": true},
                         {"id": "wh-e", "event": "*", "url": "http://127.0.0.1:9/ok"}])"},
  };
  for (const auto& [what, text] : files) {
    temp_dir root;
    root.write("data/webhooks.json", text);
    notice_log notices;
    std::unique_ptr<api_server> api;
    ASSERT_NO_THROW(api = std::make_unique<api_server>(root.path(), true, std::nullopt, env_map{},
                                                        [&](http::server_options& o) { o.log = notices.sink(); }))
        << what;
    EXPECT_EQ(api->get("/api/health").status, 200) << what;
    const auto hooks = api->get("/api/modder/hooks").json()["webhooks"].as_array().size();
    EXPECT_LE(hooks, 32u) << what;
    EXPECT_NE(notices.text().find("webhooks.json"), std::string::npos) << what << ": " << notices.text();
    if (what == "10,000 entries") {
      EXPECT_EQ(hooks, 32u);
      EXPECT_NE(notices.text().find("skipped 9968 webhook(s): beyond the limit of 32"), std::string::npos) << notices.text();
    }
    if (what == "bad entries") {
      EXPECT_EQ(hooks, 1u) << "only wh-e is usable";
      EXPECT_NE(notices.text().find("secret is not in the vault"), std::string::npos) << notices.text();
    }
  }
}

// The same as an operator meets it: `rio serve` itself, the skip on its stderr.
TEST(SecurityWebhooks, RioServeStartsOnTenThousandSavedWebhooksAndSaysWhatItSkipped) {
  temp_dir root, scratch;
  std::string many = "[";
  for (int i = 0; i < 10000; ++i) {
    many += std::string{i ? "," : ""} + R"({"id": "wh-)" + std::to_string(i) + R"(", "event": "*", "url": "http://127.0.0.1:9/)" +
            std::to_string(i) + R"("})";
  }
  root.write("data/webhooks.json", many + "]");
  api_server::set_flag(root.path(), true);
  serve_process serve{root.path(), scratch.path(), {}, {{"HOME", scratch.path().string()}, {"PATH", "/usr/bin:/bin"}}};
  ASSERT_NE(serve.port(), 0) << serve.err();
  EXPECT_EQ(http_call(serve.port(), "POST", "/api/modder/hooks/test", R"({"payload": {}})").status, 200);
  EXPECT_EQ(http_call(serve.port(), "GET", "/api/health").status, 200);
  EXPECT_EQ(serve.stop(), 0);
  EXPECT_NE(serve.err().find("skipped 9968 webhook(s): beyond the limit of 32"), std::string::npos) << serve.err();
}

}  // namespace
}  // namespace rio::test::security
