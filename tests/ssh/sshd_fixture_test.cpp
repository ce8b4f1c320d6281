// The fixture itself: a real sshd on loopback that the system ssh client can log in to.
#include "sshd_server.hpp"

#include <fstream>

#include <gtest/gtest.h>

namespace rio::test {
namespace {

TEST(SshdFixture, AcceptsTheGeneratedUserKey) {
  if (!sshd_server::available()) GTEST_SKIP() << "openssh-server is not installed";
  sshd_server server;
  auto known = server.scratch() / "known_hosts";
  std::ofstream(known) << server.known_hosts_line() << "\n";
  std::string out = run_local("ssh -q -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=" +
                              known.string() + " -i " + server.user_key().string() + " -p " +
                              std::to_string(server.port()) + " -- " + server.user() + "@" + server.address() +
                              " 'echo hello-from-sshd' </dev/null");
  EXPECT_EQ(out, "hello-from-sshd\n");
  EXPECT_EQ(server.host_key_fingerprint().rfind("SHA256:", 0), 0u);
}

}  // namespace
}  // namespace rio::test
