// A fleet larger than the session pool's connection cap: each host frees its slot when done.
#include "engine_test_support.hpp"

#include <rio/kernel/engine/fleet_run.hpp>
#include <rio/kernel/engine/request_builder.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

namespace rio::test {
namespace {

TEST(EngineFleet, MoreHostsThanTheConnectionCapAllComplete) {
  REQUIRE_SSHD();
  engine_world w;
  constexpr std::size_t hosts = 4;
  for (std::size_t i = 0; i < hosts; ++i) w.add_host("127.0.0." + std::to_string(40 + i));
  std::vector<kernel::load_problem> problems;
  auto registry = kernel::module_registry::load_directory(RIO_TEST_PLUGIN_DIR, problems);
  ASSERT_TRUE(registry);
  auto modules = kernel::engine::select_modules(*registry, {"lmstudio"});
  ASSERT_TRUE(modules);
  kernel::engine::redactor redact;
  kernel::engine::host_defaults defaults;
  defaults.module_options = w.fixtures().options;
  std::vector<kernel::engine::host_request> requests;
  for (std::size_t i = 0; i < hosts; ++i) {
    auto entry = kernel::inventory::parse_host_spec(engine_world::spec(w.host(i)));
    ASSERT_TRUE(entry);
    entry->identity = w.host(i).user_key().string();
    auto built = kernel::engine::build_host_request(*entry, defaults, *modules, redact, fake_env({}));
    ASSERT_TRUE(built) << built.error().message;
    requests.push_back(std::move(built->request));
  }
  kernel::engine::run_settings s;
  s.run_id = "fleet-cap-test";
  s.paths = kernel::engine::resolve_run_paths(w.root(), fake_env({}));
  s.asset_root = w.root();
  s.known_hosts = kernel::ssh::standard_known_hosts(w.root());
  s.dry_run = true;
  s.redact = &redact;

  boost::asio::io_context ctx;
  std::vector<kernel::engine::host_result> results;
  {
    // Room for two connections at once, four hosts: without releasing finished hosts' slots,
    // the third host would wait forever.
    kernel::ssh::session_pool pool{kernel::ssh::pool_limits{2, 2, 2}};
    boost::asio::co_spawn(ctx, [&]() -> boost::asio::awaitable<void> {
      results = co_await kernel::engine::run_fleet(pool, s, std::move(requests));
      co_await pool.close_all();
    }, boost::asio::detached);
    ctx.run_for(std::chrono::seconds{60});
  }
  ASSERT_EQ(results.size(), hosts) << "the fleet did not finish";
  for (const auto& r : results) {
    EXPECT_EQ(r.status, "dry_run") << r.host;
    EXPECT_EQ(r.failure, kernel::engine::host_failure::none) << r.host << ": " << r.error;
  }
}

}  // namespace
}  // namespace rio::test
