// Modder hooks over the API: the catalogue, a live stream of a real run's events, and signed
// webhooks delivered to a local receiver, with a retry after a failed attempt.
#include "api_test_support.hpp"
#include "webhook_receiver.hpp"

#include <rio/vault/hmac.hpp>

namespace rio::test {
namespace {

namespace json = boost::json;

TEST(ApiHooks, TheCatalogueListsEveryEventWithItsPayloadAndTheModulesLoaded) {
  temp_dir root;
  api_server api{root.path()};
  auto r = api.get("/api/modder/hooks").json();
  EXPECT_EQ(r["ok"], true);
  EXPECT_EQ(r["hooks"].as_array().size(), 16u);
  for (const auto& h : r["hooks"].as_array()) EXPECT_FALSE(h.as_object().at("payload").as_object().empty());
  std::size_t loaded = 0;
  for (const auto& e : r["history"].as_array()) loaded += e.as_object().at("event") == "on_module_loaded" ? 1 : 0;
  EXPECT_EQ(loaded, 4u);
  auto history = api.get("/api/modder/hooks/history?limit=2&event=on_module_loaded").json();
  EXPECT_EQ(history["items"].as_array().size(), 2u);
  EXPECT_EQ(api.post("/api/modder/hooks/test", R"({"event": "on_scene_enter"})").status, 400);
  EXPECT_EQ(api.get("/api/modder/hooks/stream?topics=nope").status, 400);
}

TEST(ApiHooks, AStreamCarriesARealRunsEventsInOrderWithoutSecrets) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  store_key_in_vault(w);
  api_server api{w.root(), true, std::nullopt, vault_env()};
  http_connection c{api.port()};
  ASSERT_TRUE(c.send_request("GET", "/api/modder/hooks/stream?topics=on_security_secret_read,on_remote_install_started,"
                                    "on_remote_module_finished,on_remote_install_finished", {}, {}));
  auto head = c.read_head();
  ASSERT_TRUE(head);
  ASSERT_EQ(head->status, 200);

  auto run = api.post("/api/remote/install", install_body(w, engine_world::spec(h), "[\"ollama\", \"lmstudio\"]"));
  ASSERT_EQ(run.status, 200) << run.body;
  auto events = read_events(c, 5);
  ASSERT_EQ(events.size(), 5u);
  std::vector<std::string> names;
  for (const auto& e : events) names.push_back(e.event);
  EXPECT_EQ(names, (std::vector<std::string>{"on_security_secret_read", "on_remote_install_started", "on_remote_module_finished",
                                             "on_remote_module_finished", "on_remote_install_finished"}));
  auto read = json::parse(events[0].data).as_object()["data"].as_object();
  EXPECT_EQ(read["provider"], "remote_installer");
  auto finished = json::parse(events[2].data).as_object()["data"].as_object();
  EXPECT_EQ(finished["module"], "ollama");
  EXPECT_EQ(finished["state"], "installed");
  EXPECT_EQ(json::parse(events[4].data).as_object()["data"].as_object()["status"], "installed");
  // The key that was read never travels in an event.
  const std::string key = read_file(h.user_key());
  std::string all;
  for (const auto& e : events) all += e.data;
  std::istringstream lines{key};
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > 20 && line.find("-----") == std::string::npos) {
      EXPECT_EQ(all.find(line), std::string::npos);
    }
  }
}

