// The OpenSSH transport's pure parts: the allow-list, the ssh command line, tails, diagnostics.
#include "openssh_test_support.hpp"
#include "temp_dir.hpp"

#include <rio/kernel/openssh/output_tail.hpp>
#include <rio/kernel/openssh/ssh_failure.hpp>

#include <algorithm>

namespace rio::test {
namespace {

namespace fs = std::filesystem;
using kernel::ssh::errc;

ossh::openssh_config sample_config() {
  ossh::openssh_config c;
  c.target = {"gpu.lab", 2222, "ubuntu"};
  c.known_hosts.record = "/var/lib/rio/data/ssh/known_hosts";
  c.known_hosts.read = {"/home/u/.ssh/known_hosts", "/var/lib/rio/data/ssh/known_hosts"};
  return c;
}

std::string option_value(const std::vector<std::string>& args, const std::string& key) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "-o" && args[i + 1].rfind(key + "=", 0) == 0) return args[i + 1].substr(key.size() + 1);
  }
  return "<absent>";
}

TEST(OpenSshArguments, EndWithSeparatorAndHostAndPinThePolicy) {
  auto args = ossh::ssh_arguments(sample_config());
  ASSERT_TRUE(args) << args.error().message;
  ASSERT_GE(args->size(), 2u);
  EXPECT_EQ(args->at(args->size() - 2), "--");
  EXPECT_EQ(args->back(), "gpu.lab");
  EXPECT_NE(std::find(args->begin(), args->end(), "-T"), args->end());
  EXPECT_EQ(option_value(*args, "BatchMode"), "yes");
  EXPECT_EQ(option_value(*args, "StrictHostKeyChecking"), "accept-new");
  // The record file first: accept-new writes to the first UserKnownHostsFile.
  EXPECT_EQ(option_value(*args, "UserKnownHostsFile"),
            "\"/var/lib/rio/data/ssh/known_hosts\" \"/home/u/.ssh/known_hosts\"");
  EXPECT_EQ(option_value(*args, "ControlPath"), "none");
  EXPECT_EQ(option_value(*args, "ConnectTimeout"), "10");
  auto port = std::find(args->begin(), args->end(), "-p");
  ASSERT_NE(port, args->end());
  EXPECT_EQ(*(port + 1), "2222");
  auto user = std::find(args->begin(), args->end(), "-l");
  ASSERT_NE(user, args->end());
  EXPECT_EQ(*(user + 1), "ubuntu");
}

TEST(OpenSshArguments, StrictPolicyRoundedTimeoutAndIdentity) {
  auto c = sample_config();
  c.known_hosts.policy = kernel::ssh::host_key_policy::strict;
  c.connect_timeout = std::chrono::milliseconds{200};
  c.identity_file = "/keys/id %h \"x\"\\y";
  c.target.host = "[::1]";
  auto args = ossh::ssh_arguments(c);
  ASSERT_TRUE(args) << args.error().message;
  EXPECT_EQ(option_value(*args, "StrictHostKeyChecking"), "yes");
  EXPECT_EQ(option_value(*args, "ConnectTimeout"), "1");
  EXPECT_EQ(option_value(*args, "IdentityFile"), R"("/keys/id %%h \"x\"\\y")");
  EXPECT_EQ(args->back(), "::1");
}

TEST(OpenSshArguments, RefuseWhatSshCannotExpress) {
  auto c = sample_config();
  c.known_hosts.record = "/tmp/${HOME}/kh";
  EXPECT_EQ(ossh::ssh_arguments(c).error().code, errc::bad_option);
  c = sample_config();
  c.known_hosts.record = "relative/known_hosts";
  EXPECT_EQ(ossh::ssh_arguments(c).error().code, errc::bad_option);
  c = sample_config();
  c.identity_file = "/keys/a\nb";
  EXPECT_EQ(ossh::ssh_arguments(c).error().code, errc::bad_option);
  c = sample_config();
  c.known_hosts.record.clear();
  EXPECT_EQ(ossh::ssh_arguments(c).error().code, errc::bad_option);  // accept-new needs a record file
}

TEST(OpenSshArguments, HostileHostsAreRefusedByValidation) {
  for (const char* host : {"-oProxyCommand=touch /tmp/rio-pwned", "gpu lab", "-v", "a\tb", ""}) {
    auto c = sample_config();
    c.target.host = host;
    auto args = ossh::ssh_arguments(c);
    ASSERT_FALSE(args) << host;
    EXPECT_EQ(args.error().code, errc::invalid_target) << host;
  }
}

