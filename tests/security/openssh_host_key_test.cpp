// Security regressions (issue 26, points 5 and 13c) on the OpenSSH-client transport: a changed
// host key is refused before the command runs, under both policies and however the host is typed.
// (The libssh2 transport has its own in host_spelling_test.cpp and tests/ssh.)
#include "../openssh/openssh_test_support.hpp"

#include <rio/kernel/ssh/target.hpp>

namespace rio::test {
namespace {

namespace ssh = kernel::ssh;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string key_of(const std::string& known_hosts_line) { return known_hosts_line.substr(known_hosts_line.find(' ') + 1); }

sdk::exec_request touch(const fs::path& witness) {
  sdk::exec_request req;
  req.command = "touch '" + witness.string() + "'";
  req.timeout = 20s;
  return req;
}

// The server offers a key other than the one pinned for it: a man in the middle, as far as rio
// can tell. ssh must stop before the command, and the pin must stay as it was.
TEST(SecurityOpenSshHostKey, AChangedKeyIsRefusedAndTheCommandNeverRuns) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  const fs::path witness = server.scratch() / "ran";
  for (auto policy : {ssh::host_key_policy::strict, ssh::host_key_policy::accept_new}) {
    auto record = server.scratch() / "pinned_known_hosts";
    std::ofstream(record) << server.wrong_known_hosts_line() << "\n";
    auto shell = make_shell(openssh_config_for(server, record, policy));
    auto r = run_exec(*shell, touch(witness));
    ASSERT_FALSE(r) << "a changed key was accepted";
    EXPECT_EQ(r.error().code, ssh::errc::host_key_changed) << r.error().message;
    EXPECT_FALSE(fs::exists(witness)) << "the command ran";
    EXPECT_EQ(read_file(record), server.wrong_known_hosts_line() + "\n") << "the pin was replaced";
  }
}

// The OpenSSH transport hands ssh the canonical spelling, so ssh's own check finds the pin.
TEST(SecurityOpenSshHostKey, AChangedKeyIsRefusedHoweverTheHostIsTyped) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  const std::string port = std::to_string(server.port());
  const fs::path witness = server.scratch() / "ran";
  const std::pair<std::string, std::string> cases[] = {{"127.0.0.1", "127.1"}, {"127.0.0.1", "0x7f.0.0.1"}, {"localhost", "LocalHost"}};
  for (const auto& [pinned, host] : cases) {
    auto record = server.scratch() / "openssh_pinned";
    std::ofstream(record) << "[" << pinned << "]:" << port << " " << key_of(server.wrong_known_hosts_line()) << "\n";
    auto config = openssh_config_for(server, record, ssh::host_key_policy::accept_new);
    config.target.host = host;
    auto shell = make_shell(config);
    auto r = run_exec(*shell, touch(witness));
    ASSERT_FALSE(r) << host;
    EXPECT_EQ(r.error().code, ssh::errc::host_key_changed) << host << ": " << r.error().message;
    EXPECT_FALSE(fs::exists(witness)) << host << ": the command ran";
  }
}

}  // namespace
}  // namespace rio::test
