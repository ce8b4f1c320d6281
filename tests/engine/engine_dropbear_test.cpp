// Dropbear 2022.83 (Debian's dropbear-bin, common on embedded and edge boxes) as the SSH server,
// issue #22: the exec request stays short (Dropbear drops the connection above 9,000 bytes, and
// detection never ran), every host-key type connects with modern algorithms, a changed key or key
// type is handled as documented, and a connection the server drops right after a command says so.
// Loopback only, free ports, generated keys, Dropbear stopped by PID.
#include "engine_test_support.hpp"

#include "dropbear_server.hpp"

#include <rio/kernel/ssh/session.hpp>
#include <rio/sdk/testing/run_co.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>

#include <fstream>

namespace rio::test {
namespace {

namespace json = boost::json;
namespace ssh = kernel::ssh;

#define REQUIRE_DROPBEAR()                                                                           \
  if (auto missing = ::rio::test::dropbear_server::missing(); !missing.empty())                     \
  GTEST_SKIP() << "Dropbear is not installed on this machine: needs " << missing

const std::vector<std::string> all_modules{"comfyui", "sillytavern", "lmstudio", "ollama"};

// `rio <command> <dropbear host> -m all` with the offline fixtures and the host's own key.
std::vector<std::string> dropbear_args(engine_world& w, const dropbear_server& db, const std::string& command) {
  std::vector<std::string> a{"--root", w.root().string(), "--plugin-dir", RIO_TEST_PLUGIN_DIR, command, db.spec(),
                             "-m", "all", "--identity", db.user_key().string(), "--no-progress"};
  for (const auto& [module, values] : w.fixtures().options) {
    for (const auto& [k, v] : values) a.insert(a.end(), {"--set", module + "." + k + "=" + v});
  }
  return a;
}

void pin_in_rio_known_hosts(const engine_world& w, const std::string& line) {
  fs::create_directories(w.root() / "data/ssh");
  std::ofstream{w.root() / "data/ssh/known_hosts", std::ios::app} << line << "\n";
}

struct key_case {
  std::string type;               // dropbearkey -t
  std::string negotiated;         // what the handshake should agree on with libssh2 1.10
};

// Test names and ctest's listing show the key type, not the struct's bytes.
void PrintTo(const key_case& k, std::ostream* os) { *os << k.type; }

class EngineDropbearHosts : public ::testing::TestWithParam<key_case> {};

TEST_P(EngineDropbearHosts, PlanInstallAndANoopRerun) {
  REQUIRE_SSHD();
  REQUIRE_DROPBEAR();
  engine_world w;
  dropbear_server db{{.host_key_type = GetParam().type, .stub_dir = w.fixtures().stub_dir}};

  auto plan = w.run(engine_world::with(dropbear_args(w, db, "plan"), {"--json"}));
  ASSERT_EQ(plan.code, 0) << plan.err << plan.out << db.log();
  auto p = parse_object(plan.out);
  ASSERT_TRUE(p["facts"].is_object()) << "detection must have run: " << plan.out;
  for (const auto& entry : p["plan"].as_array()) {
    EXPECT_EQ(entry.at("action"), "install") << json::serialize(entry);
    EXPECT_EQ(std::string{entry.at("reason").as_string()}.find("unknown"), std::string::npos) << json::serialize(entry);
  }
  const auto& algorithms = p["ssh"].as_object();
  EXPECT_EQ(std::string{algorithms.at("host_key").as_string()}, GetParam().negotiated) << plan.out;
  EXPECT_EQ(algorithms.at("kex"), "curve25519-sha256") << plan.out;
  EXPECT_EQ(algorithms.at("cipher"), "aes128-ctr") << plan.out;
  EXPECT_EQ(algorithms.at("mac"), "hmac-sha2-256") << plan.out;
  const auto warnings = strings_of(p["warnings"]);
  const bool sha1_warned = std::any_of(warnings.begin(), warnings.end(), [](const std::string& x) {
    return x.find("verified with SHA-1 signatures (ssh-rsa)") != std::string::npos;
  });
  EXPECT_EQ(sha1_warned, GetParam().negotiated == "ssh-rsa") << plan.out;

  auto first = w.run(engine_world::with(dropbear_args(w, db, "install"), {"--json"}));
  ASSERT_EQ(first.code, 0) << first.err << first.out << db.log();
  auto r1 = parse_object(first.out);
  EXPECT_EQ(r1["status"], "installed") << first.out;
  EXPECT_EQ(strings_of(r1["installed"]), all_modules);
  for (const auto& m : all_modules) {
    EXPECT_TRUE(fs::exists(db.home() / ".config/comfyvn/remote" / (m + ".installed"))) << m;
  }
  // The config upload went through the same stdin bootstrap.
  EXPECT_EQ(read_file(db.home() / ".config/comfyvn/remote/comfyui.json"), "{\"from\": \"rio root\"}\n");

  auto second = w.run(engine_world::with(dropbear_args(w, db, "install"), {"--json"}));
  ASSERT_EQ(second.code, 0) << second.err << second.out;
  auto r2 = parse_object(second.out);
  EXPECT_EQ(r2["status"], "noop") << second.out;
  EXPECT_EQ(strings_of(r2["skipped"]), all_modules);
  EXPECT_EQ(r2["remote_commands"], 1) << "one detect command, nothing else";
}

// libssh2 1.10 has no rsa-sha2-512/256 host keys, so an RSA-only host is verified with ssh-rsa
// (SHA-1) signatures; rio says so in a warning (docs/ssh.md#algorithms).
INSTANTIATE_TEST_SUITE_P(EngineDropbear, EngineDropbearHosts,
                         ::testing::Values(key_case{"ed25519", "ssh-ed25519"}, key_case{"ecdsa", "ecdsa-sha2-nistp256"},
                                           key_case{"rsa", "ssh-rsa"}),
                         [](const ::testing::TestParamInfo<key_case>& param) { return param.param.type; });

TEST(EngineDropbearText, VerboseShowsWhatWasNegotiated) {
  REQUIRE_SSHD();
  REQUIRE_DROPBEAR();
  engine_world w;
  dropbear_server db{{.host_key_type = "ed25519", .stub_dir = w.fixtures().stub_dir}};
  auto plan = w.run(engine_world::with(dropbear_args(w, db, "plan"), {"-v"}));
  ASSERT_EQ(plan.code, 0) << plan.err << plan.out;
  EXPECT_NE(plan.out.find("  ssh: kex curve25519-sha256, host key ssh-ed25519 SHA256:"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find(", cipher aes128-ctr, mac hmac-sha2-256, auth publickey ("), std::string::npos) << plan.out;
}

TEST(EngineDropbearHostKeys, AChangedKeyIsRefused) {
  REQUIRE_SSHD();
  REQUIRE_DROPBEAR();
  engine_world w;
  dropbear_server db{{.host_key_type = "ed25519", .stub_dir = w.fixtures().stub_dir}};
  pin_in_rio_known_hosts(w, db.other_known_hosts_line("ed25519"));
  auto plan = w.run(engine_world::with(dropbear_args(w, db, "plan"), {"--json"}));
  EXPECT_NE(plan.code, 0) << plan.out;
  auto p = parse_object(plan.out);
  EXPECT_EQ(p["failure"], "unreachable") << plan.out;
  EXPECT_NE(std::string{p["error"].as_string()}.find("has CHANGED"), std::string::npos) << plan.out;
}

// ed25519 pinned, the server now offers only RSA: not "unknown", a possible downgrade.
TEST(EngineDropbearHostKeys, AKeyTypeChangeIsRefusedWhenStrictAndWarnedUnderAcceptNew) {
  REQUIRE_SSHD();
  REQUIRE_DROPBEAR();
  engine_world w;
  dropbear_server db{{.host_key_type = "rsa", .stub_dir = w.fixtures().stub_dir}};
  pin_in_rio_known_hosts(w, db.other_known_hosts_line("ed25519"));

  auto strict = w.run(engine_world::with(dropbear_args(w, db, "plan"), {"--json", "--strict-host-keys"}));
  EXPECT_NE(strict.code, 0) << strict.out;
  auto s = parse_object(strict.out);
  const std::string error{s["error"].as_string()};
  EXPECT_NE(error.find("host key TYPE"), std::string::npos) << strict.out;
  EXPECT_NE(error.find("known_hosts has ssh-ed25519"), std::string::npos) << strict.out;
  EXPECT_NE(error.find("offered only ssh-rsa"), std::string::npos) << strict.out;
  EXPECT_NE(error.find("downgrade"), std::string::npos) << strict.out;

  auto accept = w.run(engine_world::with(dropbear_args(w, db, "plan"), {"--json"}));
  ASSERT_EQ(accept.code, 0) << accept.out;
  auto a = parse_object(accept.out);
  const auto warnings = strings_of(a["warnings"]);
  EXPECT_TRUE(std::any_of(warnings.begin(), warnings.end(), [](const std::string& x) {
    return x.find("possible downgrade") != std::string::npos;
  })) << accept.out;
}

ssh::connect_options dropbear_connect(const dropbear_server& db, const fs::path& known_hosts) {
  ssh::connect_options o;
  o.where = {db.address(), db.port(), db.user()};
  o.hosts.read = {};
  o.hosts.record = known_hosts;
  o.hosts.policy = ssh::host_key_policy::accept_new;
  o.auth.identity_files = {db.user_key()};
  o.auth.use_agent = false;
  return o;
}

// A 100 KB command travels on stdin: the exec request Dropbear sees stays a short bootstrap.
TEST(EngineDropbearExec, AHundredKilobyteScriptRoundTrips) {
  REQUIRE_DROPBEAR();
  dropbear_server db;
  temp_dir scratch;
  std::string body;
  for (int i = 0; body.size() < 100 * 1024; ++i) body += "echo line-" + std::to_string(i) + " 'quoted $x' \"and\\\\ more\"\n";
  sdk::testing::run_co([&]() -> boost::asio::awaitable<void> {
    auto s = co_await ssh::session::connect(dropbear_connect(db, scratch.path() / "known_hosts"));
    EXPECT_TRUE(s) << (s ? "" : s.error().message) << db.log();
    if (!s) co_return;
    sdk::exec_request req;
    req.command = body + "printf end";
    req.timeout = std::chrono::seconds{30};
    auto r = co_await (*s)->exec(req);
    EXPECT_TRUE(r) << (r ? "" : r.error().message) << db.log();
    if (!r) co_return;
    EXPECT_EQ(r->exit_code, 0) << r->stderr_tail;
    EXPECT_GT(r->stdout_bytes, 100u * 1024 / 3);
    EXPECT_TRUE(r->stdout_tail.ends_with("and\\ more\nend")) << r->stdout_tail.substr(r->stdout_tail.size() - 200);
    co_await (*s)->disconnect();
  });
  EXPECT_EQ(db.log().find("String too long"), std::string::npos) << db.log();
}

// The server's per-connection process dies as soon as the command starts (as Dropbear drops an
// over-long exec request): the error says the server closed the connection right after the
// command was sent, and names the known causes, instead of libssh2's close-channel message.
TEST(EngineDropbearExec, AConnectionDroppedRightAfterTheCommandSaysSo) {
  REQUIRE_DROPBEAR();
  dropbear_server db;
  temp_dir scratch;
  // The nearest ancestor named dropbear is the connection's own process.
  const std::string kill_server =
      "p=$$; while [ \"$p\" -gt 1 ]; do if [ \"$(cat /proc/$p/comm)\" = dropbear ]; then kill -KILL $p; exit 0; fi; "
      "p=$(cut -d' ' -f4 /proc/$p/stat); done; exit 3";
  sdk::testing::run_co([&]() -> boost::asio::awaitable<void> {
    auto s = co_await ssh::session::connect(dropbear_connect(db, scratch.path() / "known_hosts"));
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    if (!s) co_return;
    sdk::exec_request req;
    req.command = kill_server;
    req.timeout = std::chrono::seconds{30};
    auto r = co_await (*s)->exec(req);
    EXPECT_FALSE(r) << "exit " << (r ? r->exit_code : 0);
    if (r) co_return;
    EXPECT_EQ(r.error().code, ssh::make_error_code(ssh::errc::connection_lost));
    EXPECT_NE(r.error().message.find("closed the connection right after the command was sent"), std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find("Dropbear drops the connection when it exceeds 9,000 bytes"), std::string::npos);
    EXPECT_EQ(r.error().message.find("Unable to send close-channel request"), std::string::npos) << r.error().message;
  });
}

}  // namespace
}  // namespace rio::test
