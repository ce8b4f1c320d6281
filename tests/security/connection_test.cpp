// Security regressions (issue 26, point 4): before authentication, connections themselves were
// the attack. 1,030 idle sockets stopped /api/health from answering; with the token configured,
// 300 unauthenticated 1 MB bodies held 306 MB (the token was checked after the body was read);
// with a low descriptor limit the accept loop spun at 90% CPU.
#include "security_support.hpp"

namespace rio::test::security {
namespace {

const std::string token = "connection-token-0123456789";

std::string announced_body_head(std::size_t announced, const std::vector<std::string>& extra = {}) {
  std::string r = "POST /api/modder/hooks/test HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
                  std::to_string(announced) + "\r\n";
  for (const auto& h : extra) r += h + "\r\n";
  return r + "\r\n";
}

// The token is checked on the headers: a client without it gets 401 at once, and the server never
// holds its body. The old code read the whole body first, so these clients, which send only the
// first 64 KiB of what they announce, were never answered.
TEST(SecurityConnections, TheTokenIsCheckedBeforeTheBodyIsRead) {
  temp_dir root;
  api_server api{root.path(), true, token, {}, [](http::server_options& o) { o.max_connections_per_address = 512; }};
  const std::size_t before = rss_kib();
  std::vector<raw_client> clients;
  const std::string chunk(64 * 1024, 'x');
  for (int i = 0; i < 300; ++i) {
    clients.emplace_back(api.port());
    ASSERT_TRUE(clients.back().ok()) << i;
    ASSERT_TRUE(clients.back().send(announced_body_head(1000 * 1000) + chunk)) << i;
  }
  for (std::size_t i = 0; i < clients.size(); ++i) {
    auto r = clients[i].reply(10s);
    ASSERT_TRUE(r) << "client " << i << " got no answer: the server waited for a body it should never read";
    EXPECT_EQ(r->status, 401);
    EXPECT_EQ(r->headers["connection"], "close");
  }
  const std::size_t after = rss_kib();
  EXPECT_LT(after > before ? (after - before) / 1024 : 0, 64u) << "RSS " << before / 1024 << " -> " << after / 1024 << " MiB";
  // The same goes for the cross-site guard and for a body declared too large (413 from the headers).
  raw_client foreign{api.port()};
  foreign.send(announced_body_head(1000 * 1000, {"Origin: http://evil.example", "Authorization: Bearer " + token}));
  auto refused = foreign.reply(10s);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  raw_client large{api.port()};
  large.send(announced_body_head(50 * 1000 * 1000, {"Authorization: Bearer " + token}));
  auto too_large = large.reply(10s);
  ASSERT_TRUE(too_large);
  EXPECT_EQ(too_large->status, 413);
  // And the right token still gets its body read.
  EXPECT_EQ(api.post("/api/modder/hooks/test", R"({"payload": {}})", {{"Authorization", "Bearer " + token}}).status, 200);
}

// A client that asks before sending its body (Expect: 100-continue, as curl does) is told no at
// once without the token, and to go on with it.
TEST(SecurityConnections, ContinueIsSentOnlyAfterTheHeadersPass) {
  temp_dir root;
  api_server api{root.path(), true, token};
  raw_client anonymous{api.port()};
  anonymous.send(announced_body_head(100, {"Expect: 100-continue"}));
  auto refused = anonymous.reply(10s);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401) << "a final answer, not 100 Continue";
  raw_client allowed{api.port()};
  const std::string body = R"({"payload": {"n": 1}})";
  allowed.send(announced_body_head(body.size(), {"Expect: 100-continue", "Authorization: Bearer " + token}));
  auto go_on = allowed.reply(10s);
  ASSERT_TRUE(go_on);
  EXPECT_EQ(go_on->status, 100);
  allowed.send(body);
  auto done = allowed.reply(10s);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, 200) << done->body;
}

