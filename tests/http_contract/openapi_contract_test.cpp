// The REST API against the OpenAPI document it serves at /api/openapi.json: every documented path,
// method and response status is produced by a real request and checked (status, content type,
// headers, body schema, event streams), every undocumented method is 405 with the documented
// methods in Allow, and unknown paths are 404. A route the document lists but the server lacks,
// a path the router matches (http/src/router.cpp) but the document lacks, or a status or field
// the server sends but the document lacks, fails here.
#include "../engine/engine_test_support.hpp"
#include "openapi_contract.hpp"

#include <rio/kernel/engine/host_key.hpp>
#include <rio/kernel/engine/run_paths.hpp>
#include <rio/kernel/inventory.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iterator>
#include <set>
#include <thread>

namespace rio::test::contract {
namespace {

namespace json = boost::json;

json::object fetch_document(std::uint16_t port) {
  reply r = http_request(port, "GET", "/api/openapi.json");
  EXPECT_EQ(r.status, 200) << r.body;
  json::value v = parse_json(r.body);
  if (!v.is_object()) throw std::runtime_error("/api/openapi.json is not a JSON object: " + r.body.substr(0, 200));
  return v.get_object();
}

std::string run_id_of(const reply& r) {
  json::value v = parse_json(r.body);
  const auto* id = v.is_object() ? v.get_object().if_contains("run_id") : nullptr;
  return id != nullptr && id->is_string() ? std::string{id->get_string()} : std::string{};
}

json::object object_of(const reply& r) {
  json::value v = parse_json(r.body);
  return v.is_object() ? v.get_object() : json::object{};
}

/** Polls GET /api/remote/runs/<id> (unchecked) until the run has finished. */
bool wait_finished(std::uint16_t port, const std::string& id, std::chrono::seconds patience) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (std::chrono::steady_clock::now() < deadline) {
    auto o = object_of(http_request(port, "GET", "/api/remote/runs/" + id));
    if (o.contains("state") && o.at("state") == "finished") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  return false;
}

std::string status_file_of(const fs::path& root, const std::string& spec) {
  auto e = kernel::inventory::parse_host_spec(spec);
  if (!e) throw std::runtime_error(e.error().message);
  namespace engine = kernel::engine;
  const auto token = engine::host_token(engine::record_host(e->name, e->where.host, e->where.port), e->where.port);
  return engine::resolve_run_paths(root, fake_env({})).status_file(token).string();
}

// Every documented operation on a server whose flag is off and which wants a token: 401 without
// it (or with a wrong one), then 403 where the document says the flag gates the route, else 200.
void check_token_and_flag(api_contract& c, live_server& server, const std::string& token) {
  for (const auto& [tmpl, item] : c.document().at("paths").as_object()) {
    std::string target{tmpl};
    if (auto brace = target.find("{run_id}"); brace != std::string::npos) target.replace(brace, 8, "no-such-run");
    for (const auto& [method, op] : item.as_object()) {
      if (method == "parameters") continue;
      std::string m{method};
      for (auto& ch : m) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      const std::string body = m == "POST" ? "{}" : "";
      c.exchange(server.port(), {m, target, body, 401});
      c.exchange(server.port(), {m, target, body, 401, {{"Authorization", "Bearer not-the-token-at-all"}}});
      const auto& responses = op.as_object().at("responses").as_object();
      if (responses.contains("403")) {
        c.exchange(server.port(), {m, target, body, 403, {{"Authorization", "Bearer " + token}}});
        continue;
      }
      // Not gated: whatever the operation answers to this request, but neither 401 nor 403. An
      // endless stream is left after a moment.
      const auto* ok = responses.if_contains("200");  // a WebSocket documents 101 instead
      const auto* content = ok == nullptr ? nullptr : ok->as_object().if_contains("content");
      const bool stream = content != nullptr && content->as_object().contains("text/event-stream");
      read_limits limits;
      if (stream) limits.patience = std::chrono::milliseconds{1500};
      auto r = c.exchange(server.port(), {m, target, body, 0, {{"Authorization", "Bearer " + token}}, limits});
      EXPECT_TRUE(r.status != 401 && r.status != 403) << m << " " << target << " -> " << r.status << " " << r.body;
    }
  }
}

// Every method a documented path does not list: 405 with Allow.
void check_wrong_methods(api_contract& c, live_server& server) {
  for (const auto& [tmpl, item] : c.document().at("paths").as_object()) {
    std::string target{tmpl};
    if (auto brace = target.find("{run_id}"); brace != std::string::npos) target.replace(brace, 8, "no-such-run");
    for (const char* m : {"GET", "POST", "PUT", "DELETE", "PATCH"}) {
      std::string lower{m};
      for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (item.as_object().contains(lower)) continue;
      c.exchange(server.port(), {m, target, "", 405});
    }
  }
}

// The checker itself: each rule it applies catches what it should, so a green contract test
// means something.
TEST(HttpContract, TheSchemaCheckerCatchesWhatTheDocumentDoesNotSay) {
  const json::object doc = json::parse(R"({"components": {"schemas": {
    "Item": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer", "minimum": 1}, "tag": {"type": "string", "nullable": true}}},
    "Extra": {"type": "object", "properties": {"ok": {"type": "boolean", "enum": [true]}}},
    "Both": {"allOf": [{"$ref": "#/components/schemas/Item"}, {"$ref": "#/components/schemas/Extra"}]},
    "Map": {"type": "object", "additionalProperties": {"type": "string"}},
    "Either": {"oneOf": [{"type": "number"}, {"type": "integer"}]},
    "List": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Item"}}}}})")
                             .as_object();
  schema_validator v{doc};
  auto ref = [](const char* name) { return json::value{{"$ref", std::string{"#/components/schemas/"} + name}}; };
  auto problems = [&](const char* value, const char* schema) { return v.validate(json::parse(value), ref(schema)).size(); };
  EXPECT_EQ(problems(R"({"id": 3, "tag": null})", "Item"), 0u);
  EXPECT_EQ(problems(R"({"tag": "x"})", "Item"), 1u) << "missing required";
  EXPECT_EQ(problems(R"({"id": "3"})", "Item"), 1u) << "wrong type";
  EXPECT_EQ(problems(R"({"id": 0})", "Item"), 1u) << "below minimum";
  EXPECT_EQ(problems(R"({"id": 1, "secret": 1})", "Item"), 1u) << "a field the document does not list";
  EXPECT_EQ(problems(R"({"id": 1, "ok": true})", "Both"), 0u) << "allOf: the branches' fields together";
  EXPECT_EQ(problems(R"({"id": 1, "ok": false})", "Both"), 1u) << "enum";
  EXPECT_EQ(problems(R"({"id": 1, "ok": true, "more": 1})", "Both"), 1u);
  EXPECT_EQ(problems(R"({"a": "x", "b": "y"})", "Map"), 0u) << "additionalProperties opens the object";
  EXPECT_EQ(problems(R"({"a": 1})", "Map"), 1u);
  EXPECT_EQ(problems("2.5", "Either"), 0u);
  EXPECT_EQ(problems("2", "Either"), 1u) << "oneOf: exactly one branch";
  EXPECT_EQ(problems("[]", "List"), 1u) << "minItems";
  EXPECT_EQ(problems(R"([{"id": 1}, {"id": null}])", "List"), 1u) << "items";
  EXPECT_THROW(v.validate(json::value{1}, ref("Missing")), std::runtime_error) << "a dangling $ref";
}

TEST(HttpContract, EveryDocumentedRouteAndResponseHappensAndMatchesTheDocument) {
  temp_dir root;
  // An identity file inside rio's root (the only place besides ~/.ssh a request may name).
  root.write("keys/contract_ed25519", "not a key: these hosts never get as far as authentication\n");
  const std::string identity = (root.path() / "keys/contract_ed25519").string();
  live_server api{root.path(), {}};
  api_contract c{fetch_document(api.port())};
  const auto port = api.port();

  // The document itself, and the routes every client starts with.
  c.exchange(port, {"GET", "/api/openapi.json", "", 200});
  c.exchange(port, {"GET", "/api/health", "", 200});
  c.exchange(port, {"GET", "/api/remote/modules", "", 200});
  check_wrong_methods(c, api);
  for (const char* nowhere : {"/api/remote/nowhere", "/api/remote/runs/", "/api/remote/runs/a/b", "/"}) {
    c.exchange(port, {"GET", nowhere, "", 404});
  }

  // Installs against a port nothing listens on (connection refused: fast). A dry run, a fleet dry
  // run, an applied run (fails: unreachable, but writes the manifest and the log), and one that
  // uses every request field without connecting (probe false, record only).
  const std::string refused = "127.0.0.1:1";
  c.exchange(port, {"POST", "/api/remote/install", R"({"host": ")" + refused + R"(", "modules": ["comfyui", "ollama"], "dry_run": true})", 200});
  c.exchange(port, {"POST", "/api/remote/install",
                    R"({"hosts": [")" + refused + R"(", "127.0.0.2:1"], "modules": "all", "dry_run": "yes", "ssh": {"connect_timeout": 5}})", 200});
  c.exchange(port, {"POST", "/api/remote/install", R"({"host": ")" + refused + R"(", "modules": "ollama"})", 200});
  c.exchange(port, {"POST", "/api/remote/install",
                    R"({"hostname": "127.0.0.1", "modules": {"sillytavern": true}, "dry_run": 0, "record_only": false, "probe": "on",)"
                    R"( "ssh": {"username": "rio", "port": "1", "identity_file": ")" + identity +
                        R"(", "timeout": "7.5", "env": {"RIO_CONTRACT": 1, "EMPTY": null},)"
                        R"( "ssh_command": "ssh", "scp_command": "scp", "probe": false, "record_only": "true"},)"
                        R"( "secrets": {}, "options": {"sillytavern": {"ref": "release"}}})",
                    200});

