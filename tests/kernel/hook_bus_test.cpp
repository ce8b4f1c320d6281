// The hook bus: ordered delivery, bounded queues, and subscribers that throw, block or lag
// without holding anyone else up.
#include <rio/kernel/hooks/catalogue.hpp>
#include <rio/kernel/hooks/hook_bus.hpp>
#include <rio/sdk/coro.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace rio::kernel::hooks {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

TEST(HookCatalogue, NamesTheOriginalsEventsAndTheRunEvents) {
  for (const char* name : {"on_security_secret_read", "on_security_key_rotated", "on_remote_install_started", "on_remote_module_planned",
                           "on_remote_step_finished", "on_remote_module_finished", "on_remote_install_finished", "on_module_loaded"}) {
    const event_spec* e = find_event(name);
    ASSERT_NE(e, nullptr) << name;
    EXPECT_FALSE(e->payload.empty()) << name;
  }
  EXPECT_EQ(find_event("on_scene_enter"), nullptr);
}

TEST(HookBus, RefusesEventsOutsideTheCatalogue) {
  asio::io_context ctx;
  hook_bus bus{ctx.get_executor()};
  EXPECT_FALSE(bus.publish("on_whatever", {}));
  EXPECT_TRUE(bus.publish("on_module_loaded", json::object{{"module", "x"}}));
  auto h = bus.history(10);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].seq, 0u);
  EXPECT_FALSE(h[0].timestamp.empty());
}

// Payload bytes bound the history and each queue as well as event counts: many large events
// keep the newest that fit, and a stream that does not read drops the rest (counted).
TEST(HookBus, HistoryAndQueuesAreBoundedInBytes) {
  asio::io_context ctx;
  hook_bus bus{ctx.get_executor(), 200, 100 * 1000};
  auto stream = bus.open_stream({"*"});
  const std::string blob(10 * 1000, 'x');
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(bus.publish("on_module_loaded", json::object{{"module", std::to_string(i)}, {"blob", blob}}));
  auto h = bus.history(200);
  ASSERT_FALSE(h.empty());
  EXPECT_LT(h.size(), 10u) << "about 10 KB each under a 100 KB limit";
  EXPECT_EQ(h.back().payload.at("module"), "49") << "the newest are kept";
  EXPECT_GE(stream->dropped(), 40u);
  // One event larger than the whole limit is still kept when alone.
  ASSERT_TRUE(bus.publish("on_module_loaded", json::object{{"module", "big"}, {"blob", std::string(200 * 1000, 'y')}}));
  h = bus.history(200);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].payload.at("module"), "big");
}

TEST(HookBus, ThrowingAndSlowSubscribersDoNotDelayAHealthyOne) {
  asio::io_context ctx;
  hook_bus bus{ctx.get_executor()};
  std::vector<std::uint64_t> seen;
  bool healthy_done_early = false;
  std::chrono::steady_clock::time_point healthy_done;

  subscriber_options healthy{"healthy", {"*"}, 1000, std::chrono::seconds{5}};
  bus.subscribe(healthy, [&](const envelope& e) -> asio::awaitable<result<void>> {
    seen.push_back(e.seq);
    if (seen.size() == 50) healthy_done = std::chrono::steady_clock::now();
    co_return result<void>{};
  });
  subscriber_options thrower{"thrower", {"on_module_loaded"}, 1000, std::chrono::seconds{5}};
  bus.subscribe(thrower, [](const envelope&) -> asio::awaitable<result<void>> {
    throw std::runtime_error("subscriber bug");
    co_return result<void>{};
  });
  // Blocks far longer than its deadline; its queue holds 5, so most events are dropped for it.
  subscriber_options slow{"slow", {"*"}, 5, std::chrono::milliseconds{50}};
  bus.subscribe(slow, [](const envelope&) -> asio::awaitable<result<void>> {
    asio::steady_timer t{co_await asio::this_coro::executor, std::chrono::hours{1}};
    co_await t.async_wait(sdk::use_nothrow);
    co_return result<void>{};
  });

  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(bus.publish("on_module_loaded", json::object{{"i", i}}));
  // Run until the slow subscriber has timed out on everything it kept.
  asio::steady_timer stop{ctx, std::chrono::milliseconds{600}};
  stop.async_wait([&](auto) { bus.stop(); });
  ctx.run_for(std::chrono::seconds{5});

  ASSERT_EQ(seen.size(), 50u);
  for (std::uint64_t i = 0; i < 50; ++i) EXPECT_EQ(seen[i], i) << "in order";
  healthy_done_early = healthy_done - start < std::chrono::milliseconds{500};
  EXPECT_TRUE(healthy_done_early) << "the healthy subscriber did not wait for the slow one";
  auto stats = bus.stats();
  ASSERT_EQ(stats.size(), 3u);
  EXPECT_EQ(stats[0].delivered, 50u);
  EXPECT_EQ(stats[1].failed, 50u) << "every throw is counted, none escapes";
  EXPECT_GE(stats[2].dropped, 40u) << "a full queue drops and counts";
  EXPECT_GE(stats[2].timed_out, 1u);
}

