// Honest counts and paths for hosts that never ran: unreachable hosts (a loopback port nothing
// listens on, so connect is refused at once) and a busy host (its lock held by the test). A plan
// keeps status dry_run for an unreachable host, but the fleet's progress and summary count it as
// failed and unreachable, and no result names a log or status file that this run did not write.
// No sshd is needed: nothing here reaches a host.
#include "cli_runner.hpp"
#include "temp_dir.hpp"

#include <rio/kernel/engine/engine_json.hpp>
#include <rio/kernel/engine/fleet_run.hpp>
#include <rio/kernel/engine/host_key.hpp>
#include <rio/kernel/engine/host_lock.hpp>
#include <rio/kernel/engine/host_outcome.hpp>
#include <rio/kernel/engine/request_builder.hpp>
#include <rio/kernel/inventory.hpp>
#include <rio/kernel/module_registry.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace rio::test {
namespace {

namespace engine = kernel::engine;
namespace fs = std::filesystem;

// Port 1 on loopback: nothing listens there, so every connection is refused at once.
const std::vector<std::string> dead_hosts{"127.0.0.5:1", "127.0.0.6:1", "127.0.0.7:1"};

class unreachable_world {
 public:
  unreachable_world() {
    std::vector<kernel::load_problem> problems;
    auto loaded = kernel::module_registry::load_directory(RIO_TEST_PLUGIN_DIR, problems);
    if (!loaded) throw std::runtime_error("registry: " + loaded.error().message);
    registry_.emplace(std::move(*loaded));
    settings.run_id = "unreachable-test";
    settings.paths = engine::resolve_run_paths(root_.path(), env());
    settings.asset_root = root_.path();
    settings.known_hosts = kernel::ssh::standard_known_hosts(root_.path());
    settings.connect_timeout = std::chrono::seconds{5};
    settings.redact = &redact_;
  }

  env_map vars() const { return {{"HOME", root_.path().string()}}; }
  kernel::env_lookup env() const { return fake_env(vars()); }

  std::vector<engine::host_request> requests(const std::vector<std::string>& specs) {
    auto modules = engine::select_modules(*registry_, {"ollama"});
    EXPECT_TRUE(modules);
    std::vector<engine::host_request> out;
    for (const auto& spec : specs) {
      auto entry = kernel::inventory::parse_host_spec(spec);
      EXPECT_TRUE(entry) << spec;
      auto built = engine::build_host_request(*entry, engine::host_defaults{}, *modules, redact_, env());
      EXPECT_TRUE(built) << (built ? "" : built.error().message);
      if (built) out.push_back(std::move(built->request));
    }
    return out;
  }

  /** Runs the fleet to its end; `seen` gets every progress report in order. */
  std::vector<engine::host_result> run(std::vector<engine::host_request> hosts, std::vector<engine::fleet_progress>& seen) {
    boost::asio::io_context ctx;
    std::vector<engine::host_result> results;
    {
      kernel::ssh::session_pool pool;
      engine::fleet_options fo;
      fo.on_progress = [&seen](const engine::host_result* finished, const engine::fleet_progress& p) {
        if (finished != nullptr) seen.push_back(p);
      };
      boost::asio::co_spawn(ctx, [&]() -> boost::asio::awaitable<void> {
        results = co_await engine::run_fleet(pool, settings, std::move(hosts), fo);
        co_await pool.close_all();
      }, boost::asio::detached);
      ctx.run_for(std::chrono::seconds{60});
    }
    return results;
  }

  const fs::path& root() const { return root_.path(); }
  engine::run_settings settings;

 private:
  temp_dir root_;
  engine::redactor redact_;
  std::optional<kernel::module_registry> registry_;
};

TEST(EngineUnreachable, APlanOfUnreachableHostsCountsThemFailedAndUnreachable) {
  unreachable_world w;
  w.settings.dry_run = true;
  std::vector<engine::fleet_progress> seen;
  auto results = w.run(w.requests(dead_hosts), seen);
  ASSERT_EQ(results.size(), dead_hosts.size()) << "the fleet did not finish";
  ASSERT_EQ(seen.size(), dead_hosts.size());
  for (std::size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].done, i + 1);
    EXPECT_EQ(seen[i].failed, i + 1) << "an unreached host of a plan counts as failed";
    EXPECT_EQ(seen[i].unreachable, i + 1);
  }
  for (const auto& r : results) {
    EXPECT_EQ(r.status, "dry_run") << r.host << ": the API's status for a plan stays";
    EXPECT_EQ(r.failure, engine::host_failure::unreachable) << r.host;
    EXPECT_TRUE(engine::counts_as_failed(r)) << r.host;
    EXPECT_EQ(engine::host_outcome(r), "unreachable") << r.host;
  }
  auto doc = engine::fleet_result_json(results, w.settings.run_id);
  EXPECT_EQ(doc["status"], "dry_run");
  const auto& summary = doc["summary"].as_object();
  EXPECT_EQ(summary.at("failed"), dead_hosts.size());
  EXPECT_EQ(summary.at("unreachable"), dead_hosts.size());
}

