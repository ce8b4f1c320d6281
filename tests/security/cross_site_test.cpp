// Security regressions (issue 26, point 1): a web page the operator visits must not drive rio.
// Each test performs the attack against a real `rio serve` (in-process) and a loopback host.
#include "../http/api_test_support.hpp"

#include <rio/kernel/engine/source_policy.hpp>

namespace rio::test {
namespace {

namespace json = boost::json;

std::string code_of(const http_reply& r) {
  auto o = r.json();
  return o.contains("code") && o["code"].is_string() ? std::string{o["code"].as_string()} : std::string{};
}

std::string request(const std::string& method, const std::string& target, const std::vector<std::string>& headers,
                    const std::string& body = {}) {
  std::string r = method + " " + target + " HTTP/1.1\r\nConnection: close\r\n";
  for (const auto& h : headers) r += h + "\r\n";
  if (!body.empty() || method == "POST") r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return r + "\r\n" + body;
}

// An HTML form can POST text/plain (no CORS preflight) with a JSON-looking body; so can fetch()
// in no-cors mode. Neither may start anything.
TEST(SecurityCrossSite, AFormPostThatIsNotJsonStartsNothing) {
  engine_world w;
  auto& host = w.add_host();
  store_key_in_vault(w);
  api_server api{w.root(), true, std::nullopt, vault_env()};
  const std::string body = install_body(w, engine_world::spec(host), R"(["ollama"])");
  const std::string host_header = "Host: 127.0.0.1:" + std::to_string(api.port());
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"}) {
    auto r = raw_call(api.port(), request("POST", "/api/remote/install", {host_header, std::string{"Content-Type: "} + type}, body));
    EXPECT_EQ(r.status, 415) << type;
    EXPECT_EQ(code_of(r), "unsupported_media_type") << type;
  }
  auto bare = raw_call(api.port(), request("POST", "/api/remote/runs/some-run/cancel", {host_header}));
  EXPECT_EQ(bare.status, 415) << "a body-less POST without a type, as fetch(url, {method: 'POST', mode: 'no-cors'}) sends";
  EXPECT_FALSE(fs::exists(w.root() / "data/remote/install")) << "nothing may have been planned or recorded";
  // The same body as JSON is taken (the check is the type, not the body).
  auto ok = raw_call(api.port(), request("POST", "/api/remote/install",
                                         {host_header, "Content-Type: application/json; charset=utf-8"},
                                         install_body(w, engine_world::spec(host), R"(["ollama"])", R"("dry_run": true)")));
  EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST(SecurityCrossSite, AForeignOriginIsRefusedOnLoopbackForEveryMethod) {
  temp_dir root;
  api_server api{root.path()};
  const std::string port = std::to_string(api.port());
  const std::string host_header = "Host: 127.0.0.1:" + port;
  for (const char* origin : {"http://evil.example", "null", "http://127.0.0.1:1", "http://localhost:" }) {
    std::string o = origin;
    if (o.ends_with(":")) o += "3000";  // another local web server is another origin
    auto get = raw_call(api.port(), request("GET", "/api/remote/status", {host_header, "Origin: " + o}));
    EXPECT_EQ(get.status, 403) << o;
    EXPECT_EQ(code_of(get), "forbidden_origin") << o;
    auto post = raw_call(api.port(), request("POST", "/api/modder/hooks/test", {host_header, "Origin: " + o, "Content-Type: application/json"},
                                             R"({"event": "on_asset_saved", "payload": {}})"));
    EXPECT_EQ(post.status, 403) << o;
  }
  // rio's own pages (same scheme, host and port as Host) may call it.
  auto own = raw_call(api.port(), request("GET", "/api/remote/status", {host_header, "Origin: http://127.0.0.1:" + port}));
  EXPECT_EQ(own.status, 200) << own.body;
}

// DNS rebinding: the attacker's name resolves to 127.0.0.1 after the page loaded, so the browser
// sends the attacker's name in Host and treats the answer as same-origin.
TEST(SecurityCrossSite, AHostHeaderThatNamesAnotherSiteIsRefused) {
  temp_dir root;
  api_server api{root.path()};
  const std::string port = std::to_string(api.port());
  for (const std::string& host : std::vector<std::string>{"rebind.evil.example:" + port, "127.0.0.1.evil.example", "localhost.evil.example:" + port}) {
    auto r = raw_call(api.port(), request("GET", "/api/remote/status", {"Host: " + host}));
    EXPECT_EQ(r.status, 403) << host;
    EXPECT_EQ(code_of(r), "forbidden_host") << host;
  }
  for (const std::string& host : std::vector<std::string>{"127.0.0.1:" + port, "localhost:" + port, "LOCALHOST", "127.0.0.1"}) {
    EXPECT_EQ(raw_call(api.port(), request("GET", "/api/remote/status", {"Host: " + host})).status, 200) << host;
  }
  auto no_host = raw_call(api.port(), request("GET", "/api/health", {}));
  EXPECT_EQ(no_host.status, 400) << "HTTP/1.1 requires Host";
  auto http10 = raw_call(api.port(), "GET /api/health HTTP/1.0\r\n\r\n");
  EXPECT_EQ(http10.status, 200) << "HTTP/1.0 has no Host";
}

// The attack that ran a script as root on the target: options.<module>.installer_url pointing at a
// file:// script of the requester's choosing. It must be refused before anything connects.
TEST(SecurityCrossSite, ARequestCannotChooseWhereInstalledCodeComesFrom) {
  engine_world w;
  auto& host = w.add_host();
  store_key_in_vault(w);
  api_server api{w.root(), true, std::nullopt, vault_env()};
  const fs::path marker = w.scratch() / "pwned";
  const fs::path script = w.scratch() / "evil-install.sh";
  std::ofstream{script} << "#!/bin/sh\ntouch " << marker.string() << "\n";
  fs::permissions(script, fs::perms::owner_all);
  struct attempt {
    std::string module, option, url;
  };
  const std::vector<attempt> attempts{
      {"ollama", "installer_url", "file://" + script.string()},
      {"lmstudio", "installer_url", "https://evil.example/install.sh"},
      {"ollama", "installer_url", "https://ollama.com/install.sh@evil.example/x.sh"},
      {"comfyui", "repo_url", "https://github.com/comfyanonymous/ComfyUI.git.evil.example/"},
      {"sillytavern", "repo_url", script.parent_path().string()},
      {"comfyui", "torch_index_url", "https://wheels.evil.example/simple"},
  };
  for (const auto& a : attempts) {
    const std::string body = "{\"host\": \"" + engine_world::spec(host) + "\", \"modules\": [\"" + a.module +
                             "\"], \"secrets\": {\"provider\": \"remote_installer\"}, \"options\": {\"" + a.module + "\": {\"" +
                             a.option + "\": \"" + a.url + "\"}}}";
    auto r = api.post("/api/remote/install", body);
    EXPECT_EQ(r.status, 400) << a.url << ": " << r.body;
    EXPECT_EQ(r.json()["field"], json::value("options." + a.module + "." + a.option)) << r.body;
    EXPECT_NE(r.body.find("cannot choose where code comes from"), std::string::npos) << r.body;
  }
  EXPECT_FALSE(fs::exists(marker));
  EXPECT_FALSE(fs::exists(w.root() / "data/remote/install")) << "refused before any connection or record";
  // What the operator allowed (config/rio.json: the fixture directory) and the module's own
  // upstream are accepted.
  auto allowed = api.post("/api/remote/install", install_body(w, engine_world::spec(host), R"(["ollama"])", R"("dry_run": true)"));
  EXPECT_EQ(allowed.status, 200) << allowed.body;
  auto upstream = api.post("/api/remote/install",
                           "{\"host\": \"" + engine_world::spec(host) + "\", \"modules\": [\"ollama\"], \"dry_run\": true, "
                           "\"secrets\": {\"provider\": \"remote_installer\"}, "
                           "\"options\": {\"ollama\": {\"installer_url\": \"https://ollama.com/install.sh\"}}}");
  EXPECT_EQ(upstream.status, 200) << upstream.body;
}

TEST(SecuritySourcePolicy, APrefixAdmitsOnlyWhatLiesUnderItsPath) {
  using kernel::engine::url_under;
  EXPECT_TRUE(url_under("https://mirror.lab/ComfyUI.git", "https://mirror.lab"));
  EXPECT_TRUE(url_under("https://mirror.lab/git/ComfyUI.git", "https://mirror.lab/git/"));
  EXPECT_TRUE(url_under("https://mirror.lab", "https://mirror.lab"));
  EXPECT_FALSE(url_under("https://mirror.lab.evil.example/x", "https://mirror.lab"));
  EXPECT_FALSE(url_under("https://mirror.lab@evil.example/x", "https://mirror.lab"));
  EXPECT_FALSE(url_under("https://mirror.lab:pw@evil.example/x", "https://mirror.lab"));
  EXPECT_FALSE(url_under("https://mirror.labs/x", "https://mirror.lab"));
  EXPECT_FALSE(url_under("http://mirror.lab/x", "https://mirror.lab"));
  EXPECT_FALSE(url_under("anything", ""));
}

}  // namespace
}  // namespace rio::test
