// exec through the system ssh client against a real sshd on loopback.
#include "openssh_test_support.hpp"

#include <rio/kernel/openssh/supervise.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <sys/resource.h>

#include <iterator>
#include <optional>
#include <set>
#include <sstream>

namespace rio::test {
namespace {

using namespace std::chrono_literals;

std::size_t open_descriptors() {
  return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator("/proc/self/fd"),
                                                std::filesystem::directory_iterator{}));
}

// This process's children, from /proc/self/task/*/children (empty when the kernel lacks it).
std::set<std::string> child_pids() {
  std::set<std::string> pids;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream in(task.path() / "children");
    std::string pid;
    while (in >> pid) pids.insert(pid);
  }
  return pids;
}

long max_rss_kib() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

TEST(OpenSshExec, ReportsStdoutStderrAndExitCode) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto shell = make_shell(trusted_config(server));
  counting_sink sink;
  sdk::exec_request req;
  req.command = "echo out; echo err >&2; exit 3";
  req.sink = &sink;
  auto r = run_exec(*shell, req);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->stdout_tail, "out\n");
  EXPECT_EQ(r->stderr_tail, "err\n");
  EXPECT_EQ(r->stdout_bytes, 4u);
  EXPECT_EQ(sink.out_bytes, 4u);
  EXPECT_EQ(sink.err_bytes, 4u);

  // 124 from the command itself, well before the deadline, is an ordinary exit status.
  req.command = "exit 124";
  r = run_exec(*shell, req);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->exit_code, 124);
  EXPECT_FALSE(r->timed_out);
  // 255 with no ssh diagnostic is the remote command's status, not a transport failure.
  req.command = "echo 'my tool failed' >&2; exit 255";
  r = run_exec(*shell, req);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->exit_code, 255);
}

TEST(OpenSshExec, EnvironmentReachesTheRemoteCommandLiterally) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto shell = make_shell(trusted_config(server));
  const std::string hostile = "it's $HOME `id` $(id) \"q\" \\ ; rm -rf / #";
  sdk::exec_request req;
  req.command = "printf '%s|%s' \"$RIO_HOSTILE\" \"$RIO_LINES\"";
  req.env = {{"RIO_HOSTILE", hostile}, {"RIO_LINES", "one\ntwo"}};
  auto r = run_exec(*shell, req);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->exit_code, 0) << r->stderr_tail;
  EXPECT_EQ(r->stdout_tail, hostile + "|one\ntwo");

  req.env = {{"BAD NAME", "x"}};
  auto refused = run_exec(*shell, req);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, kernel::ssh::errc::bad_option);
  req.env.clear();
  req.timeout = 0ms;
  EXPECT_EQ(run_exec(*shell, req).error().code, kernel::ssh::errc::bad_option);
}

TEST(OpenSshExec, LocalSshGetsOnlyTheFixedEnvironment) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  // Set before the shell is made: the child environment is fixed at creation.
  ::setenv("RIO_LOCAL_CANARY", "leak", 1);
  ::setenv("SSH_ASKPASS", "/bin/false", 1);
  auto shell = make_shell(trusted_config(server));
  ::unsetenv("RIO_LOCAL_CANARY");
  ::unsetenv("SSH_ASKPASS");
  sdk::exec_request req;
  // The "remote" host is this machine: the command reads the environment of the local ssh that
  // carries it (its command line, and only its, starts with the executable's path and names this
  // test's server port; the command itself travels on stdin, not in that command line).
  req.command = "p=$(" + sh_find_processes("^" + shell->ssh_executable().string() + " .*-p " +
                                           std::to_string(server.port()) + " ") +
                "); tr '\\0' '\\n' < /proc/$p/environ | cut -d= -f1 | sort | tr '\\n' ' '";
  req.env = {{"RIO_REQUEST_ONLY", "remote side only"}};
  auto r = run_exec(*shell, req);
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(r->exit_code, 0) << r->stderr_tail;
  std::istringstream names{r->stdout_tail};
  std::set<std::string> seen{std::istream_iterator<std::string>{names}, std::istream_iterator<std::string>{}};
  EXPECT_EQ(seen.count("PATH"), 1u) << r->stdout_tail << r->stderr_tail;
  for (const auto& name : seen) {
    EXPECT_TRUE(name == "PATH" || name == "HOME" || name == "SSH_AUTH_SOCK" || name == "LANG") << name;
  }
}

