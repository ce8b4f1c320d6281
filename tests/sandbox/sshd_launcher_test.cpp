// rio's one sshd launcher with the options the benchmarks use (several addresses, a home per
// address, pinned algorithms, a log file sshd writes itself, its own process group, SIGTERM when
// the parent dies), logged into with the system ssh client. The throwaway host and the SSH test
// fixture exercise the launcher's other options in every integration and ssh test.
#include <rio/kernel/sandbox/sshd_launcher.hpp>

#include "sshd_server.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace rio::test {
namespace {
namespace fs = std::filesystem;
namespace sandbox = kernel::sandbox;

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
  return out + "'";
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

/** A host key, a user key authorised for it, and a known_hosts file to fill. */
struct keys {
  fs::path host_key, user_key, authorized_keys, known_hosts;
};

keys make_keys(const fs::path& dir) {
  keys k{dir / "host_ed25519", dir / "user_ed25519", dir / "authorized_keys", dir / "known_hosts"};
  run_local("ssh-keygen -q -t ed25519 -N '' -f " + quote(k.host_key.string()));
  run_local("ssh-keygen -q -t ed25519 -N '' -f " + quote(k.user_key.string()));
  run_local("cp " + quote(k.user_key.string() + ".pub") + " " + quote(k.authorized_keys.string()));
  return k;
}

/** Runs `command` on `endpoint` with the system ssh client (no user or system ssh_config). */
std::string ssh_run(const keys& k, const sandbox::sshd_endpoint& endpoint, const std::string& command) {
  const passwd* pw = ::getpwuid(::geteuid());
  return run_local("ssh -F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes"
                   " -o UserKnownHostsFile=" + quote(k.known_hosts.string()) + " -i " + quote(k.user_key.string()) +
                   " -p " + std::to_string(endpoint.port) + " " + quote(std::string{pw->pw_name} + "@" + endpoint.address) +
                   " " + quote(command) + " </dev/null");
}

#define RIO_REQUIRE_SSHD() \
  if (!sshd_server::available()) GTEST_SKIP() << "openssh-server is not installed"

TEST(SshdLauncher, ServesSeveralAddressesEachWithItsOwnHomeAndLogsToAFile) {
  RIO_REQUIRE_SSHD();
  temp_dir dir;
  const keys k = make_keys(dir.path());
  sandbox::sshd_settings s;
  s.listen_addresses = {"127.0.0.1", "127.0.0.2"};
  s.dir = dir.path() / "sshd";
  s.host_key = k.host_key;
  s.authorized_keys = k.authorized_keys;
  s.homes = {dir.path() / "home1", dir.path() / "home2"};
  for (const auto& h : s.homes) fs::create_directories(h);
  s.session_env = {"RIO_MARK={HOME}/mark"};
  s.pin_algorithms = true;
  s.log = sandbox::sshd_log::file;
  s.log_file = dir.path() / "sshd.log";
  s.own_process_group = true;
  s.die_with_parent = true;
  auto sshd = sandbox::sshd_launcher::start(s);
  ASSERT_TRUE(sshd) << sshd.error().message;
  ASSERT_EQ((*sshd)->endpoints().size(), 2u);
  EXPECT_EQ(::getpgid((*sshd)->pid()), (*sshd)->pid());  // a process group of its own
  {
    std::ofstream known(k.known_hosts);
    for (const auto& line : (*sshd)->known_hosts_lines()) known << line << "\n";
  }
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& ep = (*sshd)->endpoints()[i];
    EXPECT_EQ(ep.address, s.listen_addresses[i]);
    EXPECT_EQ(ssh_run(k, ep, "printf '%s %s' \"$HOME\" \"$RIO_MARK\""),
              s.homes[i].string() + " " + s.homes[i].string() + "/mark");
  }
  const std::string log = read_text(s.log_file);
  EXPECT_EQ(count_of(log, "Server listening on"), 2u) << log;
  EXPECT_NE(read_text((*sshd)->config_file()).find("KexAlgorithms curve25519-sha256"), std::string::npos);

  const pid_t pid = (*sshd)->pid();
  (*sshd)->stop();
  EXPECT_FALSE((*sshd)->running());
  EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), -1);  // already reaped: no child of ours by that pid
}

TEST(SshdLauncher, RestartsOnTheSamePortsAfterStop) {
  RIO_REQUIRE_SSHD();
  temp_dir dir;
  const keys k = make_keys(dir.path());
  sandbox::sshd_settings s;
  s.dir = dir.path() / "sshd";
  s.host_key = k.host_key;
  s.authorized_keys = k.authorized_keys;
  s.log_file = dir.path() / "sshd.log";  // sshd_log::pipe, copied by a thread
  auto sshd = sandbox::sshd_launcher::start(s);
  ASSERT_TRUE(sshd) << sshd.error().message;
  std::ofstream(k.known_hosts) << (*sshd)->known_hosts_lines().front() << "\n";
  const auto before = (*sshd)->endpoints().front();
  EXPECT_EQ(ssh_run(k, before, "echo one"), "one\n");

  (*sshd)->stop();
  EXPECT_EQ((*sshd)->pid(), -1);
  auto again = (*sshd)->restart();
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ((*sshd)->endpoints().front().port, before.port);
  EXPECT_EQ(ssh_run(k, (*sshd)->endpoints().front(), "echo two"), "two\n");
  EXPECT_EQ(count_of(read_text(s.log_file), "Server listening on"), 2u);
}

TEST(SshdLauncher, RefusesWhatItCannotServeBeforeStartingAnything) {
  temp_dir dir;
  sandbox::sshd_settings s;
  s.dir = dir.path() / "sshd";
  s.host_key = dir.path() / "host";
  s.authorized_keys = dir.path() / "keys";

  s.listen_addresses = {"10.0.0.1"};
  auto outside = sandbox::sshd_launcher::start(s);
  ASSERT_FALSE(outside);
  EXPECT_NE(outside.error().message.find("outside 127.0.0.0/8"), std::string::npos) << outside.error().message;

  s.listen_addresses = {"127.0.0.1", "127.0.0.1"};
  auto twice = sandbox::sshd_launcher::start(s);
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("given twice"), std::string::npos) << twice.error().message;

  s.listen_addresses = {"127.0.0.1"};
  s.homes = {dir.path() / "a", dir.path() / "b"};
  auto homes = sandbox::sshd_launcher::start(s);
  ASSERT_FALSE(homes);
  EXPECT_NE(homes.error().message.find("one home per listen address"), std::string::npos);

  s.homes.clear();
  s.log = sandbox::sshd_log::file;
  auto no_log = sandbox::sshd_launcher::start(s);
  ASSERT_FALSE(no_log);
  EXPECT_NE(no_log.error().message.find("no log file"), std::string::npos);
  EXPECT_FALSE(fs::exists(s.dir));  // refused before anything was created
}

}  // namespace
}  // namespace rio::test