  // Bad requests: 422 for a body that is not a JSON object, 400 naming the field, 413 when too large.
  c.exchange(port, {"POST", "/api/remote/install", "{not json", 422});
  c.exchange(port, {"POST", "/api/remote/install", "[1, 2]", 422});
  for (const char* bad : {R"({"modules": "all"})", R"({"host": "h", "modules": 7})", R"({"host": "h", "modules": "all", "ssh": {"port": 0}})",
                          R"({"host": "h", "modules": "all", "ssh": {"ssh_command": "/bin/sh"}})",
                          R"({"host": "h", "modules": "all", "secrets": {"key": "h"}})", R"({"host": "-oProxyCommand=x", "modules": "all"})"}) {
    c.exchange(port, {"POST", "/api/remote/install", bad, 400});
  }
  c.exchange(port, {"POST", "/api/remote/install", "", 413, {}, {.announce_body_size = 4u << 20}});

  // The lifecycle verbs take the install body (plus their switches) and answer its shapes.
  for (const char* verb : {"update", "rollback", "repair", "uninstall"}) {
    const std::string path = std::string{"/api/remote/"} + verb;
    c.exchange(port, {"POST", path, R"({"host": ")" + refused + R"(", "modules": ["comfyui", "ollama"], "dry_run": true, "force": true})", 200});
    const std::string id = run_id_of(
        c.exchange(port, {"POST", path, R"({"host": ")" + refused + R"(", "modules": "all", "dry_run": true, "async": true})", 202}));
    ASSERT_TRUE(wait_finished(port, id, std::chrono::seconds{60}));
    c.exchange(port, {"POST", path, "{not json", 422});
    c.exchange(port, {"POST", path, R"({"modules": "all"})", 400});
    c.exchange(port, {"POST", path, "", 413, {}, {.announce_body_size = 4u << 20}});
  }
  c.exchange(port, {"POST", "/api/remote/update", R"({"host": "h", "modules": "lmstudio", "to": "v1"})", 400});
  c.exchange(port, {"POST", "/api/remote/update", R"({"host": "h", "modules": "comfyui", "to": "-x"})", 400});
  c.exchange(port, {"POST", "/api/remote/rollback", R"({"host": "h", "modules": "comfyui", "to": "v1"})", 400});
  c.exchange(port, {"POST", "/api/remote/uninstall", R"({"host": "h", "modules": "comfyui", "record_only": true})", 400});

