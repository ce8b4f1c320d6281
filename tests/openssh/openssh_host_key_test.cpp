// Host-key policy, authentication, connect failures and refusals before anything runs, through
// the system ssh client against a real sshd on loopback.
#include "openssh_test_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace rio::test {
namespace {

using namespace std::chrono_literals;
using kernel::ssh::errc;
using kernel::ssh::host_key_policy;
namespace fs = std::filesystem;

sdk::exec_request echo_request() {
  sdk::exec_request req;
  req.command = "echo hello";
  req.timeout = 20s;
  return req;
}

// A loopback port nothing listens on (bound, read, released).
std::uint16_t closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  socklen_t len = sizeof sa;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  ::close(fd);
  return ntohs(sa.sin_port);
}

TEST(OpenSshHostKey, StrictPolicyRefusesAnUnknownHost) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto shell = make_shell(openssh_config_for(server, server.scratch() / "empty_known_hosts", host_key_policy::strict));
  auto r = run_exec(*shell, echo_request());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::host_key_unknown) << r.error().message;
  EXPECT_EQ(r.error().message.rfind(kernel::ssh::display_name(shell_target(server)), 0), 0u) << r.error().message;
  EXPECT_FALSE(fs::exists(server.scratch() / "empty_known_hosts"));  // strict never records
}

TEST(OpenSshHostKey, ChangedKeyIsRefusedEvenUnderAcceptNew) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto record = server.scratch() / "changed_known_hosts";
  std::ofstream(record) << server.wrong_known_hosts_line() << "\n";
  auto shell = make_shell(openssh_config_for(server, record, host_key_policy::accept_new));
  auto r = run_exec(*shell, echo_request());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::host_key_changed) << r.error().message;
  // The key the host offered is named, so an operator can compare it out of band.
  EXPECT_NE(r.error().message.find(server.host_key_fingerprint()), std::string::npos) << r.error().message;
  EXPECT_EQ(read_file(record), server.wrong_known_hosts_line() + "\n");  // never overwritten
}

TEST(OpenSshHostKey, AcceptNewRecordsTheKeyInRiosFileAndTrustsItAfterwards) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  // A directory name that needs ssh-level quoting: spaces, a %-token, quotes and a backslash.
  auto record = server.scratch() / "data dir %h 'q' \"d\" \\x" / "ssh" / "known_hosts";
  auto shell = make_shell(openssh_config_for(server, record, host_key_policy::accept_new));
  auto r = run_exec(*shell, echo_request());
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->stdout_tail, "hello\n");
  EXPECT_EQ(r->stderr_tail, "");  // ssh's "Permanently added" notice stays out of the command's stderr
  ASSERT_TRUE(fs::exists(record));
  const std::string recorded = read_file(record);
  const std::string host_key = server.known_hosts_line().substr(server.known_hosts_line().find(' ') + 1);
  EXPECT_NE(recorded.find(host_key), std::string::npos) << recorded;

  auto strict = make_shell(openssh_config_for(server, record, host_key_policy::strict));
  auto again = run_exec(*strict, echo_request());
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_EQ(again->stdout_tail, "hello\n");
}

TEST(OpenSshHostKey, UnauthorisedKeyIsRefusedWithAuthFailed) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto config = trusted_config(server);
  config.identity_file = server.stranger_key();
  auto shell = make_shell(config);
  auto r = run_exec(*shell, echo_request());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::auth_failed) << r.error().message;
}

TEST(OpenSshHostKey, ClosedPortGivesConnectFailedQuickly) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto config = trusted_config(server);
  config.target.port = closed_port();
  config.connect_timeout = 30s;  // "quickly": a refusal must not wait for the connect timeout
  auto shell = make_shell(config);
  const auto started = std::chrono::steady_clock::now();
  auto r = run_exec(*shell, echo_request());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::connect_failed) << r.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

TEST(OpenSshRefusal, ExecutableNotOnTheAllowListIsRefusedBeforeAnythingRuns) {
  temp_dir dir;
  const auto witness = dir.path() / "ran";
  auto fake = dir.write("fake-ssh", "#!/bin/sh\ntouch '" + witness.string() + "'\n");
  fs::permissions(fake, fs::perms::owner_all);
  ossh::openssh_config config;
  config.target = {"127.0.0.1", 22, "root"};
  config.known_hosts.record = dir.path() / "known_hosts";
  for (const std::string& requested : {fake.string(), std::string{"sh"}, std::string{"/bin/sh"}}) {
    config.ssh_command = requested;
    auto shell = ossh::openssh_shell::create(config, default_allow_list());
    ASSERT_FALSE(shell) << requested;
    EXPECT_EQ(shell.error().code, errc::not_allowed);
    EXPECT_NE(shell.error().message.find("ssh_command"), std::string::npos) << shell.error().message;
  }
  config.ssh_command = "ssh";  // the allow-listed one, by name, is fine
  EXPECT_TRUE(ossh::openssh_shell::create(config, default_allow_list()));
  config.scp_command = fake.string();
  auto scp = ossh::openssh_shell::create(config, default_allow_list());
  ASSERT_FALSE(scp);
  EXPECT_NE(scp.error().message.find("scp_command"), std::string::npos) << scp.error().message;
  EXPECT_FALSE(fs::exists(witness));
}

TEST(OpenSshRefusal, HostileHostOrUserIsRefusedByValidation) {
  temp_dir dir;
  const auto witness = dir.path() / "pwned";
  ossh::openssh_config config;
  config.known_hosts.record = dir.path() / "known_hosts";
  const std::pair<std::string, std::string> targets[] = {
      {"-oProxyCommand=touch " + witness.string(), "root"},
      {"host with spaces", "root"},
      {"127.0.0.1", "-oProxyCommand=x"},
      {"127.0.0.1", "ro ot"},
  };
  for (const auto& [host, user] : targets) {
    config.target = {host, 22, user};
    auto shell = ossh::openssh_shell::create(config, default_allow_list());
    ASSERT_FALSE(shell) << host << " " << user;
    EXPECT_EQ(shell.error().code, errc::invalid_target);
  }
  EXPECT_FALSE(fs::exists(witness));
}

}  // namespace
}  // namespace rio::test
