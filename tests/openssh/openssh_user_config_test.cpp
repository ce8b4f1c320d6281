// What this transport exists for: features of the user's ssh configuration (host aliases,
// ProxyJump) apply, while rio's host-key policy still decides about the target.
#include "openssh_test_support.hpp"

namespace rio::test {
namespace {

using namespace std::chrono_literals;
using kernel::ssh::host_key_policy;

// An ssh_config with a jump host and a target alias behind it, both on the fixture's sshd.
std::filesystem::path write_jump_config(const sshd_server& server, const std::filesystem::path& trusted) {
  auto file = server.scratch() / "ssh_config";
  std::ofstream(file) << "Host rio-jump\n"
                      << "  HostName " << server.address() << "\n"
                      << "  Port " << server.port() << "\n"
                      << "  User " << server.user() << "\n"
                      << "  IdentityFile " << server.user_key().string() << "\n"
                      << "  UserKnownHostsFile " << trusted.string() << "\n"
                      << "  StrictHostKeyChecking yes\n"
                      << "  BatchMode yes\n"
                      << "Host rio-target\n"
                      << "  HostName " << server.address() << "\n"
                      << "  ProxyJump rio-jump\n";
  return file;
}

TEST(OpenSshUserConfig, ProxyJumpAndAliasFromTheSshConfigApply) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto config = trusted_config(server);
  config.ssh_config_file = write_jump_config(server, config.known_hosts.record);
  config.target.host = "rio-target";  // only the ssh_config knows where that is
  auto shell = make_shell(config);
  sdk::exec_request req;
  // The "remote" host is this machine, so the command can see the local `ssh -W ... rio-jump`
  // that ProxyJump started and that carries this very session.
  req.command = "[ -n \"$(" + sh_find_processes("[-]W .*rio-jump") + ")\" ] && echo via-jump";
  auto r = run_exec(*shell, req);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->exit_code, 0) << r->stderr_tail;
  EXPECT_EQ(r->stdout_tail, "via-jump\n");
}

TEST(OpenSshUserConfig, TheTargetStillObeysRiosHostKeyPolicy) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto trusted = trusted_config(server);
  // The jump host is trusted by the ssh_config, but rio's own file does not know the target.
  auto config = openssh_config_for(server, server.scratch() / "rio_known_hosts", host_key_policy::strict);
  config.ssh_config_file = write_jump_config(server, trusted.known_hosts.record);
  config.target.host = "rio-target";
  auto shell = make_shell(config);
  sdk::exec_request req;
  req.command = "echo should-not-run";
  auto r = run_exec(*shell, req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, kernel::ssh::errc::host_key_unknown) << r.error().message;
}

TEST(OpenSshUserConfig, LeftoversOfAProxyCommandDoNotHoldTheCommandOpen) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto config = trusted_config(server);
  auto jump_config = write_jump_config(server, config.known_hosts.record);
  const std::string marker = unique_marker();
  // A ProxyCommand that leaves a background process holding ssh's stderr, which is our pipe.
  std::ofstream(jump_config, std::ios::app) << "Host rio-leaky\n"
                                            << "  HostName " << server.address() << "\n"
                                            << "  ProxyCommand sleep 31." << marker << " & exec "
                                            << make_shell(config)->ssh_executable().string() << " -F "
                                            << jump_config.string() << " -W [%h]:%p rio-jump\n";
  config.ssh_config_file = jump_config;
  config.target.host = "rio-leaky";
  auto shell = make_shell(config);
  sdk::exec_request req;
  req.command = "echo done";
  auto r = run_exec(*shell, req);
  const bool leftover = process_running("[s]leep 31\\." + marker);
  kill_processes("[s]leep 31\\." + marker);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->stdout_tail, "done\n");
  // Ended with ssh (its process group), so the stderr pipe closed and exec returned at once
  // rather than after output_linger.
  EXPECT_FALSE(leftover);
}

}  // namespace
}  // namespace rio::test
