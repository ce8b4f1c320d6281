// Plugin code (a module's detect/install/sync_config) is called through kernel::call_plugin:
// exceptions, deadlines and cancellation all come back as error values.
#include <rio/kernel/plugin_call.hpp>
#include <rio/kernel/module_loader.hpp>
#include <rio/sdk/testing/fake_remote_shell.hpp>
#include <rio/sdk/testing/run_co.hpp>

#include "abi_test_support.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <optional>

namespace rio::test {
namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;

struct loaded_fixture {
  std::unique_ptr<kernel::loaded_module> module;
  sdk::testing::fake_remote_shell shell;
  sdk::run_context ctx{shell, {}, {}, {}, nullptr};

  explicit loaded_fixture(const std::string& name) {
    auto loaded = kernel::load_module(fixture(name));
    if (!loaded) throw std::runtime_error(loaded.error().message);
    module = std::move(*loaded);
  }
};

TEST(PluginBoundary, AThrowingDetectBecomesAnError) {
  loaded_fixture f{"throws"};
  auto r = sdk::testing::run_co([&] {
    return kernel::call_plugin<sdk::detect_report>("module 'fixture_throws' detect", 10s,
                                                 [&] { return f.module->installer().detect(f.ctx); });
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, kernel::make_error_code(kernel::errc::module_threw));
  EXPECT_NE(r.error().message.find("fixture detect exploded"), std::string::npos) << r.error().message;
}

TEST(PluginBoundary, AThrowingInstallBecomesAnError) {
  loaded_fixture f{"throws"};
  auto r = sdk::testing::run_co([&] {
    return kernel::call_plugin<sdk::install_report>("module 'fixture_throws' install", 10s,
                                                  [&] { return f.module->installer().install(f.ctx); });
  });
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("fixture install exploded"), std::string::npos) << r.error().message;
}

TEST(PluginBoundary, ACallPastItsDeadlineIsStoppedAndReported) {
  loaded_fixture f{"never_completes"};
  auto r = sdk::testing::run_co([&] {
    return kernel::call_plugin<sdk::detect_report>("module 'fixture_never_completes' detect", 20ms,
                                                 [&] { return f.module->installer().detect(f.ctx); });
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, kernel::make_error_code(kernel::errc::plugin_call_timed_out));
}

TEST(PluginBoundary, CancellingANeverEndingCallEndsIt) {
  loaded_fixture f{"never_completes"};
  asio::io_context io;
  asio::cancellation_signal signal;
  std::optional<sdk::result<sdk::detect_report>> outcome;
  asio::co_spawn(io,
                 kernel::call_plugin<sdk::detect_report>("module 'fixture_never_completes' detect", 1h,
                                                       [&] { return f.module->installer().detect(f.ctx); }),
                 asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e, sdk::result<sdk::detect_report> r) {
                   if (!e) outcome = std::move(r);
                 }));
  io.poll();  // runs until the call is suspended on its timer: nothing else is ready
  ASSERT_FALSE(outcome.has_value());
  signal.emit(asio::cancellation_type::terminal);
  io.run();
  ASSERT_TRUE(outcome.has_value());
  ASSERT_FALSE(*outcome);
  EXPECT_EQ(outcome->error().code, sdk::make_error_code(sdk::errc::cancelled)) << outcome->error().describe();
}

TEST(PluginBoundary, AGoodCallReturnsItsValue) {
  loaded_fixture f{"good"};
  auto r = sdk::testing::run_co([&] {
    return kernel::call_plugin<sdk::install_report>("module 'fixture_good' install", 10s,
                                                  [&] { return f.module->installer().install(f.ctx); });
  });
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->state, sdk::install_state::installed);
  EXPECT_TRUE(r->sentinel_written);
}

}  // namespace
}  // namespace rio::test
