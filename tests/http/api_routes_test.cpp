// The REST API against real sshd hosts on loopback and a real vault.
#include "api_test_support.hpp"

#include <chrono>

namespace rio::test {
namespace {

namespace json = boost::json;


std::string msg(const http_reply& r) { return std::string{r.json()["message"].is_string() ? r.json()["message"].as_string().c_str() : ""}; }

TEST(ApiRoutes, TheFeatureFlagGatesInstallAndStatusButNotModules) {
  temp_dir root;
  api_server api{root.path(), /*flag_on=*/false};
  auto modules = api.get("/api/remote/modules");
  EXPECT_EQ(modules.status, 200);
  EXPECT_EQ(modules.json()["modules"].as_array().size(), 4u);
  auto install = api.post("/api/remote/install", R"({"host": "-oProxyCommand=x"})");
  EXPECT_EQ(install.status, 403) << "the flag is checked before anything else";
  EXPECT_EQ(msg(install), "remote installer disabled");
  auto envelope = install.json();
  for (const char* key : {"ok", "code", "message", "request_id"}) EXPECT_TRUE(envelope.contains(key)) << key;
  EXPECT_EQ(envelope["ok"], false);
  EXPECT_EQ(envelope["code"], "http_403");
  EXPECT_EQ(api.get("/api/remote/status").status, 403);

  // The file is read from rio's root, and again when it changes: no restart.
  api_server::set_flag(root.path(), true);
  fs::last_write_time(root.path() / "config/comfyvn.json", fs::file_time_type::clock::now() + std::chrono::seconds{5});
  EXPECT_EQ(api.get("/api/remote/status").status, 200);
}

TEST(ApiRoutes, BadInputGetsAClear4xxNamingTheField) {
  temp_dir root;
  api_server api{root.path()};
  struct bad_case {
    std::string body;
    int status;
    std::string message_part;
    std::string field;
  };
  const std::vector<bad_case> cases{
      {"{not json", 422, "Request validation failed", ""},
      {"[1, 2]", 422, "Request validation failed", ""},
      {R"({"modules": ["comfyui"]})", 400, "host required", "host"},
      {R"({"host": "h", "modules": 7})", 400, "modules must be a string or list of strings", "modules"},
      {R"({"host": "h"})", 400, "modules field is required", "modules"},
      {R"({"host": "h", "modules": ["", " "]})", 400, "modules list is empty", "modules"},
      {R"({"host": "h", "modules": ["base_tools"]})", 400, "unknown module 'base_tools'", "modules"},
      {R"({"host": "-oProxyCommand=touch /tmp/rio-pwned", "modules": "all"})", 400, "starts with '-'", "host"},
      {R"({"host": "h", "modules": "all", "ssh": {"port": "twenty"}})", 400, "SSH port must be an integer", "ssh.port"},
      {R"({"host": "h", "modules": "all", "ssh": {"port": 70000}})", 400, "between 1 and 65535", "ssh.port"},
      {R"({"host": "h", "modules": "all", "ssh": {"timeout": "soon"}})", 400, "SSH timeout must be numeric", "ssh.connect_timeout"},
      {R"({"host": "h", "modules": "all", "ssh": {"timeout": "nan"}})", 400, "at most 3600 seconds", "ssh.connect_timeout"},
      {R"({"host": "h", "modules": "all", "ssh": {"ssh_command": "/bin/sh"}})", 400, "cannot choose a local program", "ssh.ssh_command"},
      {R"({"host": "h", "modules": "all", "ssh": {"identity": "/etc/shadow"}})", 400, "under ~/.ssh", "ssh.identity"},
      {R"({"host": "h", "modules": "all", "ssh": {"env": {"LD_PRELOAD=": "x"}}})", 400, "not a valid variable name", "ssh.env"},
      {R"({"host": "h", "modules": "all", "secrets": {"key": "h"}})", 400, "secrets.provider required", "secrets.provider"},
      {R"({"host": "h", "modules": "all", "secrets": {"provider": "remote_instaler"}})", 400, "", "secrets.provider"},
      {R"({"host": "h", "modules": "all", "options": {"comfyui": {"ref": "-x"}}})", 400, "ref", "host"},
      {R"({"host": "h", "modules": "all", "preflight": "lots"})", 400, "preflight must be an object", "preflight"},
      {R"({"host": "h", "modules": "all", "preflight": {"skip": ["firewall"]}})", 400, "not a check", "preflight.skip"},
      {R"({"host": "h", "modules": "all", "preflight": {"min_disk_gib": -1}})", 400, "want GIB", "preflight.min_disk_gib"},
      {R"({"host": "h", "modules": "all", "preflight": {"min_disk_gib": {"nope": 1}}})", 400, "unknown module 'nope'",
       "preflight.min_disk_gib.nope"},
  };
  for (const auto& c : cases) {
    auto r = api.post("/api/remote/install", c.body);
    EXPECT_EQ(r.status, c.status) << c.body << " -> " << r.body;
    EXPECT_NE(r.body.find(c.message_part), std::string::npos) << c.body << " -> " << r.body;
    if (!c.field.empty()) {
      EXPECT_EQ(r.json()["field"], c.field.c_str()) << c.body << " -> " << r.body;
    }
    EXPECT_EQ(r.json()["ok"], false);
  }
  EXPECT_FALSE(fs::exists("/tmp/rio-pwned"));

  auto huge = api.post("/api/remote/install", "{\"host\": \"" + std::string(2 * 1024 * 1024, 'a') + "\"}");
  EXPECT_EQ(huge.status, 413);
  auto nowhere = api.get("/api/remote/nowhere");
  EXPECT_EQ(nowhere.status, 404);
  EXPECT_EQ(nowhere.json()["code"], "http_404");
  auto wrong = http_call(api.port(), "DELETE", "/api/remote/modules");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.headers["allow"], "GET");
  EXPECT_EQ(api.get("/api/remote/status?host=%20%20").status, 400);
  EXPECT_EQ(api.get("/api/remote/runs/nope").status, 404);
  // A request id the client sends comes back, in the header and in the envelope.
  auto tagged = api.post("/api/remote/install", "{}", {{"X-Request-ID", "trace-42"}});
  EXPECT_EQ(tagged.headers["x-request-id"], "trace-42");
  EXPECT_EQ(tagged.json()["request_id"], "trace-42");
  // Nothing above created records.
  EXPECT_FALSE(fs::exists(root.path() / "data"));
  EXPECT_FALSE(fs::exists(root.path() / "logs/remote"));  // (logs/security.log audits the vault read)
}

TEST(ApiRoutes, ATokenIsRequiredWhenConfiguredAndNonLoopbackNeedsOne) {
  temp_dir root;
  api_server::set_flag(root.path(), true);
  {
    api_server api{root.path(), true, std::string{"a-long-test-token-0123456789"}};
    auto none = api.get("/api/remote/modules");
    EXPECT_EQ(none.status, 401);
    EXPECT_EQ(none.headers["www-authenticate"], "Bearer");
    EXPECT_EQ(api.get("/api/remote/modules", {{"Authorization", "Bearer wrong-token-0123456789abcd"}}).status, 401);
    EXPECT_EQ(api.get("/api/remote/modules", {{"Authorization", "Bearer a-long-test-token-0123456789"}}).status, 200);
  }
  boost::asio::io_context ctx;
  http::server_options o;
  o.address = "0.0.0.0";
  o.port = 0;
  kernel::settings s;
  s.root = root.path();
  s.plugin_dir = RIO_TEST_PLUGIN_DIR;
  auto refused = http::server::start(ctx, o, http::api_config{s, fake_env({})});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("without an API token"), std::string::npos) << refused.error().message;
}