TEST(EngineUnreachable, APlanNamesNoLogAndNoStatusFile) {
  unreachable_world w;
  w.settings.dry_run = true;
  std::vector<engine::fleet_progress> seen;
  auto results = w.run(w.requests({dead_hosts.front()}), seen);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_FALSE(results.front().log_written);
  EXPECT_FALSE(results.front().status_written);
  auto doc = engine::host_result_json(results.front());
  EXPECT_FALSE(doc.contains("log_path")) << "a plan writes no log";
  EXPECT_FALSE(doc.contains("status_path")) << "a plan writes no status file";
  EXPECT_EQ(doc["failure"], "unreachable");
  EXPECT_FALSE(fs::exists(w.root() / "data"));
  EXPECT_FALSE(fs::exists(w.root() / "logs"));
}

TEST(EngineUnreachable, AnInstallOnAnUnreachableHostNamesTheLogItWrote) {
  unreachable_world w;
  std::vector<engine::fleet_progress> seen;
  auto results = w.run(w.requests({dead_hosts.front()}), seen);
  ASSERT_EQ(results.size(), 1u);
  const auto& r = results.front();
  EXPECT_EQ(r.status, "failed");
  EXPECT_EQ(r.failure, engine::host_failure::unreachable);
  EXPECT_EQ(engine::host_outcome(r), "unreachable");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen.front().failed, 1u);
  EXPECT_EQ(seen.front().unreachable, 1u);
  auto doc = engine::host_result_json(r);
  ASSERT_TRUE(doc.contains("log_path"));
  ASSERT_TRUE(doc.contains("status_path"));
  const fs::path log{std::string{doc["log_path"].as_string()}};
  EXPECT_NE(read_file(log).find("cannot connect"), std::string::npos) << "the log says why";
  EXPECT_TRUE(fs::exists(std::string{doc["status_path"].as_string()}));
}

TEST(EngineUnreachable, ABusyHostNamesNoLogAndCountsAsFailed) {
  unreachable_world w;
  auto hosts = w.requests({dead_hosts.front()});
  ASSERT_EQ(hosts.size(), 1u);
  const auto& where = hosts.front().where;
  fs::create_directories(w.settings.paths.status_root);
  auto held = engine::host_lock::try_acquire(w.settings.paths.lock_file(engine::lock_token(where.host, where.port)),
                                             hosts.front().name, "another-run");
  ASSERT_TRUE(held) << held.error().message;
  std::vector<engine::fleet_progress> seen;
  auto results = w.run(std::move(hosts), seen);
  ASSERT_EQ(results.size(), 1u);
  const auto& r = results.front();
  EXPECT_EQ(r.status, "failed");
  EXPECT_EQ(r.failure, engine::host_failure::busy);
  EXPECT_EQ(engine::host_outcome(r), "busy");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen.front().failed, 1u);
  EXPECT_EQ(seen.front().unreachable, 0u);
  auto doc = engine::host_result_json(r);
  EXPECT_FALSE(doc.contains("log_path")) << "the busy host's log was never opened";
  EXPECT_FALSE(doc.contains("status_path")) << "nor its status file written";
  EXPECT_FALSE(fs::exists(r.log_path));
}

TEST(EngineUnreachable, OutcomesReadStatusAndFailureTogether) {
  engine::host_result r;
  r.status = "installed";
  EXPECT_FALSE(engine::counts_as_failed(r));
  EXPECT_EQ(engine::host_outcome(r), "installed");
  r.status = "failed";  // a module failed; the host itself was fine
  EXPECT_TRUE(engine::counts_as_failed(r));
  EXPECT_EQ(engine::host_outcome(r), "failed");
  r.failure = engine::host_failure::local_io;
  EXPECT_EQ(engine::host_outcome(r), "failed (local_io)");
  r.status = "cancelled";
  r.failure = engine::host_failure::cancelled;
  EXPECT_FALSE(engine::counts_as_failed(r)) << "cancelled hosts are counted apart";
  EXPECT_EQ(engine::host_outcome(r), "cancelled");
  EXPECT_STREQ(engine::to_string(engine::host_failure::none), "");
  EXPECT_STREQ(engine::to_string(engine::host_failure::unreachable), "unreachable");
}

}  // namespace
}  // namespace rio::test