TEST(OpenSshExec, HundredMegabytesOfStdoutPassInBoundedMemory) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto shell = make_shell(trusted_config(server));
  counting_sink sink;
  sdk::exec_request req;
  req.command = "head -c 100000000 /dev/zero | tr '\\0' x; printf END";
  req.sink = &sink;
  const long rss_before = max_rss_kib();
  auto r = run_exec(*shell, req);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->exit_code, 0) << r->stderr_tail;
  EXPECT_EQ(r->stdout_bytes, 100000003u);
  EXPECT_EQ(sink.out_bytes, 100000003u);
  EXPECT_GT(sink.chunks, 100u);  // streamed as it arrived, not delivered whole
  ASSERT_EQ(r->stdout_tail.size(), sdk::output_tail_limit);
  EXPECT_EQ(r->stdout_tail.substr(r->stdout_tail.size() - 4), "xEND");
  EXPECT_LT(max_rss_kib() - rss_before, 32 * 1024) << "peak memory grew with the output";
}

TEST(OpenSshExec, HeavyStderrInterleavedWithStdoutDoesNotStall) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto shell = make_shell(trusted_config(server));
  counting_sink sink;
  sdk::exec_request req;
  // Both streams far beyond a pipe's buffer at once: reading one after the other would deadlock.
  req.command =
      "(head -c 30000000 /dev/zero | tr '\\0' e >&2) & head -c 20000000 /dev/zero | tr '\\0' o; wait; "
      "i=0; while [ $i -lt 200 ]; do echo out$i; echo err$i >&2; i=$((i+1)); done";
  req.sink = &sink;
  req.timeout = 60s;
  auto r = run_exec(*shell, req);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->stderr_bytes, sink.err_bytes);
  EXPECT_EQ(r->stdout_bytes, sink.out_bytes);
  EXPECT_GT(r->stderr_bytes, 30000000u);
  EXPECT_GT(r->stdout_bytes, 20000000u);
  EXPECT_EQ(r->stderr_tail.substr(r->stderr_tail.size() - 7), "err199\n");
  EXPECT_EQ(r->stdout_tail.substr(r->stdout_tail.size() - 7), "out199\n");
  EXPECT_LE(r->stderr_tail.size(), sdk::output_tail_limit);
}

TEST(OpenSshExec, TimeoutStopsTheCommandAndLeavesNoRemoteProcess) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto shell = make_shell(trusted_config(server));
  const std::string marker = unique_marker();
  sdk::exec_request req;
  // exec: the sleep is the process `timeout` waits for, so it is gone when ssh returns.
  req.command = "exec sleep 600." + marker;
  req.timeout = 2s;
  auto r = run_exec(*shell, req);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->exit_code, -1);
  EXPECT_FALSE(r->ok());
  EXPECT_GE(r->duration, 2s);
  EXPECT_LT(r->duration, 20s);  // the remote deadline, not the client's (2 + 10 + 10 s)
  EXPECT_FALSE(process_running("[s]leep 600\\." + marker));
}

