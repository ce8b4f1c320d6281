// Authentication methods and connection failures against a real sshd (and a silent socket).
#include "ssh_test_support.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <gtest/gtest.h>

#include <cstdlib>

#include <signal.h>

namespace rio::test {
namespace {
namespace ssh = kernel::ssh;
using namespace std::chrono_literals;


TEST(SshAuth, AWrongKeyIsRefusedListingWhatWasTried) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto o = trusted_options(server);
  o.auth.identity_files = {server.stranger_key()};
  auto s = connect_now(o);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ssh::make_error_code(ssh::errc::auth_failed));
  EXPECT_NE(s.error().message.find(server.stranger_key().string() + " (rejected by the server)"), std::string::npos)
      << s.error().message;
}

TEST(SshAuth, KeyMaterialFromMemoryWithItsPassphrase) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto o = trusted_options(server);
  o.auth.identity_files = {};
  o.auth.private_key = vault::secret{read_file(server.encrypted_user_key())};
  o.auth.passphrase = vault::secret{sshd_server::key_passphrase()};
  auto s = connect_now(o);
  ASSERT_TRUE(s) << s.error().describe();
  EXPECT_EQ((*s)->auth_method(), "publickey (key from vault)");

  o.auth.passphrase = vault::secret{"not the passphrase"};
  auto wrong = connect_now(o);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ssh::make_error_code(ssh::errc::auth_failed));
  EXPECT_EQ(wrong.error().message.find("not the passphrase"), std::string::npos) << "no secret in messages";
  // libssh2 1.10 says "Private key unpack failed (correct password?)"; it was a bare "failed".
  EXPECT_NE(wrong.error().message.find("correct password?"), std::string::npos) << "say what may be wrong: " << wrong.error().message;
}

// #22: a missing --identity was reported after connecting as "(unreadable, or wrong passphrase)".
TEST(SshAuth, AMissingIdentityFileIsReportedBeforeConnecting) {
  ssh::connect_options o;
  o.where = {"127.0.0.1", 1, "nobody"};  // nothing listens: connecting would fail differently
  o.auth.identity_files = {"/nonexistent/id_ed25519"};
  auto s = connect_now(o);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ssh::make_error_code(ssh::errc::auth_failed)) << s.error().describe();
  EXPECT_EQ(s.error().message, "identity file /nonexistent/id_ed25519 does not exist (checked before connecting)");
}

// #22: "no method was available" did not say where rio looked.
TEST(SshAuth, WithNothingToTryTheErrorSaysWhereRioLooked) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  temp_dir home;
  auto o = trusted_options(server);
  o.auth.identity_files = {};
  o.auth.default_identities = true;
  o.auth.use_agent = true;
  const char* old_sock = std::getenv("SSH_AUTH_SOCK");
  const std::string saved_sock = old_sock ? old_sock : "";
  const std::string saved_home = std::getenv("HOME") ? std::getenv("HOME") : "";
  ::unsetenv("SSH_AUTH_SOCK");
  ::setenv("HOME", home.path().c_str(), 1);
  auto s = connect_now(o);
  ::setenv("HOME", saved_home.c_str(), 1);
  if (old_sock != nullptr) ::setenv("SSH_AUTH_SOCK", saved_sock.c_str(), 1);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ssh::make_error_code(ssh::errc::auth_failed));
  EXPECT_NE(s.error().message.find("no ssh-agent (SSH_AUTH_SOCK is not set)"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("no default key (none of " + (home.path() / ".ssh" / "id_ed25519").string() +
                                   ", id_ecdsa, id_rsa exists)"),
            std::string::npos)
      << s.error().message;
}

// #22 point 4: only modern algorithms; what was negotiated with OpenSSH's sshd.
TEST(SshConnect, NegotiatesModernAlgorithmsAndReportsThem) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto s = connect_now(trusted_options(server));
  ASSERT_TRUE(s) << s.error().describe();
  const auto& a = (*s)->algorithms();
  EXPECT_EQ(a.kex, "curve25519-sha256");
  EXPECT_EQ(a.host_key, "ssh-ed25519");
  EXPECT_EQ(a.cipher, "aes128-ctr");
  EXPECT_EQ(a.mac, "hmac-sha2-256");
}

// A server that allows only what OpenSSH's defaults dropped finds nothing in common with rio
// (it used to offer 3des-cbc, blowfish-cbc, arcfour, hmac-md5 and SHA-1 key exchange).
TEST(SshConnect, ObsoleteAlgorithmsAreNotOffered) {
  RIO_REQUIRE_SSHD();
  for (const char* only : {"Ciphers 3des-cbc", "Ciphers aes256-cbc", "MACs hmac-md5", "MACs hmac-sha1-96",
                           "KexAlgorithms diffie-hellman-group14-sha1"}) {
    sshd_server server{{}, {only}};
    auto s = connect_now(trusted_options(server));
    ASSERT_FALSE(s) << only << " was negotiated";
    EXPECT_EQ(s.error().code, ssh::make_error_code(ssh::errc::handshake_failed)) << s.error().describe();
    EXPECT_NE(s.error().message.find("no algorithm in common"), std::string::npos) << s.error().message;
  }
}

