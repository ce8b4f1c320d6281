// Streaming, timeouts, a dying server and uploads, against a real sshd on loopback.
#include "ssh_test_support.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <random>

namespace rio::test {
namespace {
namespace asio = boost::asio;
namespace ssh = kernel::ssh;
using namespace std::chrono_literals;



template <class F>
auto with_session(const sshd_server& server, F body) {
  return sdk::testing::run_co([&]() -> decltype(body(std::declval<session_ptr>())) {
    auto s = co_await ssh::session::connect(trusted_options(server));
    if (!s) throw std::runtime_error(s.error().describe());
    auto r = co_await body(*s);
    co_await (*s)->disconnect();
    co_return r;
  });
}

std::string unique_marker() {
  std::random_device rd;
  return "rio-marker-" + std::to_string(rd()) + std::to_string(rd());
}

struct counting_sink final : sdk::output_sink {
  std::uint64_t out = 0, err = 0;
  std::function<void(std::string_view)> on_out;
  void on_output(sdk::output_stream s, std::string_view chunk) override {
    (s == sdk::output_stream::out ? out : err) += chunk.size();
    if (s == sdk::output_stream::out && on_out) on_out(chunk);
  }
};

TEST(SshExec, StreamsOneHundredMegabytesInBoundedMemory) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  counting_sink sink;
  auto r = with_session(server, [&](session_ptr s) {
    auto req = command("head -c 104857600 /dev/zero; echo tail-marker");
    req.sink = &sink;
    return s->exec(req);
  });
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->stdout_bytes, 104857600u + 12u);
  EXPECT_EQ(sink.out, r->stdout_bytes);
  EXPECT_LE(r->stdout_tail.size(), sdk::output_tail_limit);
  EXPECT_TRUE(r->stdout_tail.ends_with("tail-marker\n"));
}

TEST(SshExec, HeavyStderrDoesNotStallStdout) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto r = with_session(server, [&](session_ptr s) {
    return s->exec(command("head -c 20000000 /dev/zero >&2; i=0; while [ $i -lt 2000 ]; do echo out$i; echo err$i >&2; "
                           "i=$((i+1)); done; head -c 5000000 /dev/zero"));
  });
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_GT(r->stderr_bytes, 20000000u);
  EXPECT_GT(r->stdout_bytes, 5000000u);
}

TEST(SshExec, ATimeoutStopsTheCommandAndLeavesNoProcess) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  const std::string marker = unique_marker();
  auto started = std::chrono::steady_clock::now();
  auto r = with_session(server, [&](session_ptr s) {
    // Markers in arguments: the command's own text is in no command line on the host.
    return s->exec(command("sh -c 'sleep 600; echo " + marker + "' & sh -c 'sleep 600; :' " + marker, 2s));
  });
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_TRUE(r->timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 15s);
  // The "remote" host is this machine: nothing with the marker may still run.
  // "[r]io-marker" cannot match pgrep's own shell, whose command line holds "[r]io-marker".
  EXPECT_THROW(run_local("pgrep -f '[r]" + marker.substr(1) + "' >/dev/null"), std::runtime_error)
      << "a remote process survived";
}

TEST(SshExec, AServerKilledMidCommandGivesAClearErrorPromptly) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  counting_sink sink;
  sink.on_out = [&](std::string_view chunk) {
    if (chunk.find("started") != std::string_view::npos) server.stop(true);  // kill sshd and its sessions
  };
  auto started = std::chrono::steady_clock::now();
  auto r = with_session(server, [&](session_ptr s) -> asio::awaitable<sdk::result<sdk::exec_result>> {
    auto req = command("echo started; sleep 60", 120s);
    req.sink = &sink;
    auto first = co_await s->exec(req);
    if (first) co_return first;
    EXPECT_FALSE(s->usable());
    co_return first;
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ssh::make_error_code(ssh::errc::connection_lost)) << r.error().describe();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

// #22: the command travels on stdin behind a short bootstrap, so its size is not the exec
// request's. 100 KB with quotes, backslashes and a `$` round-trips, and so does the environment.
TEST(SshExec, AHundredKilobyteCommandRoundTrips) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  std::string body;
  for (int i = 0; body.size() < 100 * 1024; ++i) body += "echo line-" + std::to_string(i) + " 'quoted $x' \"and\\\\ more\"\n";
  auto r = with_session(server, [&](session_ptr s) -> asio::awaitable<sdk::result<sdk::exec_result>> {
    auto req = command(body + "printf '%s' \"$RIO_X\"");
    req.env = {{"RIO_X", "env-after-the-script"}};
    co_return co_await s->exec(req);
  });
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->exit_code, 0) << r->stderr_tail;
  EXPECT_TRUE(r->stdout_tail.starts_with("line-") || r->stdout_tail.find("\nline-") != std::string::npos);
  EXPECT_TRUE(r->stdout_tail.ends_with("and\\ more\nenv-after-the-script")) << r->stdout_tail.substr(r->stdout_tail.size() - 100);
  EXPECT_GT(r->stdout_bytes, 100u * 1024 / 3);
}

TEST(SshUpload, CopiesAFileAndATreeAndNeverClobbers) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  temp_dir local;
  auto file = local.write("config.json", "{\"a\": 1}\n");
  local.write("tree/readme.txt", "hello\n");
  local.write("tree/nested/deeper/data.bin", std::string(300000, 'x'));
  const std::string remote_dir = unique_marker();
  const auto home = std::filesystem::path{std::getenv("HOME")};

  auto results = with_session(server, [&](session_ptr s) -> asio::awaitable<std::vector<sdk::result<sdk::upload_result>>> {
    std::vector<sdk::result<sdk::upload_result>> out;
    // Named requests: GCC 12 double-frees a braced temporary inside a co_await expression.
    const sdk::upload_request config{file, "~/" + remote_dir + "/sub/config.json", true, 60s};
    const sdk::upload_request tree{local.path() / "tree", "~/" + remote_dir + "/tree", true, 60s};
    out.push_back(co_await s->upload(config));
    out.push_back(co_await s->upload(tree));
    out.push_back(co_await s->upload(config));
    co_return out;
  });
  std::filesystem::path remote = home / remote_dir;
  ASSERT_EQ(results.size(), 3u);
  ASSERT_TRUE(results[0]) << results[0].error().describe();
  EXPECT_TRUE(results[0]->uploaded);
  EXPECT_EQ(read_file(remote / "sub" / "config.json"), "{\"a\": 1}\n");
  ASSERT_TRUE(results[1]) << results[1].error().describe();
  EXPECT_EQ(read_file(remote / "tree" / "readme.txt"), "hello\n");
  EXPECT_EQ(read_file(remote / "tree" / "nested" / "deeper" / "data.bin"), std::string(300000, 'x'));
  ASSERT_TRUE(results[2]) << results[2].error().describe();
  EXPECT_TRUE(results[2]->left_existing);
  EXPECT_FALSE(std::filesystem::exists(home / "~")) << "a literal ~ directory was created";
  for (const auto& entry : std::filesystem::recursive_directory_iterator(remote)) {
    EXPECT_EQ(entry.path().string().find("rio-part"), std::string::npos) << "temporary left behind";
  }
  std::filesystem::remove_all(remote);
}

}  // namespace
}  // namespace rio::test