TEST(ApiHooks, TheLifecycleVerbsPublishTheirStartedAndFinishedEvents) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  store_key_in_vault(w);
  api_server api{w.root(), true, std::nullopt, vault_env()};
  ASSERT_EQ(api.post("/api/remote/install", install_body(w, engine_world::spec(h), "[\"ollama\"]")).status, 200);
  http_connection c{api.port()};
  ASSERT_TRUE(c.send_request("GET", "/api/modder/hooks/stream?topics=on_remote_update_started,on_remote_update_finished,"
                                    "on_remote_uninstall_started,on_remote_uninstall_finished", {}, {}));
  auto head = c.read_head();
  ASSERT_TRUE(head);
  ASSERT_EQ(head->status, 200);

  auto updated = api.post("/api/remote/update", install_body(w, engine_world::spec(h), "[\"ollama\"]", R"("to": "0.6.2")"));
  ASSERT_EQ(updated.status, 200) << updated.body;
  auto removed = api.post("/api/remote/uninstall", install_body(w, engine_world::spec(h), "[\"ollama\"]"));
  ASSERT_EQ(removed.status, 200) << removed.body;
  auto events = read_events(c, 4);
  ASSERT_EQ(events.size(), 4u);
  std::vector<std::string> names;
  for (const auto& e : events) names.push_back(e.event);
  EXPECT_EQ(names, (std::vector<std::string>{"on_remote_update_started", "on_remote_update_finished", "on_remote_uninstall_started",
                                             "on_remote_uninstall_finished"}));
  auto started = json::parse(events[0].data).as_object()["data"].as_object();
  EXPECT_EQ(started["module"], "ollama");
  EXPECT_EQ(started["from_version"], "0.0.0-rio-fixture");
  EXPECT_EQ(started["to_version"], "0.6.2");
  auto finished = json::parse(events[1].data).as_object()["data"].as_object();
  EXPECT_EQ(finished["state"], "installed");
  EXPECT_EQ(finished["version"], "0.6.2");
  EXPECT_EQ(json::parse(events[3].data).as_object()["data"].as_object()["state"], "uninstalled");
}

TEST(ApiHooks, WebhooksAreSignedRetriedAndTheirSecretsNeverReturned) {
  temp_dir root;
  {
    std::vector<std::string> base{"--root", root.path().string()};
    ASSERT_EQ(run_cli(engine_world::with(base, {"vault", "init"}), vault_env()).code, 0);
  }
  webhook_receiver hook_target{{500}};  // the first delivery fails, the retry succeeds
  api_server api{root.path(), true, std::nullopt, vault_env()};
  const std::string secret = "webhook-canary-secret-31f";
  const std::string url = "http://127.0.0.1:" + std::to_string(hook_target.port()) + "/rio";
  auto reg = api.post("/api/modder/hooks/webhooks",
                      R"({"event": "on_remote_install_finished", "url": ")" + url + R"(", "secret": ")" + secret + R"("})");
  ASSERT_EQ(reg.status, 200) << reg.body;
  EXPECT_EQ(reg.body.find(secret), std::string::npos);
  EXPECT_EQ(api.post("/api/modder/hooks/webhooks", R"({"event": "on_remote_install_finished", "url": "ftp://x"})").status, 400);
  EXPECT_EQ(api.post("/api/modder/hooks/webhooks", R"({"event": "nope", "url": ")" + url + R"("})").status, 400);

  ASSERT_EQ(api.post("/api/modder/hooks/test", R"({"event": "on_remote_install_finished", "payload": {"host": "h"}})").status, 200);
  auto got = hook_target.wait_for(2);
  ASSERT_EQ(got.size(), 2u) << "one failed attempt, then the retry";
  EXPECT_EQ(got[0].body, got[1].body) << "the retry sends the same delivery";
  const std::string expected = "sha256=" + vault::hmac_sha256_hex(secret, got[1].body);
  EXPECT_EQ(got[1].headers["x-rio-signature-256"], expected);
  EXPECT_EQ(got[1].headers["x-rio-event"], "on_remote_install_finished");
  EXPECT_EQ(json::parse(got[1].body).as_object()["data"].as_object()["host"], "h");

  auto listing = api.get("/api/modder/hooks");
  EXPECT_EQ(listing.body.find(secret), std::string::npos);
  EXPECT_EQ(listing.json()["webhooks"].as_array().size(), 1u);
  EXPECT_EQ(read_file(root.path() / "data/webhooks.json").find(secret), std::string::npos);
  auto removed = http_call(api.port(), "DELETE", "/api/modder/hooks/webhooks",
                           R"({"event": "on_remote_install_finished", "url": ")" + url + R"("})");
  EXPECT_EQ(removed.status, 200) << removed.body;
}

}  // namespace
}  // namespace rio::test