  // An asynchronous dry run: 202, then the finished run, its events (replayed), 409 on cancel.
  auto accepted = c.exchange(port, {"POST", "/api/remote/install", R"({"host": ")" + refused + R"(", "modules": "all", "dry_run": true, "async": true})", 202});
  const std::string done_id = run_id_of(accepted);
  ASSERT_FALSE(done_id.empty());
  ASSERT_TRUE(wait_finished(port, done_id, std::chrono::seconds{60}));
  c.exchange(port, {"GET", "/api/remote/runs/" + done_id, "", 200});
  c.exchange(port, {"GET", "/api/remote/runs/" + done_id + "/events", "", 200});
  c.exchange(port, {"GET", "/api/remote/runs/" + done_id + "/events?from=2", "", 200});
  c.exchange(port, {"GET", "/api/remote/runs/" + done_id + "/events", "", 200, {{"Last-Event-ID", "0"}}});
  c.exchange(port, {"POST", "/api/remote/runs/" + done_id + "/cancel", "", 409});
  c.exchange(port, {"DELETE", "/api/remote/runs/" + done_id, "", 409});
  c.exchange(port, {"POST", "/api/remote/runs/" + done_id + "/cancel", "", 413, {}, {.announce_body_size = 4u << 20}});

  // Runs that hang in the SSH handshake until cancelled (two hosts: a host runs one run at a
  // time): 200 while running, 202 on cancel (both ways), and each then finishes promptly.
  black_hole hole1, hole2;
  auto hang = [](const black_hole& h) {
    return R"({"host": "127.0.0.1:)" + std::to_string(h.port()) + R"(", "modules": ["ollama"], "async": true, "ssh": {"connect_timeout": 120}})";
  };
  const std::string first = run_id_of(c.exchange(port, {"POST", "/api/remote/install", hang(hole1), 202}));
  const std::string second = run_id_of(c.exchange(port, {"POST", "/api/remote/install", hang(hole2), 202}));
  ASSERT_FALSE(first.empty());
  ASSERT_FALSE(second.empty());
  auto running = object_of(c.exchange(port, {"GET", "/api/remote/runs/" + first, "", 200}));
  EXPECT_EQ(running["state"], "running");
  c.exchange(port, {"GET", "/api/remote/runs", "", 200});
  c.exchange(port, {"POST", "/api/remote/runs/" + first + "/cancel", "", 202});
  c.exchange(port, {"DELETE", "/api/remote/runs/" + second, "", 202});
  for (const auto& id : {first, second}) {
    EXPECT_TRUE(wait_finished(port, id, std::chrono::seconds{30})) << "run " << id << " did not end within 30 s of being cancelled";
    auto finished = object_of(c.exchange(port, {"GET", "/api/remote/runs/" + id, "", 200}));
    EXPECT_EQ(finished["cancelled"], true) << json::serialize(finished);
  }

