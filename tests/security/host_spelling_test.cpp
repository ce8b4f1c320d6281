// Security regressions (issue 26, point 5): one host, however it is spelled, gets one host-key
// record, one run lock and one manifest. Before, `root@LocalHost:PORT` trusted a new key although
// a different one was pinned for `localhost:PORT`, and 127.0.0.1, 127.1 and LOCALHOST ran three
// installers at once on one machine.
#include "../ssh/ssh_test_support.hpp"

#include <rio/kernel/engine/host_key.hpp>
#include <rio/kernel/engine/host_lock.hpp>
#include <rio/kernel/engine/host_run.hpp>
#include <rio/kernel/engine/request_builder.hpp>
#include <rio/kernel/engine/status_manifest.hpp>
#include <rio/kernel/engine/status_query.hpp>
#include <rio/kernel/inventory.hpp>
#include <rio/kernel/ssh/target.hpp>

#include <gtest/gtest.h>

namespace rio::test {
namespace {

namespace ssh = kernel::ssh;
namespace engine = kernel::engine;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

TEST(SecurityHostSpelling, IpLiteralsAndNamesHaveOneCanonicalSpelling) {
  for (const char* v4 : {"127.0.0.1", "127.1", "127.0.1", "0x7f.0.0.1", "0177.0.0.1", "2130706433", "[::ffff:127.0.0.1]",
                         "::FFFF:7f00:1"}) {
    EXPECT_EQ(ssh::canonical_host(v4), "127.0.0.1") << v4;
  }
  for (const char* v6 : {"::1", "[::1]", "0:0:0:0:0:0:0:1", "0000::0001", "[0::1]"}) EXPECT_EQ(ssh::canonical_host(v6), "::1") << v6;
  EXPECT_EQ(ssh::canonical_host("FE80:0:0::ABCD"), "fe80::abcd");
  for (const char* name : {"localhost", "LOCALHOST", "LocalHost"}) EXPECT_EQ(ssh::canonical_host(name), "localhost") << name;
  EXPECT_EQ(ssh::canonical_host("GPU1.Lab.Example"), "gpu1.lab.example");
  // Spelling only: nothing is resolved, and a trailing dot stays a different name (as in OpenSSH).
  EXPECT_EQ(ssh::canonical_host("gpu1."), "gpu1.");
  EXPECT_EQ(ssh::canonical_host("deadbeef"), "deadbeef") << "not a number: no address";
}

TEST(SecurityHostSpelling, EverySpellingSharesOneRecordAndOneLock) {
  const std::uint16_t port = 4501;
  const std::string token = engine::record_token("127.0.0.1", "127.0.0.1", port);
  const std::string lock = engine::lock_token("127.0.0.1", port);
  for (const std::string spec : {"127.1:4501", "2130706433:4501", "[::ffff:127.0.0.1]:4501", "root@127.0.0.1:4501"}) {
    auto e = kernel::inventory::parse_host_spec(spec);
    ASSERT_TRUE(e) << spec << ": " << e.error().message;
    EXPECT_EQ(engine::record_token(e->name, e->where.host, e->where.port), token) << spec;
    EXPECT_EQ(engine::lock_token(e->where.host, e->where.port), lock) << spec;
  }
  auto upper = kernel::inventory::parse_host_spec("LOCALHOST:4501");
  ASSERT_TRUE(upper);
  EXPECT_EQ(engine::record_token(upper->name, upper->where.host, upper->where.port),
            engine::record_token("localhost:4501", "localhost", port));
  // An alias names its own record but locks the address it stands for.
  EXPECT_EQ(engine::lock_token("LocalHost", port), engine::lock_token("localhost", port));
  EXPECT_NE(engine::record_token("gpu-a", "10.0.0.7", 22), engine::record_token("10.0.0.7", "10.0.0.7", 22));
}

// One host run as the engine does it, with no environment and records under `root`.
engine::host_result run_one(const kernel::inventory::host_entry& entry, const engine::run_paths& paths, const fs::path& root,
                            const std::string& run_id, const std::string& user = "") {
  engine::redactor redact;
  auto built = engine::build_host_request(entry, {}, {}, redact, [](const char*) { return std::optional<std::string>{}; });
  if (!built) {
    ADD_FAILURE() << built.error().message;
    return {};
  }
  if (!user.empty()) built->request.where.user = user;
  engine::run_settings settings;
  settings.run_id = run_id;
  settings.paths = paths;
  settings.known_hosts.record = root / "known_hosts";
  return sdk::testing::run_co([&]() -> boost::asio::awaitable<engine::host_result> {
    kernel::ssh::session_pool pool;
    co_return co_await engine::run_host(pool, settings, built->request);
  });
}

// Three spellings of one machine while a run holds it: each is refused as busy, before anything
// connects (the port has no server; nothing gets that far).
TEST(SecurityHostSpelling, ARunOnOneSpellingLocksOutEveryOther) {
  temp_dir root;
  const auto paths = engine::resolve_run_paths(root.path(), {});
  auto held = engine::host_lock::try_acquire(paths.lock_file(engine::lock_token("127.0.0.1", 4501)), "127.0.0.1", "run-a");
  ASSERT_TRUE(held) << held.error().message;
  auto held_name = engine::host_lock::try_acquire(paths.lock_file(engine::lock_token("localhost", 4501)), "localhost", "run-b");
  ASSERT_TRUE(held_name) << held_name.error().message;

  for (const std::string spec : {"root@127.1:4501", "root@0x7f000001:4501", "root@LOCALHOST:4501", "root@LocalHost:4501"}) {
    auto entry = kernel::inventory::parse_host_spec(spec);
    ASSERT_TRUE(entry) << spec;
    auto result = run_one(*entry, paths, root.path(), "run-c");
    EXPECT_EQ(result.failure, engine::host_failure::busy) << spec << ": " << result.error;
    EXPECT_EQ(result.connections, 0u) << spec;
  }
}

// Manifests written before names were canonical stay with their host: found by `rio status`,
// moved to the canonical name by the host's next run. An old file whose address is another
// host's (an alias keeps its case, so its token can look like an old spelling) is left alone.
TEST(SecurityHostSpelling, AManifestWrittenUnderTheTypedNameIsStillFound) {
  temp_dir root;
  const auto paths = engine::resolve_run_paths(root.path(), {});
  engine::host_manifest mine;
  mine.host = "LocalHost:1";
  mine.address = "root@LocalHost:1";
  mine.modules["ollama"].state = "installed";
  const fs::path legacy = paths.status_file("LocalHost_p1");
  ASSERT_TRUE(engine::save_manifest(legacy, mine));
  engine::host_manifest alias;
  alias.host = "LOCALHOST";
  alias.address = "root@127.0.0.9:1";
  ASSERT_TRUE(engine::save_manifest(paths.status_file("LOCALHOST_p1"), alias));

  auto typed = kernel::inventory::parse_host_spec("LocalHost:1");
  ASSERT_TRUE(typed);
  auto found = engine::read_host_status(paths, *typed);
  EXPECT_TRUE(found.exists);
  EXPECT_EQ(found.status_path, legacy);
  ASSERT_TRUE(found.manifest) << found.manifest.error().message;
  EXPECT_EQ(found.manifest->modules.at("ollama").state, "installed");
  auto other = kernel::inventory::parse_host_spec("LOCALHOST:1");
  ASSERT_TRUE(other);
  EXPECT_FALSE(engine::read_host_status(paths, *other).exists) << "another host's manifest was taken";

  // The next run (port 1: nothing answers) moves it, history and all.
  auto result = run_one(*typed, paths, root.path(), "run-moved", "root");
  EXPECT_EQ(result.status_path, paths.status_file("localhost_p1"));
  EXPECT_FALSE(fs::exists(legacy));
  auto moved = engine::load_manifest(result.status_path, "x");
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(moved->modules.at("ollama").state, "installed");
  ASSERT_TRUE(moved->last_run);
  EXPECT_EQ(moved->last_run->id, "run-moved");
  EXPECT_TRUE(fs::exists(paths.status_file("LOCALHOST_p1")));
}

std::string key_of(const std::string& known_hosts_line) { return known_hosts_line.substr(known_hosts_line.find(' ') + 1); }

// The finding itself: a different key is pinned for localhost:PORT; the server (the "attacker")
// offers its own. Typed as LocalHost, libssh2 must still compare against the pinned key, under
// accept-new too, and must record nothing.
TEST(SecurityHostSpelling, AChangedKeyIsRefusedHoweverTheHostIsTyped_Libssh2) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  const std::string port = std::to_string(server.port());
  auto pinned = server.scratch() / "pinned_known_hosts";
  std::ofstream(pinned) << "[localhost]:" << port << " " << key_of(server.wrong_known_hosts_line()) << "\n";
  for (const std::string host : {"LocalHost", "LOCALHOST", "localhost"}) {
    auto o = trusted_options(server);
    o.where.host = host;
    o.hosts.read = {pinned};
    o.hosts.record = server.scratch() / "record_known_hosts";
    o.hosts.policy = ssh::host_key_policy::accept_new;
    auto s = connect_now(o);
    ASSERT_FALSE(s) << host << " was trusted with a key other than the pinned one";
    EXPECT_EQ(s.error().code, ssh::make_error_code(ssh::errc::host_key_changed)) << host << ": " << s.error().message;
    EXPECT_FALSE(fs::exists(o.hosts.record)) << host << ": nothing may be recorded";
  }
}

// The same entry written in another spelling than the one typed (OpenSSH compares names
// case-insensitively; an address is one address however it is written).
TEST(SecurityHostSpelling, AnEntryPinsItsHostInAnySpelling_Libssh2) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  const std::string port = std::to_string(server.port());
  const std::pair<std::string, std::string> cases[] = {{"[LocalHost]:" + port, "localhost"},
                                                      {"[127.000.0.1]:" + port, "127.1"},
                                                      {"[127.0.0.1]:" + port, "2130706433"}};
  for (const auto& [entry, host] : cases) {
    auto pinned = server.scratch() / "pinned_spelled";
    std::ofstream(pinned) << entry << " " << key_of(server.wrong_known_hosts_line()) << "\n";
    auto o = trusted_options(server);
    o.where.host = host;
    o.hosts.read = {pinned};
    o.hosts.policy = ssh::host_key_policy::accept_new;
    auto s = connect_now(o);
    ASSERT_FALSE(s) << entry << " / " << host;
    EXPECT_EQ(s.error().code, ssh::make_error_code(ssh::errc::host_key_changed)) << s.error().message;
  }
}

}  // namespace
}  // namespace rio::test
