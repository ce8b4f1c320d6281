// The libssh2 transport against a real sshd on loopback.
#include <rio/kernel/ssh/session.hpp>

#include "ssh_test_support.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

namespace rio::test {
namespace {
namespace asio = boost::asio;
namespace ssh = kernel::ssh;
using namespace std::chrono_literals;



// Runs one command on a fresh connection and returns the result (or the error).
sdk::result<sdk::exec_result> run_once(const sshd_server& server, sdk::exec_request request) {
  return sdk::testing::run_co([&]() -> asio::awaitable<sdk::result<sdk::exec_result>> {
    auto s = co_await ssh::session::connect(trusted_options(server));
    if (!s) co_return s.error();
    auto r = co_await (*s)->exec(std::move(request));
    co_await (*s)->disconnect();
    co_return r;
  });
}

TEST(SshSession, RunsACommandWithOutputAndExitCode) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto r = run_once(server, command("echo hello; echo oops >&2; exit 3"));
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->stdout_tail, "hello\n");
  EXPECT_EQ(r->stderr_tail, "oops\n");
  EXPECT_FALSE(r->timed_out);
}

TEST(SshSession, DeliversEnvironmentQuotedIntoTheCommand) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto req = command("printf '%s|%s' \"$RIO_A\" \"$RIO_B\"");
  req.env = {{"RIO_A", "it's $(not run)"}, {"RIO_B", "two words"}};
  auto r = run_once(server, req);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->stdout_tail, "it's $(not run)|two words");
}

TEST(SshSession, RefusesABadEnvironmentName) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto req = command("true");
  req.env = {{"BAD-NAME", "x"}};
  auto r = run_once(server, req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ssh::make_error_code(ssh::errc::bad_option));
}

TEST(SshSession, ReportsTheTerminatingSignal) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto r = run_once(server, command("kill -KILL $$"));
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_NE(r->exit_code, 0);
}

TEST(SshSession, ReusesOneSessionForManyCommands) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto outputs = sdk::testing::run_co([&]() -> asio::awaitable<std::vector<std::string>> {
    std::vector<std::string> out;
    auto s = co_await ssh::session::connect(trusted_options(server));
    if (!s) co_return out;
    for (int i = 0; i < 20; ++i) {
      auto r = co_await (*s)->exec(command("echo $i" + std::to_string(i) + " && echo $PPID"));
      out.push_back(r ? r->stdout_tail : r.error().describe());
    }
    co_await (*s)->disconnect();
    co_return out;
  });
  ASSERT_EQ(outputs.size(), 20u);
}

}  // namespace
}  // namespace rio::test