  // Unknown runs.
  c.exchange(port, {"GET", "/api/remote/runs/20000101T000000Z-00000000", "", 404});
  c.exchange(port, {"DELETE", "/api/remote/runs/no-such-run", "", 404});
  c.exchange(port, {"POST", "/api/remote/runs/no-such-run/cancel", "", 404});
  c.exchange(port, {"GET", "/api/remote/runs/no-such-run/events", "", 404});

  // Status: the list, one host (recorded, and never seen), bad hosts, and an unreadable manifest.
  c.exchange(port, {"GET", "/api/remote/status", "", 200});
  c.exchange(port, {"GET", "/api/remote/status?host=", "", 200});
  c.exchange(port, {"GET", "/api/remote/status?host=" + refused, "", 200});
  c.exchange(port, {"GET", "/api/remote/status?host=127.0.0.1", "", 200});
  c.exchange(port, {"GET", "/api/remote/status?host=never-seen.example", "", 200});
  c.exchange(port, {"GET", "/api/remote/status?host=%20", "", 400});
  c.exchange(port, {"GET", "/api/remote/status?host=-oProxyCommand%3Dx", "", 400});
  const fs::path corrupt = status_file_of(root.path(), "corrupt.example");
  fs::create_directories(corrupt.parent_path());
  std::ofstream{corrupt} << "{\"host\": \"corrupt.example\", \"modules\": [";
  c.exchange(port, {"GET", "/api/remote/status?host=corrupt.example", "", 500});
  // A bare host recorded on two ports: which one is meant is not guessed.
  for (const char* spec : {"two-ports.example:2200", "two-ports.example:2222"}) {
    std::ofstream{status_file_of(root.path(), spec)} << "{\"host\": \"" << spec << "\", \"modules\": {}, \"version\": 1}\n";
  }
  c.exchange(port, {"GET", "/api/remote/status?host=two-ports.example", "", 409});
  c.exchange(port, {"GET", "/api/remote/status", "", 200});

