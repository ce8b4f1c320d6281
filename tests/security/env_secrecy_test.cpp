// Security regressions (issue 26, point 6): `--env` / `ssh.env` values must not appear in any
// command line while a step runs. /proc/<pid>/cmdline is readable by every user of a shared host,
// and the local ssh's arguments by every user of rio's machine. The host here is this machine
// (loopback), so one scan of /proc sees both sides: the remote shells and the local ssh.
#include "../faults/fault_support.hpp"
#include "../openssh/openssh_test_support.hpp"
#include "../ssh/ssh_test_support.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>

#include <fstream>
#include <random>

namespace rio::test {
namespace {

namespace ssh = kernel::ssh;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string canary() {
  std::random_device rd;
  return "rio-env-canary-" + std::to_string(rd()) + "-" + std::to_string(rd());
}

// Every process whose command line holds `secret`, as "pid: cmdline".
std::vector<std::string> command_lines_holding(const std::string& secret) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string cmdline{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
    if (cmdline.find(secret) != std::string::npos) {
      std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
      found.push_back(name + ": " + cmdline.substr(0, 300));
    }
  }
  return found;
}

// The step prints "started", then blocks reading `gate` (a FIFO). When the sink sees "started",
// the command and every wrapper around it are running: the sink scans /proc, then opens the FIFO
// for writing (which returns once the step's `cat` has it open) and closes it, and the step ends.
// The FIFO is the synchronisation; nothing sleeps.
struct scanning_sink final : sdk::output_sink {
  std::string secret;
  fs::path gate;
  std::string out;
  bool scanned = false;
  std::vector<std::string> holders;

  void on_output(sdk::output_stream stream, std::string_view chunk) override {
    if (stream != sdk::output_stream::out) return;
    out.append(chunk);
    if (scanned || out.find("started\n") == std::string::npos) return;
    scanned = true;
    holders = command_lines_holding(secret);
    std::ofstream{gate} << "go\n";
  }
};

struct gated_step {
  temp_dir dir;
  fs::path gate = dir.path() / "gate";
  std::string secret = canary();
  scanning_sink sink;

  gated_step() {
    ::mkfifo(gate.c_str(), 0600);
    sink.secret = secret;
    sink.gate = gate;
  }

  sdk::exec_request request() {
    sdk::exec_request req;
    // The length proves the value arrived without writing the value into the command itself.
    req.command = "echo started; cat '" + gate.string() + "' >/dev/null; echo \"len=${#RIO_TEST_TOKEN}\"";
    req.env = {{"RIO_PLAIN", "visible"}, {"RIO_TEST_TOKEN", secret}};
    req.timeout = 60s;
    req.sink = &sink;
    return req;
  }

  void check(const sdk::result<sdk::exec_result>& r) {
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(r->exit_code, 0) << r->stderr_tail;
    ASSERT_TRUE(sink.scanned) << "the step never said it started: " << sink.out;
    EXPECT_TRUE(sink.holders.empty()) << "the secret is in a command line: " << sink.holders.front();
    EXPECT_NE(sink.out.find("len=" + std::to_string(secret.size())), std::string::npos) << sink.out;
  }
};

TEST(SecurityEnvSecrecy, NoCommandLineHoldsAnEnvValueWhileTheStepRuns_Libssh2) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  gated_step step;
  auto r = sdk::testing::run_co([&]() -> boost::asio::awaitable<sdk::result<sdk::exec_result>> {
    auto s = co_await ssh::session::connect(trusted_options(server));
    if (!s) co_return s.error();
    auto ran = co_await (*s)->exec(step.request());
    co_await (*s)->disconnect();
    co_return ran;
  });
  step.check(r);
}

TEST(SecurityEnvSecrecy, NoCommandLineHoldsAnEnvValueWhileTheStepRuns_OpenSsh) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  gated_step step;
  auto shell = make_shell(trusted_config(server));
  step.check(run_exec(*shell, step.request()));
}