// The client deadline is the backstop for an ssh that never ends: a remote that ignores its own
// `timeout`, a hung network, a ProxyCommand that waits for ever. Here the "ssh" is a stand-in on
// the allow-list that ignores TERM and never ends, so nothing but the client deadline can stop it.
// (With the real ssh and sshd this test depended on timings it did not control: ssh's banner
// exchange had to finish within ConnectTimeout=1 s, and the remote shell had to ignore TERM
// before the remote `timeout` sent it 1 s later; a loaded machine failed one now and then.)
TEST(OpenSshExec, ClientDeadlineStopsSshWhenTheRemoteTimeoutDoesNotEndIt) {
  temp_dir dir;
  const std::string marker = unique_marker();
  auto stub = dir.write("bin/ssh", "#!/bin/sh\ntrap '' TERM\nexec sleep 30." + marker + "\n");
  std::filesystem::permissions(stub, std::filesystem::perms::owner_all);
  auto allowed = ossh::allow_list::from({stub});
  ASSERT_TRUE(allowed) << allowed.error().message;
  ossh::openssh_config config;
  config.target = {"127.0.0.1", 22, "root"};
  config.known_hosts.record = dir.path() / "known_hosts";
  config.known_hosts.policy = kernel::ssh::host_key_policy::strict;
  config.ssh_config_file = "/dev/null";
  config.connect_timeout = 1s;
  config.client_grace = 1s;
  auto shell = ossh::openssh_shell::create(config, *allowed);
  ASSERT_TRUE(shell) << shell.error().describe();
  sdk::exec_request req;
  req.command = "true";
  req.timeout = 1s;
  // The client deadline: timeout + connect_timeout + client_grace = 3 s; then TERM (ignored),
  // ossh::stop_grace, KILL.
  auto r = run_exec(**shell, req);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_TRUE(r->timed_out);
  EXPECT_GE(r->duration, 3s);
  EXPECT_LT(r->duration, 3s + ossh::stop_grace + 3s);
  EXPECT_FALSE(process_running("[s]leep 30\\." + marker)) << "the stand-in survived its deadline";
}

TEST(OpenSshExec, LeavesNoDescriptorOrChildProcessBehind) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto shell = make_shell(trusted_config(server));
  auto bad_key = trusted_config(server);
  bad_key.identity_file = server.stranger_key();
  auto refused = make_shell(bad_key);
  temp_dir local;
  auto file = local.write("f.txt", "contents");
  const auto fds_before = open_descriptors();
  const auto children_before = child_pids();

  sdk::exec_request req;
  req.command = "echo fine";
  EXPECT_TRUE(run_exec(*shell, req));
  EXPECT_FALSE(run_exec(*refused, req));
  req.command = "exit 7";
  EXPECT_EQ(run_exec(*shell, req)->exit_code, 7);
  sdk::upload_request up;
  up.local = file;
  up.remote = (local.path() / "remote-copy.txt").string();  // loopback: the same filesystem
  auto uploaded = run_upload(*shell, up);
  ASSERT_TRUE(uploaded) << uploaded.error().describe();
  EXPECT_EQ(read_file(local.path() / "remote-copy.txt"), "contents");

  EXPECT_EQ(open_descriptors(), fds_before);
  EXPECT_EQ(child_pids(), children_before);  // every ssh was reaped: no zombie, no straggler
}

// Emits terminal cancellation (posted, never from inside the transport's own handler) once the
// remote command said it started.
struct cancel_when_started final : sdk::output_sink {
  boost::asio::io_context& io;
  boost::asio::cancellation_signal& signal;
  bool fired = false;
  cancel_when_started(boost::asio::io_context& i, boost::asio::cancellation_signal& s) : io(i), signal(s) {}
  void on_output(sdk::output_stream, std::string_view chunk) override {
    if (fired || chunk.find("started") == std::string_view::npos) return;
    fired = true;
    boost::asio::post(io, [this] { signal.emit(boost::asio::cancellation_type::terminal); });
  }
};

TEST(OpenSshExec, CancellationStopsTheLocalSsh) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto shell = make_shell(trusted_config(server));
  const std::string marker = unique_marker();
  boost::asio::io_context io;
  boost::asio::cancellation_signal signal;
  cancel_when_started sink{io, signal};
  sdk::exec_request req;
  req.command = "echo started; exec sleep 40." + marker;
  req.timeout = 5s;  // the remote sleep outlives the dropped connection until then (see report)
  req.sink = &sink;
  std::optional<sdk::result<sdk::exec_result>> got;
  boost::asio::co_spawn(io, shell->exec(req),
                        boost::asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e, auto r) {
                          if (e) std::rethrow_exception(e);
                          got = std::move(r);
                        }));
  io.run();
  kill_processes("[s]leep 40\\." + marker);
  ASSERT_TRUE(sink.fired);
  ASSERT_TRUE(got.has_value());
  ASSERT_FALSE(*got);
  // Not timed_out: the command was stopped by the cancellation, long before its 5 s deadline.
  EXPECT_EQ(got->error().code, sdk::errc::cancelled);
  EXPECT_FALSE(process_running("^" + shell->ssh_executable().string() + " .*[4]0\\." + marker));
}

}  // namespace
}  // namespace rio::test