  // Logs: the lines the applied run wrote, from a line on, and bad parameters.
  c.exchange(port, {"GET", "/api/remote/logs?host=" + refused + "&follow=false", "", 200});
  c.exchange(port, {"GET", "/api/remote/logs?host=" + refused + "&from=2&follow=0", "", 200});
  c.exchange(port, {"GET", "/api/remote/logs?host=never-seen.example&follow=false", "", 200});
  c.exchange(port, {"GET", "/api/remote/logs", "", 400});
  c.exchange(port, {"GET", "/api/remote/logs?host=" + refused + "&from=two", "", 400});

  // Modder hooks: the catalogue, history, a live stream (fed by test events until it has one),
  // the test emitter, and webhooks (never delivered to: nothing listens on port 9).
  c.exchange(port, {"GET", "/api/modder/hooks", "", 200});
  c.exchange(port, {"GET", "/api/modder/hooks/history", "", 200});
  c.exchange(port, {"GET", "/api/modder/hooks/history?limit=5&event=on_remote_install_started", "", 200});
  c.exchange(port, {"GET", "/api/modder/hooks/history?limit=some", "", 400});
  c.exchange(port, {"GET", "/api/modder/hooks/stream?topics=on_remote_install_started,nope", "", 400});
  {
    std::atomic<bool> streaming{true};
    std::thread feeder{[&] {
      while (streaming) {
        http_request(port, "POST", "/api/modder/hooks/test", R"({"payload": {"from": "contract"}})");
        std::this_thread::sleep_for(std::chrono::milliseconds{50});
      }
    }};
    auto live = c.exchange(port, {"GET", "/api/modder/hooks/stream?topics=on_remote_install_started", "", 200, {},
                                  {.events = 2, .patience = std::chrono::seconds{20}}});
    streaming = false;
    feeder.join();
    EXPECT_EQ(parse_events(live.body).size(), 2u) << live.body;
  }
  // The hook WebSocket: a plain GET is 426; an upgrade is 101, then quiet until the client's
  // first message (left after a moment).
  c.exchange(port, {"GET", "/api/modder/hooks/ws", "", 426});
  c.exchange(port, {"GET", "/api/modder/hooks/ws", "", 101,
                    {{"Connection", "Upgrade"}, {"Upgrade", "websocket"}, {"Sec-WebSocket-Version", "13"},
                     {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}},
                    {.patience = std::chrono::milliseconds{1500}}});
  c.exchange(port, {"POST", "/api/modder/hooks/test", "", 200});
  c.exchange(port, {"POST", "/api/modder/hooks/test", R"({"event": "on_module_loaded", "payload": {"module": "x"}})", 200});
  c.exchange(port, {"POST", "/api/modder/hooks/test", R"({"event": "on_nothing"})", 400});
  c.exchange(port, {"POST", "/api/modder/hooks/test", R"({"payload": [1]})", 400});
  c.exchange(port, {"POST", "/api/modder/hooks/test", "[1]", 422});
  c.exchange(port, {"POST", "/api/modder/hooks/test", "", 413, {}, {.announce_body_size = 4u << 20}});
  const std::string hook = R"({"event": "on_module_loaded", "url": "http://127.0.0.1:9/rio-hook")";
  c.exchange(port, {"POST", "/api/modder/hooks/webhooks", hook + R"(, "secret": "contract-webhook-secret"})", 200});
  c.exchange(port, {"POST", "/api/modder/hooks/webhooks", R"({"event": "*", "url": "http://127.0.0.1:9/all"})", 200});
  c.exchange(port, {"GET", "/api/modder/hooks", "", 200});
  c.exchange(port, {"POST", "/api/modder/hooks/webhooks", R"({"event": "on_module_loaded", "url": "ftp://example.com/"})", 400});
  c.exchange(port, {"POST", "/api/modder/hooks/webhooks", R"({"event": "on_nothing", "url": "http://127.0.0.1:9/"})", 400});
  c.exchange(port, {"POST", "/api/modder/hooks/webhooks", "not json", 422});
  c.exchange(port, {"POST", "/api/modder/hooks/webhooks", "", 413, {}, {.announce_body_size = 4u << 20}});
  // The server's limit on webhooks (32): the one after it is a 409.
  for (int i = 0; i < 30; ++i) {
    http_request(port, "POST", "/api/modder/hooks/webhooks", R"({"event": "*", "url": "http://127.0.0.1:9/n)" + std::to_string(i) + R"("})");
  }
  c.exchange(port, {"POST", "/api/modder/hooks/webhooks", R"({"event": "*", "url": "http://127.0.0.1:9/one-too-many"})", 409});
  for (int i = 0; i < 30; ++i) {
    http_request(port, "DELETE", "/api/modder/hooks/webhooks", R"({"event": "*", "url": "http://127.0.0.1:9/n)" + std::to_string(i) + R"("})");
  }
  c.exchange(port, {"DELETE", "/api/modder/hooks/webhooks", hook + "}", 200});
  c.exchange(port, {"DELETE", "/api/modder/hooks/webhooks", R"({"event": "*", "url": "http://127.0.0.1:9/all"})", 200});
  c.exchange(port, {"DELETE", "/api/modder/hooks/webhooks", hook + "}", 404});
  c.exchange(port, {"DELETE", "/api/modder/hooks/webhooks", R"({"event": "on_module_loaded"})", 400});
  c.exchange(port, {"DELETE", "/api/modder/hooks/webhooks", "", 422});
  c.exchange(port, {"DELETE", "/api/modder/hooks/webhooks", "", 413, {}, {.announce_body_size = 4u << 20}});

  // The security API, turned on as the GUI's drawer does (its flag is off by default). The vault
  // exists: the signed webhook above stored its secret there.
  {
    const fs::path flags = root.path() / "config/comfyvn.json";
    const auto before = fs::last_write_time(flags);
    std::ofstream{flags} << R"({"features": {"enable_remote_installer": true, "enable_security_api": true}})" << "\n";
    fs::last_write_time(flags, before + std::chrono::seconds{1});  // seen as changed even within one clock tick
  }
  c.exchange(port, {"GET", "/api/security/secrets/providers", "", 200});
  c.exchange(port, {"POST", "/api/security/secrets/rotate", "", 200});
  c.exchange(port, {"POST", "/api/security/secrets/rotate", R"({"new_key": ")" + std::string(64, 'e') + R"("})", 200});
  c.exchange(port, {"POST", "/api/security/secrets/rotate", R"({"new_key": null})", 200});
  c.exchange(port, {"POST", "/api/security/secrets/rotate", R"({"new_key": " "})", 400});
  c.exchange(port, {"POST", "/api/security/secrets/rotate", "[1]", 422});
  c.exchange(port, {"POST", "/api/security/secrets/rotate", "", 413, {}, {.announce_body_size = 4u << 20}});
  c.exchange(port, {"GET", "/api/security/audit", "", 200});
  c.exchange(port, {"GET", "/api/security/audit?limit=3", "", 200});
  c.exchange(port, {"GET", "/api/security/audit?limit=three", "", 422});
  c.exchange(port, {"GET", "/api/security/sandbox/defaults", "", 200});
  c.exchange(port, {"POST", "/api/security/sandbox/check", R"({"host": "127.0.0.1", "port": 8080, "allow": "localhost:8080"})", 200});
  c.exchange(port, {"POST", "/api/security/sandbox/check", R"({"host": "gpu.lab", "port": null, "allow": ["*.lab", "x:1"]})", 200});
  c.exchange(port, {"POST", "/api/security/sandbox/check", R"({"host": "gpu.lab", "port": "x"})", 400});
  c.exchange(port, {"POST", "/api/security/sandbox/check", "", 422});
  c.exchange(port, {"POST", "/api/security/sandbox/check", "", 413, {}, {.announce_body_size = 4u << 20}});
  {
    // A vault that cannot be opened, and a log that is a symbolic link (never followed).
    const fs::path vault_file = root.path() / "config/comfyvn.secrets.json";
    const std::string sealed = read_file(vault_file);
    std::ofstream{vault_file} << "{not a vault";
    c.exchange(port, {"GET", "/api/security/secrets/providers", "", 400});
    std::ofstream{vault_file} << sealed;
    const fs::path log = root.path() / "logs/security.log";
    fs::rename(log, root.path() / "logs/security.log.real");
    fs::create_symlink(root.path() / "logs/security.log.real", log);
    c.exchange(port, {"GET", "/api/security/audit", "", 500});
  }

  // A second server: flag off and an API token.
  {
    temp_dir locked_root;
    const std::string token = "contract-token-0123456789abcdef";
    live_server locked{locked_root.path(), {.flag_on = false, .token = token, .env = {}}};
    check_token_and_flag(c, locked, token);
  }

  // The router's own paths (its source) are exactly the document's: a route added without a
  // description fails here even though no request above knows it.
  std::set<std::string> routed;
  std::ifstream router{fs::path{RIO_TEST_SOURCE_DIR} / "http/src/router.cpp"};
  const std::string code{std::istreambuf_iterator<char>{router}, {}};
  for (std::size_t at = 0; (at = code.find("p == \"", at)) != std::string::npos; at += 6) routed.insert(code.substr(at + 6, code.find('"', at + 6) - at - 6));
  for (std::size_t at = 0; (at = code.find("run_id_of(p, \"", at)) != std::string::npos; at += 14) {
    routed.insert("/api/remote/runs/{run_id}" + code.substr(at + 14, code.find('"', at + 14) - at - 14));
  }
  std::set<std::string> described;
  for (const auto& [path, ignored] : c.document().at("paths").as_object()) described.emplace(path);
  EXPECT_FALSE(routed.empty());
  EXPECT_EQ(routed, described) << "http/src/router.cpp and /api/openapi.json must list the same paths";

  EXPECT_TRUE(c.saw_405());
  EXPECT_TRUE(c.saw_404_no_route());
  for (const auto& [path, method, status] : c.documented()) {
    EXPECT_TRUE(c.seen().contains({path, method, status}))
        << method << " " << path << " documents " << status << " but no request produced it";
  }
}

TEST(HttpContract, RealInstallsStreamsAndRecordsMatchTheDocument) {
  REQUIRE_SSHD();
  engine_world w;
  auto& host = w.add_host();
  const fs::path key = w.root() / "keys/user_ed25519";
  fs::create_directories(key.parent_path());
  fs::copy_file(host.user_key(), key);
  fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write);
  live_server api{w.root(), {}};
  api_contract c{fetch_document(api.port())};
  const auto port = api.port();
  const std::string spec = engine_world::spec(host);

  json::object options;
  for (const auto& [module, values] : w.fixtures().options) {
    json::object o;
    for (const auto& [k, v] : values) o[k] = v;
    options[module] = std::move(o);
  }
  auto body = [&](const std::string& modules, const std::string& extra, const json::object& opts, const std::string& ssh_extra = "") {
    return R"({"host": ")" + spec + R"(", "modules": )" + modules + R"(, "ssh": {"identity": ")" + key.string() + "\"" +
           (ssh_extra.empty() ? "" : ", " + ssh_extra) + R"(}, "options": )" + json::serialize(opts) +
           (extra.empty() ? "" : ", " + extra) + "}";
  };

  auto plan = object_of(c.exchange(port, {"POST", "/api/remote/install", body(R"("all")", R"("dry_run": true)", options), 200}));
  EXPECT_EQ(plan["status"], "dry_run");

  // A module whose installer cannot be fetched fails with step results and a stderr tail.
  json::object broken = options;
  // (Under the fixture directory: the only file:// sources config/rio.json allows.)
  broken["ollama"].as_object()["installer_url"] = "file://" + (w.fixtures().dir / "missing-install.sh").string();
  auto failed = object_of(c.exchange(port, {"POST", "/api/remote/install", body(R"(["ollama"])", "", broken), 200}));
  EXPECT_EQ(failed["status"], "failed") << json::serialize(failed);
  EXPECT_EQ(failed["succeeded"], false);

  auto installed = object_of(c.exchange(port, {"POST", "/api/remote/install", body(R"("all")", "", options), 200}));
  EXPECT_EQ(installed["status"], "installed") << json::serialize(installed);
  auto again = object_of(c.exchange(port, {"POST", "/api/remote/install", body(R"("all")", "", options), 200}));
  EXPECT_EQ(again["status"], "noop") << json::serialize(again);

  auto fleet = object_of(c.exchange(port, {"POST", "/api/remote/install",
                                           R"({"hosts": [")" + spec + R"("], "modules": ["ollama", "comfyui"], "ssh": {"identity": ")" +
                                               key.string() + R"("}, "options": )" + json::serialize(options) + "}",
                                           200}));
  EXPECT_EQ(fleet["status"], "noop") << json::serialize(fleet);

  // Async with live events: the stream follows the run to its end.
  const std::string id = run_id_of(c.exchange(
      port, {"POST", "/api/remote/install", body(R"("all")", R"("async": true)", options, R"("env": {"RIO_CONTRACT": "1"})"), 202}));
  ASSERT_FALSE(id.empty());
  auto stream = c.exchange(port, {"GET", "/api/remote/runs/" + id + "/events", "", 200});
  EXPECT_NE(stream.body.find("event: host_finished"), std::string::npos) << stream.body.substr(0, 400);
  c.exchange(port, {"GET", "/api/remote/runs/" + id, "", 200});
  c.exchange(port, {"GET", "/api/remote/runs", "", 200});

  c.exchange(port, {"GET", "/api/remote/status", "", 200});
  c.exchange(port, {"GET", "/api/remote/status?host=" + spec, "", 200});
  auto log = c.exchange(port, {"GET", "/api/remote/logs?host=" + spec + "&follow=false", "", 200});
  EXPECT_GT(parse_events(log.body).size(), 10u);
  c.exchange(port, {"GET", "/api/remote/logs?host=" + spec + "&from=5&follow=false", "", 200});

  // The lifecycle verbs on the real host: plans, an update with its events, a rollback, an uninstall.
  auto update_plan = object_of(c.exchange(port, {"POST", "/api/remote/update", body(R"(["comfyui"])", R"("dry_run": true, "to": "master")", options), 200}));
  EXPECT_EQ(update_plan["plan"].as_array().at(0).as_object()["action"], "update") << json::serialize(update_plan);
  const std::string update_id = run_id_of(
      c.exchange(port, {"POST", "/api/remote/update", body(R"(["comfyui", "ollama"])", R"("async": true)", options), 202}));
  auto update_stream = c.exchange(port, {"GET", "/api/remote/runs/" + update_id + "/events", "", 200});
  EXPECT_NE(update_stream.body.find("event: verb_finished"), std::string::npos) << update_stream.body.substr(0, 400);
  c.exchange(port, {"GET", "/api/remote/runs/" + update_id, "", 200});
  auto back = object_of(c.exchange(port, {"POST", "/api/remote/rollback", body(R"(["comfyui"])", "", options), 200}));
  EXPECT_EQ(back["status"], "installed") << json::serialize(back);
  auto repair = object_of(c.exchange(port, {"POST", "/api/remote/repair", body(R"(["comfyui"])", "", options), 200}));
  EXPECT_EQ(repair["status"], "noop") << json::serialize(repair);
  auto removal = object_of(c.exchange(port, {"POST", "/api/remote/uninstall", body(R"(["sillytavern"])", R"("dry_run": true)", options), 200}));
  EXPECT_TRUE(removal["plan"].as_array().at(0).as_object().contains("removals")) << json::serialize(removal);
  auto removed = object_of(c.exchange(port, {"POST", "/api/remote/uninstall", body(R"(["sillytavern"])", R"("purge": true)", options), 200}));
  EXPECT_EQ(removed["status"], "uninstalled") << json::serialize(removed);
  c.exchange(port, {"GET", "/api/remote/status?host=" + spec, "", 200});
}

}  // namespace
}  // namespace rio::test::contract