// What the step wrote to `fifo` once it opened it, or "" if `rio` ended first (so a run that never
// reaches the step fails the test instead of hanging it).
std::string read_gate(const fs::path& fifo, const rio_process& rio) {
  const int fd = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return {};
  std::string got;
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    ::poll(&p, 1, 100);
    char buf[64];
    ssize_t n = (p.revents & (POLLIN | POLLHUP)) != 0 ? ::read(fd, buf, sizeof buf) : 0;
    if (n > 0) got.append(buf, static_cast<std::size_t>(n));
    if (got.find('\n') != std::string::npos || (n == 0 && (p.revents & POLLHUP) != 0) || has_exited(rio)) break;
  }
  ::close(fd);
  return got;
}

// End to end: a real `rio install` process takes the secret from --env-file (so it is in no
// argument of rio's either) and runs a step that waits on a FIFO; while it waits, /proc is
// scanned: neither rio, nor the ssh session, nor any shell on the host holds the value.
TEST(SecurityEnvSecrecy, AnInstallTakesEnvFromAFileAndNoProcessShowsIt) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  const auto plugins = fault_plugin_dir(w.scratch());
  const std::string secret = canary();
  const fs::path env_file = w.scratch() / "run.env";
  std::ofstream{env_file} << "# secrets for this run\nRIO_TEST_TOKEN=" << secret << "\n\nRIO_PLAIN=visible\n";
  const fs::path started = w.scratch() / "started";
  const fs::path release = w.scratch() / "release";
  ::mkfifo(started.c_str(), 0600);
  ::mkfifo(release.c_str(), 0600);
  // The step proves the value arrived by its length, without naming the value in any command.
  const std::string command = "echo up > '" + started.string() + "'; cat '" + release.string() + "' >/dev/null; [ ${#RIO_TEST_TOKEN} = " +
                              std::to_string(secret.size()) + " ]";
  auto rio = w.spawn(using_plugins(engine_world::with(w.args("install", {engine_world::spec(h)}, "faulty"),
                                                      {"--set", "faulty.command=" + command, "--env-file", env_file.string(), "--json"}),
                                   plugins),
                     "install");
  ASSERT_GT(rio.pid, 0);
  ASSERT_EQ(read_gate(started, rio), "up\n") << read_file(rio.err) << read_file(rio.out);
  const auto holders = command_lines_holding(secret);
  std::ofstream{release} << "go\n";
  EXPECT_EQ(rio.wait(), 0) << read_file(rio.err) << read_file(rio.out);
  EXPECT_TRUE(holders.empty()) << "the secret is in a command line: " << holders.front();
  EXPECT_EQ(strings_of(parse_object(read_file(rio.out))["installed"]), std::vector<std::string>{"faulty"}) << read_file(rio.out);
  // The log redacts it (its name looks secret) and never needed it.
  EXPECT_EQ(read_file(log_of(w, h)).find(secret), std::string::npos);
}

// `--env NAME` takes the value from rio's own environment: never on rio's command line.
TEST(SecurityEnvSecrecy, TheCliTakesAValueFromItsOwnEnvironmentByName) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  const auto plugins = fault_plugin_dir(w.scratch());
  const std::string secret = canary();
  const std::string command = "[ ${#RIO_TEST_TOKEN} = " + std::to_string(secret.size()) + " ]";
  auto args = using_plugins(engine_world::with(w.args("install", {engine_world::spec(h)}, "faulty"),
                                               {"--set", "faulty.command=" + command, "--env", "RIO_TEST_TOKEN", "--json"}),
                            plugins);
  auto ok = w.run(args, {{"RIO_TEST_TOKEN", secret}});
  EXPECT_EQ(ok.code, 0) << ok.err << ok.out;
  EXPECT_EQ(ok.out.find(secret), std::string::npos);
  auto unset = w.run(args);
  EXPECT_EQ(unset.code, 2) << unset.err;
  EXPECT_NE(unset.err.find("rio's environment has no RIO_TEST_TOKEN"), std::string::npos) << unset.err;
}

}  // namespace
}  // namespace rio::test