TEST(SshAuth, EcdsaIdentityFilesAndAnEncryptedOne) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  {
    auto o = trusted_options(server);
    o.auth.identity_files = {server.authorize_new_key("ecdsa")};
    auto s = connect_now(o);
    ASSERT_TRUE(s) << s.error().describe();
    EXPECT_EQ((*s)->auth_method(), "publickey (" + o.auth.identity_files.front().string() + ")");
  }
  auto o = trusted_options(server);
  o.auth.identity_files = {server.encrypted_user_key()};
  o.auth.passphrase = vault::secret{sshd_server::key_passphrase()};
  auto s = connect_now(o);
  ASSERT_TRUE(s) << s.error().describe();
}

TEST(SshAuth, AnRsaKeyRefusedByAModernServerSaysWhy) {
  // libssh2 1.10 signs with ssh-rsa (SHA-1); OpenSSH >= 8.8 (Debian 12's 9.2) refuses that.
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto o = trusted_options(server);
  o.auth.identity_files = {server.authorize_new_key("rsa")};
  auto s = connect_now(o);
  if (s) GTEST_SKIP() << "this sshd still accepts ssh-rsa signatures";
  EXPECT_EQ(s.error().code, ssh::make_error_code(ssh::errc::auth_failed));
  EXPECT_NE(s.error().message.find("RSA keys need rsa-sha2 signatures"), std::string::npos) << s.error().message;
}

TEST(SshAuth, AgentIdentitiesAreUsed) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto sock = server.scratch() / "agent.sock";
  std::string started = run_local("ssh-agent -s -a " + sock.string());
  auto pid_at = started.find("SSH_AGENT_PID=");
  ASSERT_NE(pid_at, std::string::npos);
  int agent_pid = std::stoi(started.substr(pid_at + 14));
  run_local("SSH_AUTH_SOCK=" + sock.string() + " ssh-add -q " + server.user_key().string() + " 2>/dev/null");
  auto o = trusted_options(server);
  o.auth.identity_files = {};
  o.auth.use_agent = true;
  o.auth.agent_socket = sock;
  auto s = connect_now(o);
  ::kill(agent_pid, SIGTERM);
  ASSERT_TRUE(s) << s.error().describe();
  EXPECT_EQ((*s)->auth_method(), "publickey (agent)");
}

TEST(SshConnect, InvalidTargetsAreRefusedBeforeAnyNetworkUse) {
  for (std::string host : {"-oProxyCommand=touch /tmp/rio-pwned", "a b", "host\n", "", "bad;label.example", "[1.2.3.4]"}) {
    ssh::connect_options o;
    o.where = {host, 22, "root"};
    auto s = connect_now(o);
    ASSERT_FALSE(s) << host;
    EXPECT_EQ(s.error().code, ssh::make_error_code(ssh::errc::invalid_target)) << host;
  }
  for (std::string user : std::vector<std::string>{"-l", "ro ot", "", "a;b", std::string(40, 'u')}) {
    ssh::connect_options o;
    o.where = {"127.0.0.1", 22, user};
    auto s = connect_now(o);
    ASSERT_FALSE(s) << user;
    EXPECT_EQ(s.error().code, ssh::make_error_code(ssh::errc::invalid_target)) << user;
  }
  EXPECT_FALSE(std::filesystem::exists("/tmp/rio-pwned"));
}

TEST(SshConnect, ValidTargetsPassValidation) {
  for (std::string host : {"gpu.lab.local", "127.0.0.1", "::1", "[::1]", "fe80::1", "h-1.example.com."}) {
    EXPECT_TRUE(ssh::validate({host, 22, "ubuntu"})) << host;
  }
}

TEST(SshConnect, ARefusedConnectionFailsQuickly) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor probe{io, {boost::asio::ip::make_address("127.0.0.1"), 0}};
  auto port = probe.local_endpoint().port();
  probe.close();  // nothing listens there now
  ssh::connect_options o;
  o.where = {"127.0.0.1", port, "root"};
  auto started = std::chrono::steady_clock::now();
  auto s = connect_now(o);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ssh::make_error_code(ssh::errc::connect_failed)) << s.error().describe();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST(SshConnect, AHostThatNeverSpeaksSshTimesOut) {
  boost::asio::io_context io;
  // Accepts TCP (the kernel completes the handshake from the backlog) but never writes a byte.
  boost::asio::ip::tcp::acceptor silent{io, {boost::asio::ip::make_address("127.0.0.1"), 0}};
  ssh::connect_options o;
  o.where = {"127.0.0.1", silent.local_endpoint().port(), "root"};
  o.connect_timeout = 500ms;
  auto s = connect_now(o);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ssh::make_error_code(ssh::errc::connect_timed_out)) << s.error().describe();
  EXPECT_NE(s.error().message.find("handshake"), std::string::npos) << s.error().message;
}

}  // namespace
}  // namespace rio::test