TEST(ApiRoutes, DryRunCreatesNothingThenInstallThenNoopThenStatus) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  store_key_in_vault(w);
  api_server api{w.root(), true, std::nullopt, vault_env()};
  const std::string spec = engine_world::spec(h);

  auto dry = api.post("/api/remote/install", install_body(w, spec, "\"all\"", "\"dry_run\": true"));
  ASSERT_EQ(dry.status, 200) << dry.body;
  auto d = dry.json();
  EXPECT_EQ(d["status"], "dry_run");
  EXPECT_EQ(d["ok"], true);
  EXPECT_EQ(d["plan"].as_array().size(), 4u);
  for (const char* key : {"host", "plan", "registry", "failed"}) EXPECT_TRUE(d.contains(key)) << key;
  // A plan writes no status file and no log (below), so it names neither.
  for (const char* key : {"log_path", "status_path"}) EXPECT_FALSE(d.contains(key)) << key;
  EXPECT_FALSE(fs::exists(w.root() / "data"));
  EXPECT_FALSE(fs::exists(w.root() / "logs/remote"));
  EXPECT_FALSE(fs::exists(h.home() / "ComfyUI"));

  auto first = api.post("/api/remote/install", install_body(w, spec, "[\"comfyui\", \"ollama\"]"));
  ASSERT_EQ(first.status, 200) << first.body;
  auto f = first.json();
  EXPECT_EQ(f["status"], "installed") << first.body;
  EXPECT_EQ(f["succeeded"], true);
  EXPECT_EQ(strings_of(f["installed"]), (std::vector<std::string>{"comfyui", "ollama"}));
  EXPECT_TRUE(fs::exists(std::string{f["status_path"].as_string()}));
  EXPECT_TRUE(fs::exists(std::string{f["log_path"].as_string()}));

  auto second = api.post("/api/remote/install", install_body(w, spec, "[\"comfyui\", \"ollama\"]"));
  auto s = second.json();
  EXPECT_EQ(s["status"], "noop") << second.body;
  EXPECT_EQ(strings_of(s["skipped"]), (std::vector<std::string>{"comfyui", "ollama"}));
  EXPECT_EQ(s["remote_commands"], 1);

  auto one = api.get("/api/remote/status?host=" + spec);
  ASSERT_EQ(one.status, 200) << one.body;
  auto o = one.json();
  EXPECT_EQ(o["host"], spec.c_str());
  EXPECT_EQ(o["status"].as_object()["modules"].as_object()["comfyui"].as_object()["state"], "installed");
  auto all = api.get("/api/remote/status").json();
  ASSERT_EQ(all["hosts"].as_array().size(), 1u);
  EXPECT_EQ(all["hosts"].as_array()[0].as_object().at("modules").as_object().at("ollama"), "installed");
  auto unknown = api.get("/api/remote/status?host=never.seen").json();
  EXPECT_EQ(unknown["status"].as_object()["modules"].as_object().size(), 0u);
  EXPECT_FALSE(fs::exists(w.root() / "data/remote/install/never.seen.json"));
}

