// Issue 16, point 8: the original's security routes (/api/security/...), acting as its client
// did (tests/test_security_api.py and the GUI's flag drawer): the exact request bodies, the fields
// it reads. Off by default (403 "security api disabled"), turned on by writing
// features.enable_security_api to config/comfyvn.json. A canary secret planted in the vault must
// appear in no response and no log. Until this point these routes were 404.
#include "../http/api_test_support.hpp"

#include "../../http/src/audit_tail.hpp"
#include "../../http/src/sandbox_rules.hpp"

#include <rio/vault/vault.hpp>

#include <mutex>

namespace rio::test {
namespace {

namespace json = boost::json;

const std::string canary = "canary-4c1d9e-a-secret-value";
const std::string canary_key = "canary-0b77f2-an-api-key";

// As the GUI's drawer does: rewrite the file. Its mtime is moved on explicitly, because the flag
// is re-read when the mtime changes and two writes within one clock tick can share one.
void set_security_flag(const fs::path& root, bool on) {
  const fs::path file = root / "config/comfyvn.json";
  std::error_code ec;
  const auto before = fs::last_write_time(file, ec);
  std::ofstream{file} << "{\"features\": {\"enable_remote_installer\": true, \"enable_security_api\": " << (on ? "true" : "false")
                      << "}}\n";
  if (!ec) fs::last_write_time(file, before + std::chrono::seconds{1});
}

vault::vault open_vault(const fs::path& root, const env_map& env) {
  vault::vault_options o;
  o.root = root;
  o.env = vault::environment::from_lookup(fake_env(env));
  o.kdf = vault::kdf_params::minimum();
  return vault::vault{std::move(o)};
}

// The original's test data: provider demo with token and api_key.
void plant(const fs::path& root, const env_map& env = {}) {
  auto v = open_vault(root, env);
  ASSERT_TRUE(v.set("demo", {"token"}, json::value(canary)));
  ASSERT_TRUE(v.set("demo", {"api_key"}, json::value(canary_key)));
}

std::string secret_field(const fs::path& root, const env_map& env, const char* field) {
  auto view = open_vault(root, env).get("demo");
  if (!view) return "error: " + view.error().message;
  const auto* v = view->fields.if_contains(field);
  return v != nullptr && v->is_string() ? std::string{v->get_string()} : std::string{};
}

// A server whose every answer and notice is kept, so a test can look for the canary in all of them.
struct security_server {
  explicit security_server(const fs::path& root, env_map env = {}, std::optional<std::string> token = std::nullopt)
      : api{root, true, std::move(token), std::move(env), [this](http::server_options& o) {
              o.log = [this](const std::string& line) {
                std::lock_guard lock{mutex};
                notices.push_back(line);
              };
            }} {
    set_security_flag(root, true);
  }
  http_reply get(const std::string& target, const std::vector<std::pair<std::string, std::string>>& h = {}) {
    return keep(api.get(target, h));
  }
  http_reply post(const std::string& target, const std::string& body, const std::vector<std::pair<std::string, std::string>>& h = {}) {
    return keep(api.post(target, body, h));
  }
  http_reply keep(http_reply r) {
    bodies.push_back(r.body);
    return r;
  }
  // No answer, notice or file under logs/ holds a secret value.
  void expect_no_secret(const fs::path& root, const std::vector<std::string>& also = {}) {
    std::vector<std::string> secrets{canary, canary_key};
    secrets.insert(secrets.end(), also.begin(), also.end());
    std::vector<std::string> texts = bodies;
    {
      std::lock_guard lock{mutex};
      texts.insert(texts.end(), notices.begin(), notices.end());
    }
    std::error_code ec;
    for (const auto& entry : fs::recursive_directory_iterator(root / "logs", ec)) {
      if (entry.is_regular_file()) texts.push_back(read_file(entry.path()));
    }
    for (const auto& s : secrets) {
      for (const auto& t : texts) EXPECT_EQ(t.find(s), std::string::npos) << "a secret value leaked into: " << t.substr(0, 300);
    }
  }
  std::mutex mutex;
  std::vector<std::string> notices;
  std::vector<std::string> bodies;
  api_server api;
};

// A key file's text without its newline.
std::string key_text(const fs::path& file) {
  std::string text = read_file(file);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::vector<std::string> names(const json::value& v) {
  std::vector<std::string> out;
  for (const auto& n : v.as_array()) out.emplace_back(n.as_string());
  return out;
}

const json::object* provider(const json::object& answer, const char* name) {
  for (const auto& p : answer.at("providers").as_array()) {
    if (p.as_object().at("provider") == name) return &p.as_object();
  }
  return nullptr;
}

TEST(CompatSecurityApi, EveryRouteIsForbiddenUntilTheFlagIsOn) {
  temp_dir root;
  api_server api{root.path()};  // enable_remote_installer only, as the shipped config
  const std::vector<std::pair<std::string, std::string>> routes{{"GET", "/api/security/secrets/providers"},
                                                                {"POST", "/api/security/secrets/rotate"},
                                                                {"GET", "/api/security/audit?limit=5"},
                                                                {"GET", "/api/security/sandbox/defaults"},
                                                                {"POST", "/api/security/sandbox/check"}};
  for (const auto& [method, target] : routes) {
    auto r = method == "GET" ? api.get(target) : api.post(target, R"({"host": "127.0.0.1"})");
    EXPECT_EQ(r.status, 403) << method << " " << target << ": " << r.body;
    EXPECT_EQ(r.json()["code"], "http_403") << r.body;
    EXPECT_EQ(r.json()["message"], "security api disabled") << r.body;
  }
  set_security_flag(root.path(), false);  // present but false: still off
  EXPECT_EQ(api.get("/api/security/secrets/providers").status, 403);
  set_security_flag(root.path(), true);  // the GUI's toggle, without a restart
  auto on = api.get("/api/security/secrets/providers");
  EXPECT_EQ(on.status, 200) << on.body;
  EXPECT_EQ(on.json()["ok"], json::value(true));
}

TEST(CompatSecurityApi, ProvidersNameKeysAndOverridesNeverValues) {
  temp_dir root;
  plant(root.path());
  const std::string log_file = (root.path() / "elsewhere/security.log").string();
  // The vault reads COMFYVN_SECRET_* names from the process environment (see env_override_precedence_test).
  ::setenv("COMFYVN_SECRET_DEMO_REGION", "eu-west", 1);
  security_server s{root.path(), {{"COMFYVN_SECURITY_LOG_FILE", log_file}, {"COMFYVN_SECRET_DEMO_REGION", "eu-west"}}};
  auto r = s.get("/api/security/secrets/providers");
  ::unsetenv("COMFYVN_SECRET_DEMO_REGION");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto o = r.json();
  EXPECT_EQ(o.at("ok"), json::value(true));
  EXPECT_EQ(o.at("log_path"), json::value(log_file)) << "the operator's COMFYVN_SECURITY_LOG_FILE";
  const auto* demo = provider(o, "demo");
  ASSERT_NE(demo, nullptr) << r.body;
  EXPECT_EQ(names(demo->at("stored_keys")), (std::vector<std::string>{"api_key", "token"}));
  EXPECT_EQ(names(demo->at("override_keys")), (std::vector<std::string>{"region"}));
  EXPECT_EQ(demo->at("present"), json::value(true));
  EXPECT_EQ(r.body.find("eu-west"), std::string::npos) << "an override's value: " << r.body;
  s.expect_no_secret(root.path(), {"eu-west"});
}

TEST(CompatSecurityApi, RotateReencryptsAndNeverReturnsTheKey) {
  temp_dir root;
  plant(root.path());  // a key file, as `rio vault init` makes
  security_server s{root.path()};
  const fs::path key_file = vault::vault_paths{root.path()}.key_file;
  auto r = s.post("/api/security/secrets/rotate", "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  auto o = r.json();
  EXPECT_EQ(o.at("ok"), json::value(true));
  EXPECT_EQ(o.at("fingerprint").as_string().size(), 16u) << r.body;
  EXPECT_NE(o.at("fingerprint"), o.at("previous_fingerprint"));
  ASSERT_NE(provider(o, "demo"), nullptr) << r.body;
  EXPECT_EQ(o.at("key_file"), json::value(key_file.string()));
  const std::string new_key{key_text(key_file)};
  EXPECT_EQ(r.body.find(new_key), std::string::npos) << "the new key was returned";
  EXPECT_EQ(secret_field(root.path(), {}, "token"), canary);

  // A key the client chose (the original's body): the vault ends up under exactly that key.
  const std::string chosen(64, 'd');
  auto chosen_answer = s.post("/api/security/secrets/rotate", R"({"new_key": ")" + chosen + R"("})");
  ASSERT_EQ(chosen_answer.status, 200) << chosen_answer.body;
  EXPECT_EQ(chosen_answer.json().at("fingerprint"), json::value(vault::master_key::parse(chosen, "test")->fingerprint()));
  EXPECT_EQ(chosen_answer.body.find(chosen), std::string::npos);
  EXPECT_EQ(secret_field(root.path(), {}, "api_key"), canary_key);
  s.expect_no_secret(root.path(), {new_key, chosen});
}

// The original overwrote its key file with whatever it was given and lost the vault; rio checks
// the key first and touches nothing.
TEST(CompatSecurityApi, ABadNewKeyIsRefusedAndTheVaultIsUntouched) {
  temp_dir root;
  plant(root.path());
  security_server s{root.path()};
  const vault::vault_paths paths{root.path()};
  const std::string vault_before = read_file(paths.vault_file), key_before = read_file(paths.key_file);
  auto blank = s.post("/api/security/secrets/rotate", R"({"new_key": "   "})");
  EXPECT_EQ(blank.status, 400) << blank.body;
  EXPECT_EQ(blank.json()["message"], "new_key must be non-empty");
  for (const char* bad : {R"({"new_key": "not-a-fernet-key"})", R"({"new_key": 42})"}) {
    auto r = s.post("/api/security/secrets/rotate", bad);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.json()["field"], "new_key") << r.body;
    EXPECT_EQ(r.body.find("not-a-fernet-key"), std::string::npos) << "the rejected text is echoed: " << r.body;
  }
  EXPECT_EQ(s.post("/api/security/secrets/rotate", "[1]").status, 422);
  EXPECT_EQ(read_file(paths.vault_file), vault_before);
  EXPECT_EQ(read_file(paths.key_file), key_before);
  EXPECT_EQ(secret_field(root.path(), {}, "token"), canary);
}

// With COMFYVN_SECRETS_KEY the original lost the new key (not persisted, not returned). rio keeps
// it in a 0600 file and says where; the answer still never carries it.
TEST(CompatSecurityApi, AnEnvironmentKeyRotationSaysWhereTheKeyIs) {
  temp_dir root;
  const env_map env{{"COMFYVN_SECRETS_KEY", std::string(64, 'b')}};
  plant(root.path(), env);
  security_server s{root.path(), env};
  auto r = s.post("/api/security/secrets/rotate", "");
  ASSERT_EQ(r.status, 200) << r.body;
  auto o = r.json();
  EXPECT_EQ(o.at("key_source"), "environment");
  const fs::path pending = vault::vault_paths{root.path()}.pending_key_file;
  EXPECT_EQ(o.at("key_file"), json::value(pending.string()));
  EXPECT_NE(std::string{o.at("notice").as_string()}.find("COMFYVN_SECRETS_KEY"), std::string::npos);
  const std::string new_key{key_text(pending)};
  EXPECT_EQ(r.body.find(new_key), std::string::npos);
  EXPECT_EQ(secret_field(root.path(), {{"COMFYVN_SECRETS_KEY", new_key}}, "token"), canary);
  s.expect_no_secret(root.path(), {new_key});
}

TEST(CompatSecurityApi, AuditReturnsTheLastLinesParsed) {
  temp_dir root;
  security_server s{root.path()};
  auto empty = s.get("/api/security/audit");
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_TRUE(empty.json().at("items").as_array().empty());
  EXPECT_FALSE(empty.json().contains("last_modified")) << "no log yet";

  plant(root.path());
  ASSERT_EQ(s.get("/api/security/secrets/providers").status, 200);  // audited as secrets.list
  const fs::path log = vault::vault_paths{root.path()}.audit_log;
  std::ofstream{log, std::ios::app} << "\n   \nnot json at all\n";
  auto r = s.get("/api/security/audit?limit=2");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto o = r.json();
  EXPECT_EQ(o.at("log_path"), json::value(log.string()));
  EXPECT_TRUE(o.at("last_modified").is_double()) << r.body;
  const auto& items = o.at("items").as_array();
  ASSERT_EQ(items.size(), 2u) << r.body;
  EXPECT_EQ(items[0].as_object().at("event"), "secrets.list") << r.body;
  EXPECT_EQ(items[1].as_object().at("raw"), "not json at all") << r.body;

  EXPECT_EQ(s.get("/api/security/audit?limit=0").json().at("items").as_array().size(), 1u) << "clamped to 1";
  EXPECT_GE(s.get("/api/security/audit?limit=100000").json().at("items").as_array().size(), 3u) << "clamped to 200";
  auto bad = s.get("/api/security/audit?limit=many");
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(bad.json()["code"], "validation_error") << bad.body;
  s.expect_no_secret(root.path());
}

TEST(CompatSecurityApi, SandboxDefaultsAndCheckAsTheOriginalsTest) {
  temp_dir root;
  security_server s{root.path(), {{"SANDBOX_NETWORK", "on"}, {"SANDBOX_NETWORK_ALLOW", "localhost:8080, ,*.lab.example"}}};
  auto d = s.get("/api/security/sandbox/defaults");
  ASSERT_EQ(d.status, 200) << d.body;
  EXPECT_EQ(d.json().at("network_enabled"), json::value(true));
  EXPECT_EQ(names(d.json().at("network_allow")), (std::vector<std::string>{"localhost:8080", "*.lab.example"}));

  auto yes = s.post("/api/security/sandbox/check", R"({"host": "127.0.0.1", "port": 8080})");
  ASSERT_EQ(yes.status, 200) << yes.body;
  EXPECT_EQ(yes.json().at("allowed"), json::value(true));
  EXPECT_EQ(yes.json().at("host"), "127.0.0.1");
  EXPECT_EQ(yes.json().at("port"), json::value(8080));
  // Never resolved: a name under a reserved domain is judged by its spelling alone.
  auto no = s.post("/api/security/sandbox/check", R"({"host": "example.com", "port": 443})");
  EXPECT_EQ(no.json().at("allowed"), json::value(false)) << no.body;
  auto own = s.post("/api/security/sandbox/check", R"({"host": "gpu.lab.example", "allow": ["*.lab.example"]})");
  EXPECT_EQ(own.json().at("allowed"), json::value(true)) << own.body;
  EXPECT_TRUE(own.json().at("port").is_null());

  const std::vector<std::pair<std::string, std::string>> refusals{{R"({"port": 80})", "host is required"},
                                                                  {R"({"host": "h", "port": "eighty"})", "port must be an integer"},
                                                                  {R"({"host": "h", "port": 70000})", "port must be between 0-65535"},
                                                                  {R"({"host": "h", "allow": 7})", "allow must be a list or string"}};
  for (const auto& [body, message] : refusals) {
    auto r = s.post("/api/security/sandbox/check", body);
    EXPECT_EQ(r.status, 400) << body << ": " << r.body;
    EXPECT_EQ(r.json()["message"], json::value(message)) << r.body;
  }
  EXPECT_EQ(s.post("/api/security/sandbox/check", "").status, 422) << "the body is required";
}

// Off loopback rio needs a token to start; with one, these routes are refused without it.
TEST(CompatSecurityApi, TheApiTokenCoversTheSecurityRoutes) {
  temp_dir root;
  plant(root.path());
  const std::string token = "security-token-0123456789abcdef";
  security_server s{root.path(), {}, token};
  for (const char* target : {"/api/security/secrets/providers", "/api/security/audit", "/api/security/sandbox/defaults"}) {
    EXPECT_EQ(s.get(target).status, 401) << target;
    EXPECT_EQ(s.get(target, {{"Authorization", "Bearer " + token}}).status, 200) << target;
  }
  const fs::path key_file = vault::vault_paths{root.path()}.key_file;
  const std::string key_before = read_file(key_file);
  EXPECT_EQ(s.post("/api/security/secrets/rotate", "{}").status, 401);
  EXPECT_EQ(read_file(key_file), key_before) << "an unauthenticated rotation changed the key";
  EXPECT_EQ(s.post("/api/security/sandbox/check", R"({"host": "h"})").status, 401);
  // A form post (no JSON content type) never reaches the rotation, token or not.
  auto form = raw_call(s.api.port(), "POST /api/security/secrets/rotate HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
                                         "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(form.status, 415) << form.body;
  EXPECT_EQ(read_file(key_file), key_before);
  s.expect_no_secret(root.path());
}

TEST(CompatSecurityApi, SandboxRulesMatchAsTheOriginalsGuard) {
  using http::detail::network_allowed;
  const std::vector<std::string> local{"localhost:8080"};
  EXPECT_TRUE(network_allowed(local, "127.0.0.1", 8080));
  EXPECT_TRUE(network_allowed(local, "::1", 8080));
  EXPECT_TRUE(network_allowed(local, "LOCALHOST", 8080));
  EXPECT_FALSE(network_allowed(local, "127.0.0.1", 8081));
  EXPECT_FALSE(network_allowed(local, "127.0.0.1", std::nullopt)) << "a rule with a port needs that port";
  EXPECT_FALSE(network_allowed({}, "127.0.0.1", 80)) << "an empty list allows nothing";
  EXPECT_TRUE(network_allowed({"*"}, "anything.example", 1));
  EXPECT_TRUE(network_allowed({"*.lab.example"}, "gpu.Lab.Example", 22));
  EXPECT_FALSE(network_allowed({"*.lab.example"}, "lab.example", 22)) << "the suffix includes its dot";
  EXPECT_TRUE(network_allowed({"[::1]:8188"}, "::1", 8188));
  EXPECT_TRUE(network_allowed({"[::1]:8188"}, "[::1]", 8188));
  EXPECT_TRUE(network_allowed({"::1"}, "::1", 22)) << "a bare IPv6 literal is a host";
  EXPECT_TRUE(network_allowed({"https://user@api.example:8443/v1?q"}, "api.example", 8443));
  EXPECT_TRUE(network_allowed({"https://api.example/v1"}, "api.example", 443)) << "a URL without a port names none: any port";
  EXPECT_FALSE(network_allowed({"https://api.example:8443/"}, "api.example", 443));
  EXPECT_TRUE(network_allowed({"gpu.example"}, "GPU.example", 22)) << "a rule without a port takes any";
  EXPECT_FALSE(network_allowed({"host:99999", "[::1", "", "  "}, "host", 99)) << "malformed rules are ignored";
  EXPECT_TRUE(network_allowed({"host:99999", "host"}, "host", 99)) << "...and the others still apply";
  EXPECT_EQ(http::detail::split_allow_list(" a:1, ,b ,"), (std::vector<std::string>{"a:1", "b"}));
}

TEST(CompatSecurityApi, TheAuditTailReadsOnlyTheEndOfALargeLog) {
  temp_dir dir;
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "{\"event\": \"e\", \"n\": " + std::to_string(i) + "}\n";
  const fs::path file = dir.write("security.log", text);
  auto tail = http::detail::read_audit_tail(file, 3, 100);  // a 100-byte window cuts its first line
  ASSERT_TRUE(tail) << tail.error().message;
  ASSERT_EQ(tail->lines.size(), 3u);
  EXPECT_EQ(tail->lines.back(), "{\"event\": \"e\", \"n\": 1999}");
  auto few = http::detail::read_audit_tail(file, 200, 100);
  ASSERT_TRUE(few);
  EXPECT_LT(few->lines.size(), 5u) << "only the window is read";
  for (const auto& line : few->lines) EXPECT_TRUE(line.starts_with("{\"event\"")) << "a cut line was kept: " << line;
  const fs::path link = dir.path() / "link.log";
  fs::create_symlink(file, link);
  EXPECT_FALSE(http::detail::read_audit_tail(link, 3)) << "a symbolic link is not followed";
  EXPECT_FALSE(http::detail::read_audit_tail(dir.path(), 3)) << "a directory is not a log";
  auto missing = http::detail::read_audit_tail(dir.path() / "none.log", 3);
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->exists);
}

}  // namespace
}  // namespace rio::test