TEST(HookBus, APublisherIsNeverHeldUpEvenByASubscriberThatBlocksItsThread) {
  asio::io_context ctx;
  hook_bus bus{ctx.get_executor()};
  std::atomic<int> handled{0};
  // Breaks the rules on purpose: blocks the delivery thread for 200 ms per event.
  subscriber_options blocking{"blocking", {"*"}, 1000, std::chrono::seconds{5}};
  bus.subscribe(blocking, [&](const envelope&) -> asio::awaitable<result<void>> {
    std::this_thread::sleep_for(std::chrono::milliseconds{200});
    ++handled;
    co_return result<void>{};
  });
  subscriber_options thrower{"thrower", {"*"}, 1000, std::chrono::seconds{5}};
  bus.subscribe(thrower, [](const envelope&) -> asio::awaitable<result<void>> {
    throw std::runtime_error("subscriber bug");
    co_return result<void>{};
  });
  std::atomic<int> healthy{0};
  std::mutex m;
  std::condition_variable all_seen;
  subscriber_options fine{"healthy", {"*"}, 1000, std::chrono::seconds{5}};
  bus.subscribe(fine, [&](const envelope&) -> asio::awaitable<result<void>> {
    if (++healthy == 20) {
      std::lock_guard lock{m};
      all_seen.notify_all();
    }
    co_return result<void>{};
  });
  // What a run does: publish its events. 20 events would take the blocking subscriber 4 s.
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(bus.publish("on_remote_step_finished", json::object{{"i", i}}));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, std::chrono::milliseconds{100}) << "publishing waited for a subscriber";
  EXPECT_LT(handled.load(), 20) << "delivery is still going on, on its own thread";
  // The run's own executor stays free as well: a timer on it fires on time.
  bool fired = false;
  asio::steady_timer t{ctx, std::chrono::milliseconds{10}};
  t.async_wait([&](auto) { fired = true; });
  ctx.run_for(std::chrono::milliseconds{500});
  EXPECT_TRUE(fired);
  // Another subscriber gets every event while the blocking one is still on its first few: each
  // subscriber has its own thread.
  {
    std::unique_lock lock{m};
    EXPECT_TRUE(all_seen.wait_for(lock, std::chrono::seconds{2}, [&] { return healthy.load() == 20; }));
  }
  EXPECT_LT(handled.load(), 20);
}

TEST(HookBus, AStreamFiltersByTopicAndSeesEventsInOrder) {
  asio::io_context ctx;
  hook_bus bus{ctx.get_executor()};
  auto stream = bus.open_stream({"on_remote_install_finished"});
  std::vector<std::uint64_t> got;
  asio::co_spawn(ctx, [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 3; ++i) {
      auto e = co_await stream->next(std::chrono::seconds{2});
      if (!e) co_return;
      got.push_back(e->seq);
    }
  }, asio::detached);
  ASSERT_TRUE(bus.publish("on_module_loaded", {}));
  ASSERT_TRUE(bus.publish("on_remote_install_finished", {}));
  ASSERT_TRUE(bus.publish("on_module_loaded", {}));
  ASSERT_TRUE(bus.publish("on_remote_install_finished", {}));
  ASSERT_TRUE(bus.publish("on_remote_install_finished", {}));
  ctx.run_for(std::chrono::seconds{3});
  EXPECT_EQ(got, (std::vector<std::uint64_t>{1, 3, 4}));
}

}  // namespace
}  // namespace rio::kernel::hooks