TEST(ApiRoutes, RecordOnlyNeverClaimsInstalled) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  store_key_in_vault(w);
  api_server api{w.root(), true, std::nullopt, vault_env()};
  auto r = api.post("/api/remote/install", install_body(w, engine_world::spec(h), "[\"comfyui\"]", "\"record_only\": true"));
  auto j = r.json();
  EXPECT_EQ(j["status"], "recorded") << r.body;
  EXPECT_TRUE(strings_of(j["installed"]).empty());
  EXPECT_EQ(strings_of(j["recorded"]), std::vector<std::string>{"comfyui"});
  EXPECT_FALSE(fs::exists(h.home() / "ComfyUI")) << "nothing ran on the host";
  auto status = api.get("/api/remote/status?host=" + engine_world::spec(h)).json();
  EXPECT_EQ(status["status"].as_object()["modules"].as_object()["comfyui"].as_object()["state"], "recorded");
}

TEST(ApiRoutes, AFleetInOneCallHasPerHostResults) {
  REQUIRE_SSHD();
  engine_world w;
  w.add_host("127.0.0.5");
  w.add_host("127.0.0.6");
  store_key_in_vault(w, 0, true);
  store_key_in_vault(w, 1, true);
  api_server api{w.root(), true, std::nullopt, vault_env()};
  std::string body = install_body(w, "unused", "[\"ollama\"]");
  body.replace(body.find("\"host\": \"unused\""), std::string{"\"host\": \"unused\""}.size(),
               "\"hosts\": [\"" + engine_world::spec(w.host(0)) + "\", \"" + engine_world::spec(w.host(1)) + "\", \"127.0.0.1:1\"]");
  auto r = api.post("/api/remote/install", body);
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.json();
  EXPECT_EQ(j["status"], "failed");
  EXPECT_EQ(j["succeeded"], false);
  auto hosts = j["hosts"].as_array();
  ASSERT_EQ(hosts.size(), 3u);
  EXPECT_EQ(hosts[0].as_object().at("status"), "installed");
  EXPECT_EQ(hosts[1].as_object().at("status"), "installed");
  EXPECT_EQ(hosts[2].as_object().at("failure"), "unreachable");
  EXPECT_EQ(j["summary"].as_object()["installed"], 2);
}

}  // namespace
}  // namespace rio::test