// Idle sockets cost an attacker nothing, so at the cap the longest-idle one makes room.
TEST(SecurityConnections, IdleSocketsCannotLockOutHealth) {
  temp_dir root;
  api_server api{root.path(), true, std::nullopt, {}, [](http::server_options& o) { o.max_connections = 32; }};
  std::vector<raw_client> idle;
  for (int i = 0; i < 40; ++i) idle.emplace_back(api.port());
  for (int i = 0; i < 3; ++i) {
    raw_client c{api.port()};
    c.send(request_bytes("GET", "/api/health", ""));
    auto r = c.reply(10s);
    ASSERT_TRUE(r) << "health did not answer behind 40 idle sockets";
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_TRUE(idle.front().closed_within(10s)) << "the longest-idle socket was closed to make room";
}

// When every connection under the cap is busy, the newcomer is told so at once (503), not dropped.
TEST(SecurityConnections, ACapOfBusyConnectionsIsAnswered503) {
  temp_dir root;
  api_server api{root.path(), true, std::nullopt, {}, [](http::server_options& o) { o.max_connections = 8; }};
  std::vector<raw_client> busy;
  for (int i = 0; i < 8; ++i) {
    busy.emplace_back(api.port());
    busy.back().send("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n");  // headers begun, never finished
  }
  // The server takes connections in order: a complete request on a ninth shows the eight are in.
  raw_client ninth{api.port()};
  ninth.send(request_bytes("GET", "/api/health", ""));
  auto r = ninth.reply(10s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(code_of(*r), "too_many_connections");
  EXPECT_EQ(r->headers["retry-after"], "1");
}

// One address cannot take every place: the cap per client address leaves room for the others.
TEST(SecurityConnections, OneClientAddressCannotTakeEveryConnection) {
  temp_dir root;
  api_server api{root.path(), true, std::nullopt, {}, [](http::server_options& o) {
                   o.max_connections = 64;
                   o.max_connections_per_address = 4;
                 }};
  std::vector<raw_client> busy;
  for (int i = 0; i < 4; ++i) {
    busy.emplace_back(api.port(), "127.0.0.2");
    ASSERT_TRUE(busy.back().ok()) << "cannot bind 127.0.0.2";
    busy.back().send("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  }
  raw_client fifth{api.port(), "127.0.0.2"};
  fifth.send(request_bytes("GET", "/api/health", ""));
  auto refused = fifth.reply(10s);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  raw_client other{api.port(), "127.0.0.3"};
  other.send(request_bytes("GET", "/api/health", ""));
  auto ok = other.reply(10s);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

// Headers have a deadline of their own, shorter than the keep-alive allowance: a connection that
// never finishes its headers (or never starts) is dropped after it.
TEST(SecurityConnections, HeadersHaveTheirOwnDeadline) {
  temp_dir root;
  api_server api{root.path(), true, std::nullopt, {}, [](http::server_options& o) {
                   o.header_timeout = std::chrono::seconds{1};
                   o.idle_timeout = std::chrono::seconds{60};
                   o.read_timeout = std::chrono::seconds{60};
                 }};
  raw_client silent{api.port()};
  raw_client slow{api.port()};
  slow.send("GET /api/health HTTP/1.1\r\nHo");
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(silent.closed_within(10s)) << "a connection that sends nothing";
  EXPECT_TRUE(slow.closed_within(10s)) << "a connection that never finishes its headers";
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  // A kept-alive connection between requests has the idle allowance, not the header deadline.
  raw_client kept{api.port()};
  kept.send(request_bytes("GET", "/api/health", ""));
  ASSERT_TRUE(kept.reply(10s));
  EXPECT_FALSE(kept.closed_within(1500ms));
  kept.send(request_bytes("GET", "/api/health", ""));
  auto second = kept.reply(10s);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
}

// Out of descriptors, accept fails at once, every time: the loop must pause, not spin. The limit
// is lowered on the running server (prlimit) to just above what it holds, then clients that
// finish no request hold the rest.
TEST(SecurityConnections, AcceptPausesWhenDescriptorsRunOut) {
  // Runs under the asan preset too: UBSan's vptr check, whose memory probe needs a free
  // descriptor and gave a false report here, is not part of that preset (docs/reliability.md).
  temp_dir root, scratch;
  api_server::set_flag(root.path(), true);
  serve_process serve{root.path(), scratch.path(), {}, {{"HOME", scratch.path().string()}, {"PATH", "/usr/bin:/bin"}}};
  ASSERT_NE(serve.port(), 0) << serve.err();
  std::size_t open_fds = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator{"/proc/" + std::to_string(serve.pid()) + "/fd"}) ++open_fds;
  rlimit low{open_fds + 3, open_fds + 3};
  rlimit old{};
  ASSERT_EQ(::prlimit(serve.pid(), RLIMIT_NOFILE, nullptr, &old), 0);
  low.rlim_max = old.rlim_max;
  ASSERT_EQ(::prlimit(serve.pid(), RLIMIT_NOFILE, &low, nullptr), 0);
  std::vector<raw_client> holders;
  for (int i = 0; i < 8; ++i) {
    holders.emplace_back(serve.port());
    holders.back().send("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  }
  const auto deadline = std::chrono::steady_clock::now() + 8s;
  while (serve.err().find("cannot accept connections") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    holders.front().readable(20ms);  // a bounded wait for the notice
  }
  ASSERT_NE(serve.err().find("cannot accept connections"), std::string::npos) << serve.err();
  const auto cpu0 = serve.cpu_time();
  const auto wall0 = std::chrono::steady_clock::now();
  holders.front().readable(1000ms);  // one second of the server out of descriptors
  const auto cpu = serve.cpu_time() - cpu0;
  const auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - wall0);
  EXPECT_LT(cpu.count() * 4, wall.count()) << cpu.count() << " ms of CPU in " << wall.count() << " ms (the old loop: ~90%)";
  // Said once per episode, not once per failed accept: under load the server can win a descriptor
  // back (an idle connection closed), accept a queued client and run out again, a second episode
  // (seen once in a -j2 run). The old loop said nothing and spun; what matters is no flood.
  const std::string said = serve.err();
  std::size_t notices = 0;
  for (auto at = said.find("cannot accept connections"); at != std::string::npos; at = said.find("cannot accept connections", at + 1)) {
    ++notices;
  }
  EXPECT_LE(notices, 2u) << said;
  // Descriptors come back: the server serves again.
  holders.clear();
  ASSERT_EQ(::prlimit(serve.pid(), RLIMIT_NOFILE, &old, nullptr), 0);
  raw_client after{serve.port()};
  after.send(request_bytes("GET", "/api/health", ""));
  auto r = after.reply(15s);
  ASSERT_TRUE(r) << serve.err();
  EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace rio::test::security
