// The throwaway loopback host behind `rio demo` and the integration tests, driven through rio's
// own libssh2 transport: isolated $HOME for commands and uploads, PATH stubs first, loopback
// only, and stop() that leaves nothing running.
#include <rio/kernel/sandbox/throwaway_host.hpp>

#include <rio/kernel/ssh/session.hpp>
#include <rio/sdk/testing/run_co.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <optional>
#include <sstream>

namespace rio::test {
namespace {
namespace asio = boost::asio;
namespace fs = std::filesystem;
namespace ssh = kernel::ssh;
namespace sandbox = kernel::sandbox;

#define RIO_REQUIRE_SANDBOX_SSHD() \
  if (::access("/usr/sbin/sshd", X_OK) != 0) GTEST_SKIP() << "openssh-server is not installed"

/** Connect options that trust only the host's known_hosts file and log in with its key. */
ssh::connect_options login_options(const sandbox::throwaway_host& host) {
  ssh::connect_options o;
  o.where = host.target();
  o.hosts.read = {host.known_hosts_file()};
  o.hosts.policy = ssh::host_key_policy::strict;
  o.auth.identity_files = {host.user_key()};
  o.auth.use_agent = false;
  o.auth.default_identities = false;
  o.connect_timeout = std::chrono::seconds{10};
  return o;
}

sdk::exec_request command(std::string text) {
  sdk::exec_request r;
  r.command = std::move(text);
  r.timeout = std::chrono::seconds{60};
  return r;
}

/** What one login did: the connect error, or each command's result and the upload's. */
struct login_result {
  std::optional<sdk::error> connect_error;
  std::vector<sdk::result<sdk::exec_result>> runs;
  std::optional<sdk::result<sdk::upload_result>> upload;
};

/** Connects, optionally uploads `upload`, runs `commands` in order, and disconnects. */
login_result log_in(const sandbox::throwaway_host& host, std::vector<std::string> commands,
                    std::optional<sdk::upload_request> upload = std::nullopt) {
  return sdk::testing::run_co([&]() -> asio::awaitable<login_result> {
    login_result out;
    auto options = login_options(host);
    auto s = co_await ssh::session::connect(std::move(options));
    if (!s) {
      out.connect_error = s.error();
      co_return out;
    }
    if (upload) {
      auto request = *upload;
      out.upload = co_await (*s)->upload(std::move(request));
    }
    for (auto& text : commands) {
      auto request = command(text);
      out.runs.push_back(co_await (*s)->exec(std::move(request)));
    }
    co_await (*s)->disconnect();
    co_return out;
  });
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

/** Whether `pid` still runs (a zombie has ended; it only waits to be reaped by its parent). */
bool process_running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const auto close_paren = line.rfind(')');
  return close_paren != std::string::npos && close_paren + 2 < line.size() && line[close_paren + 2] != 'Z';
}

TEST(ThrowawayHost, LoginsSeeTheIsolatedHomeAndStubPathForCommandsAndUploads) {
  RIO_REQUIRE_SANDBOX_SSHD();
  temp_dir t;
  const fs::path stubs = t.path() / "stubs";
  fs::create_directories(stubs);
  sandbox::host_options options;
  options.stub_dir = stubs;
  auto host = sandbox::throwaway_host::start(t.path() / "host", options);
  ASSERT_TRUE(host) << host.error().describe();
  const auto& h = **host;
  EXPECT_EQ(h.home(), t.path() / "host" / "home");
  EXPECT_GT(h.pid(), 0);

  const fs::path payload = t.write("payload.txt", "hello from rio\n");
  sdk::upload_request up;
  up.local = payload;
  up.remote = "~/x";
  auto r = log_in(h, {R"sh(printf '%s\n' "$HOME" "$PATH" "$(pwd)" "$TMPDIR")sh", "cat ~/x"}, up);
  ASSERT_FALSE(r.connect_error) << r.connect_error->describe();
  ASSERT_EQ(r.runs.size(), 2u);
  ASSERT_TRUE(r.runs[0]) << r.runs[0].error().describe();
  const auto env = lines_of(r.runs[0]->stdout_tail);
  ASSERT_EQ(env.size(), 4u) << r.runs[0]->stdout_tail;
  EXPECT_EQ(env[0], h.home().string()) << "HOME";
  EXPECT_EQ(env[1], stubs.string() + ":" + (h.home() / ".local/bin").string() +
                        ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin")
      << "PATH";
  EXPECT_EQ(env[2], h.home().string()) << "sessions start in the isolated home, not the account's";
  EXPECT_EQ(env[3], (h.dir() / "tmp").string()) << "TMPDIR";

  ASSERT_TRUE(r.upload && *r.upload) << (r.upload ? r.upload->error().describe() : "no upload");
  EXPECT_TRUE((*r.upload)->uploaded);
  EXPECT_EQ(read_file(h.home() / "x"), "hello from rio\n") << "~/x of an upload lands in the isolated home";
  ASSERT_TRUE(r.runs[1]) << r.runs[1].error().describe();
  EXPECT_EQ(r.runs[1]->stdout_tail, "hello from rio\n");

  const std::string known = read_file(h.known_hosts_file());
  EXPECT_TRUE(known.starts_with("[127.0.0.1]:" + std::to_string(h.target().port) + " ssh-ed25519 AAAA")) << known;
}

TEST(ThrowawayHost, StopEndsSshdAndWhatSessionsLeftRunningAndRestartKeepsPortAndKeys) {
  RIO_REQUIRE_SANDBOX_SSHD();
  temp_dir t;
  auto host = sandbox::throwaway_host::start(t.path() / "host");
  ASSERT_TRUE(host) << host.error().describe();
  auto& h = **host;
  const auto port = h.target().port;

  // A detached job outlives its session and is reparented away from sshd.
  auto r = log_in(h, {"sleep 600 </dev/null >/dev/null 2>&1 & echo $!"});
  ASSERT_FALSE(r.connect_error) << r.connect_error->describe();
  ASSERT_TRUE(r.runs.at(0)) << r.runs.at(0).error().describe();
  const pid_t leftover = static_cast<pid_t>(std::stol(r.runs[0]->stdout_tail));
  ASSERT_TRUE(process_running(leftover));

  h.stop();
  EXPECT_FALSE(h.running());
  EXPECT_EQ(h.pid(), -1);
  EXPECT_FALSE(process_running(leftover)) << "stop() ends what sessions left running";
  auto refused = log_in(h, {"true"});
  ASSERT_TRUE(refused.connect_error);
  EXPECT_EQ(refused.connect_error->code, ssh::make_error_code(ssh::errc::connect_failed))
      << refused.connect_error->describe();
  h.stop();  // idempotent

  auto restarted = h.restart();
  ASSERT_TRUE(restarted) << restarted.error().describe();
  EXPECT_TRUE(h.running());
  EXPECT_EQ(h.target().port, port);
  // Strict host-key checking against the same known_hosts file: the host key is unchanged.
  auto again = log_in(h, {"echo back"});
  ASSERT_FALSE(again.connect_error) << again.connect_error->describe();
  ASSERT_TRUE(again.runs.at(0));
  EXPECT_EQ(again.runs[0]->stdout_tail, "back\n");

  h.stop(true);
  EXPECT_FALSE(h.running());
}

TEST(ThrowawayHost, RefusesListenAddressesOutsideLoopback) {
  temp_dir t;
  for (const std::string address : {"10.0.0.1", "0.0.0.0", "192.168.1.10", "::1", "localhost", "128.0.0.1"}) {
    SCOPED_TRACE(address);
    sandbox::host_options options;
    options.listen_address = address;
    auto host = sandbox::throwaway_host::start(t.path() / "host", options);
    ASSERT_FALSE(host);
    EXPECT_EQ(host.error().code, kernel::make_error_code(kernel::errc::bad_config));
    EXPECT_NE(host.error().message.find("outside 127.0.0.0/8"), std::string::npos) << host.error().message;
    EXPECT_FALSE(fs::exists(t.path() / "host")) << "refused before anything was created";
  }
}

TEST(ThrowawayHost, RefusesADirectoryThatIsNotEmpty) {
  temp_dir t;
  t.write("host/keep.txt", "operator's file\n");
  auto host = sandbox::throwaway_host::start(t.path() / "host");
  ASSERT_FALSE(host);
  EXPECT_EQ(host.error().code, kernel::make_error_code(kernel::errc::bad_config));
  EXPECT_NE(host.error().message.find("is not empty"), std::string::npos) << host.error().message;
  EXPECT_EQ(read_file(t.path() / "host/keep.txt"), "operator's file\n");
}

TEST(ThrowawayHost, ListensOnAnotherLoopbackAddress) {
  RIO_REQUIRE_SANDBOX_SSHD();
  temp_dir t;
  sandbox::host_options options;
  options.listen_address = "127.0.0.2";
  auto host = sandbox::throwaway_host::start(t.path() / "host", options);
  ASSERT_TRUE(host) << host.error().describe();
  EXPECT_EQ((*host)->target().host, "127.0.0.2");
  auto r = log_in(**host, {"echo \"$HOME\""});
  ASSERT_FALSE(r.connect_error) << r.connect_error->describe();
  ASSERT_TRUE(r.runs.at(0));
  EXPECT_EQ(r.runs[0]->stdout_tail, (*host)->home().string() + "\n");
}

}  // namespace
}  // namespace rio::test
