// A host that accepts TCP but never answers SSH: its sshd is frozen with SIGSTOP, so the kernel
// still completes every TCP handshake (the listen backlog) but no SSH banner ever comes, as with
// a hung sshd or a port forwarded to something that is not an SSH server.
#include "fault_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace rio::test {
namespace {

// Resumes the frozen sshd however the test ends, so the host can be stopped.
struct resume_on_exit {
  pid_t pid;
  ~resume_on_exit() { ::kill(pid, SIGCONT); }
};

bool tcp_connects(const kernel::ssh::target& t) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(t.port);
  ::inet_pton(AF_INET, t.host.c_str(), &a.sin_addr);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

TEST(FaultsSilentHost, AcceptsTcpButNeverSpeaksSshFailsAloneWithAConnectTimeout) {
  // The user sees: exit 1 after about --connect-timeout; the silent host is `failed`
  // (failure: unreachable) with "... took longer than the connect timeout (is it an SSH
  // server?)"; the other host of the same fleet is installed. Once the host answers again, the
  // rerun exits 0.
  REQUIRE_SSHD();
  engine_world w;
  auto& good = w.add_host();
  auto& silent = w.add_host("127.0.0.2");
  ASSERT_EQ(::kill(silent.pid(), SIGSTOP), 0);
  resume_on_exit resume{silent.pid()};
  ASSERT_TRUE(tcp_connects(silent.target())) << "the frozen sshd still accepts TCP";

  const auto args = engine_world::with(w.args("install", {}, "ollama"), {"-i", w.inventory({0, 1}).string(), "--connect-timeout", "2"});
  auto child = w.spawn(engine_world::with(args, {"--json"}), "silent");
  ASSERT_GT(child.pid, 0);
  ASSERT_EQ(child.wait(), 1) << read_file(child.err);
  auto r = parse_object(read_file(child.out));
  auto hosts = r["hosts"].as_array();
  ASSERT_EQ(hosts.size(), 2u) << read_file(child.out);
  EXPECT_EQ(hosts[0].as_object().at("status"), "installed");
  const auto& dead = hosts[1].as_object();
  EXPECT_EQ(dead.at("status"), "failed");
  EXPECT_EQ(dead.at("failure"), "unreachable");
  EXPECT_NE(std::string{dead.at("error").as_string()}.find("took longer than the connect timeout (is it an SSH server?)"),
            std::string::npos) << dead.at("error");
  // Bounded by --connect-timeout (libssh2 alone would wait for the banner forever).
  EXPECT_LT(dead.at("duration_ms").to_number<std::int64_t>(), 8000);

  // The same fault in text mode, as an operator sees it: one line per finished host on stderr,
  // the host's error, and the summary.
  auto text = w.spawn(args, "silent-text");
  ASSERT_EQ(text.wait(), 1) << read_file(text.err);
  const std::string out = read_file(text.out);
  const std::string err = read_file(text.err);
  EXPECT_NE(out.find("took longer than the connect timeout (is it an SSH server?)"), std::string::npos) << out;
  EXPECT_NE(out.find("Summary: 2 hosts: 0 installed, 1 noop, 1 failed."), std::string::npos) << out;
  const std::string silent_name = "127.0.0.2:" + std::to_string(silent.target().port);
  EXPECT_NE(err.find("/2 " + silent_name + ": unreachable\n"), std::string::npos) << "one line per finished host: " << err;
  std::cout << "[ user sees ]\n" << err << out;

  // Its manifest records the failed run (nothing ran on it); the log says why.
  auto manifest = parse_object(read_file(manifest_of(w, silent)));
  EXPECT_EQ(manifest["last_run"].as_object()["status"], "failed");
  EXPECT_NE(std::string{manifest["last_run"].as_object()["error"].as_string()}.find("took longer than the connect timeout"),
            std::string::npos);
  EXPECT_NE(read_file(log_of(w, silent)).find("cannot connect: "), std::string::npos);
  expect_installed(w, good, {"ollama"});
  expect_records_readable(w);

  // The fault removed: sshd runs again (the handshakes queued meanwhile are simply dropped).
  ASSERT_EQ(::kill(silent.pid(), SIGCONT), 0);
  auto rerun = w.run(engine_world::with(w.args("install", {}, "ollama"), {"-i", w.inventory({0, 1}).string(), "--json"}));
  ASSERT_EQ(rerun.code, 0) << rerun.err << rerun.out;
  expect_installed(w, silent, {"ollama"});
  expect_records_readable(w);
}

}  // namespace
}  // namespace rio::test