TEST(OpenSshAllowList, SelectsOnlyListedExecutablesAndRunsTheListedPath) {
  temp_dir dir;
  auto real = dir.write("bin/ssh", "#!/bin/sh\n");
  fs::permissions(real, fs::perms::owner_all);
  auto other = dir.write("bin/other", "#!/bin/sh\n");
  fs::permissions(other, fs::perms::owner_all);
  auto link = dir.path() / "link-to-ssh";
  fs::create_symlink(real, link);
  auto list = ossh::allow_list::from({real});
  ASSERT_TRUE(list) << list.error().message;

  EXPECT_EQ(list->select("ssh_command", "", "ssh").value(), real);
  EXPECT_EQ(list->select("ssh_command", real.string(), "ssh").value(), real);
  // A symlink the requester points at an allowed binary is accepted, but the listed path runs.
  EXPECT_EQ(list->select("ssh_command", link.string(), "ssh").value(), real);

  auto refused = list->select("ssh_command", other.string(), "ssh");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, errc::not_allowed);
  EXPECT_NE(refused.error().message.find("ssh_command"), std::string::npos);
  EXPECT_EQ(list->select("scp_command", "/bin/sh", "scp").error().code, errc::not_allowed);
  EXPECT_EQ(list->select("scp_command", "", "scp").error().code, errc::not_allowed);  // none listed
  EXPECT_EQ(list->select("ssh_command", "../bin/ssh", "ssh").error().code, errc::not_allowed);
  EXPECT_EQ(list->select("ssh_command", "ssh -oProxyCommand=x", "ssh").error().code, errc::not_allowed);
  EXPECT_EQ(ossh::allow_list::from({"relative/ssh"}).error().code, errc::bad_option);
}

TEST(OpenSshAllowList, DefaultIsSshAndScpOnPath) {
  auto list = ossh::allow_list::system_default();
  if (!list) GTEST_SKIP() << "no ssh on PATH";
  EXPECT_TRUE(list->select("ssh_command", "ssh", "ssh"));
  EXPECT_EQ(list->select("ssh_command", "sh", "ssh").error().code, errc::not_allowed);
  auto found = ossh::find_on_path("ssh", ".:relative:/usr/bin:/bin");
  EXPECT_TRUE(found.empty() || found.is_absolute());
}

TEST(OpenSshTail, KeepsTheLastBytesInBoundedMemory) {
  ossh::output_tail tail{8};
  tail.append("abc");
  EXPECT_EQ(tail.str(), "abc");
  for (int i = 0; i < 1000; ++i) tail.append("0123456789");
  tail.append("xyz");
  EXPECT_EQ(tail.str(), "56789xyz");
  EXPECT_EQ(tail.bytes(), 3u + 10000u + 3u);
  tail.append(std::string(100, 'q'));
  EXPECT_EQ(tail.str(), std::string(8, 'q'));
}

TEST(OpenSshFailure, ClassifiesOpenSshDiagnostics) {
  struct sample {
    const char* text;
    errc code;
  };
  const sample samples[] = {
      {"@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n"
       "The fingerprint for the ED25519 key sent by the remote host is\nSHA256:abcDEF.\n"
       "Host key verification failed.\n",
       errc::host_key_changed},
      {"No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.\n"
       "Host key verification failed.\n",
       errc::host_key_unknown},
      {"root@127.0.0.1: Permission denied (publickey).\n", errc::auth_failed},
      {"ssh: connect to host 127.0.0.1 port 9: Connection refused\n", errc::connect_failed},
      {"ssh: Could not resolve hostname nowhere.invalid: Name or service not known\n", errc::resolve_failed},
      {"ssh: connect to host 10.1.2.3 port 22: Connection timed out\n", errc::connect_timed_out},
      {"kex_exchange_identification: read: Connection reset by peer\n", errc::handshake_failed},
      {"Connection to 127.0.0.1 closed by remote host.\n", errc::connection_lost},
  };
  for (const auto& s : samples) {
    auto e = ossh::classify_ssh_failure(s.text, "[127.0.0.1]:2222");
    ASSERT_TRUE(e.has_value()) << s.text;
    EXPECT_EQ(e->code, s.code) << s.text;
    EXPECT_EQ(e->message.rfind("[127.0.0.1]:2222: ", 0), 0u) << e->message;
  }
  auto changed = ossh::classify_ssh_failure(samples[0].text, "h");
  EXPECT_NE(changed->message.find("offered key SHA256:abcDEF"), std::string::npos) << changed->message;
  EXPECT_FALSE(ossh::classify_ssh_failure("my tool failed\n", "h").has_value());
}

TEST(OpenSshFailure, CondenseKeepsTheLastLinesOnOneLine) {
  EXPECT_EQ(ossh::condense("@@@@\none\n\n two \x1b[31m\nthree\n"), "one | two  [31m | three");
  EXPECT_EQ(ossh::condense("aaaa\nbbbb\ncccc\n", 10), "cccc");
  EXPECT_EQ(ossh::condense(std::string(50, 'z'), 10), std::string(10, 'z'));
}

// The probe the "no process left" checks rely on must see a process that does run.
TEST(OpenSshTestSupport, ProcessProbeSeesARunningProcess) {
  const std::string marker = unique_marker();
  ASSERT_EQ(std::system(("sleep 30." + marker + " >/dev/null 2>&1 &").c_str()), 0);
  EXPECT_TRUE(process_running("[s]leep 30\\." + marker));
  kill_processes("[s]leep 30\\." + marker);
  EXPECT_FALSE(process_running("[s]leep 30\\.0" + marker));
}

}  // namespace
}  // namespace rio::test
