// The remote command wrapper and upload receiver, run for real under the local /bin/sh.
#include <rio/kernel/ssh/remote_command.hpp>
#include <rio/kernel/ssh/upload_source.hpp>

#include "../sdk/local_sh.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace rio::test {
namespace {
namespace ssh = kernel::ssh;
using namespace std::chrono_literals;


TEST(WrapCommand, QuotesEnvironmentAndRunsUnderPlainSh) {
  auto wrapped = ssh::wrap_command("printf '%s|%s' \"$RIO_X\" \"$RIO_Y\"", {{"RIO_X", "a'b $(c)"}, {"RIO_Y", "l1\nrio-env-end\n'"}}, 10s);
  ASSERT_TRUE(wrapped);
  EXPECT_EQ(run_sh(wrapped->line, "/nonexistent", wrapped->stdin_preamble).out, "a'b $(c)|l1\nrio-env-end\n'");
}

TEST(WrapCommand, TheEnvironmentTravelsOnStdinNeverInTheCommandLine) {
  for (bool watch : {true, false}) {
    auto w = ssh::wrap_command("true", {{"RIO_TOKEN", "canary-7f3e"}}, 10s, watch);
    ASSERT_TRUE(w);
    EXPECT_EQ(w->line.find("canary-7f3e"), std::string::npos) << w->line;
    EXPECT_NE(w->stdin_preamble.find("canary-7f3e"), std::string::npos);
  }
  // (With the watchdog, the EOF after the preamble would stop the command: the caller keeps
  // stdin open there, which a file cannot.)
  auto wrapped = ssh::wrap_command("printf '%s' \"$RIO_TOKEN\"", {{"RIO_TOKEN", "canary-7f3e"}}, 10s);
  ASSERT_TRUE(wrapped);
  auto r = run_sh(wrapped->line, "/nonexistent", wrapped->stdin_preamble);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "canary-7f3e");
}

TEST(WrapCommand, AStdinThatEndsBeforeTheEnvironmentStopsTheCommand) {
  auto wrapped = ssh::wrap_command("echo ran", {{"RIO_X", "1"}}, 10s);
  ASSERT_TRUE(wrapped);
  auto r = run_sh(wrapped->line, "/nonexistent", std::string{"RIO_X='1'; export RIO_X\n"});
  EXPECT_EQ(r.exit_code, ssh::env_missing_exit_status);
  EXPECT_EQ(r.out, "");
}

TEST(WrapCommand, TheRemoteDeadlineStopsTheWholeProcessGroup) {
  auto started = std::chrono::steady_clock::now();
  auto wrapped = ssh::wrap_command("sleep 30 & sleep 30; echo never", {}, 1s);
  auto r = run_sh(wrapped->line, "/nonexistent", wrapped->stdin_preamble);
  EXPECT_EQ(r.exit_code, ssh::timeout_exit_status);
  EXPECT_EQ(r.out, "");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

TEST(WrapCommand, ATimeoutIsRecognisedAlsoWhenTheCommandNeededKill) {
  // 124: stopped by TERM at the limit; 137: TERM ignored, KILL 5 s later. Either only after the
  // whole limit: a command exiting so early did it by itself.
  EXPECT_TRUE(ssh::stopped_by_timeout(ssh::timeout_exit_status, 3000ms, 3s));
  EXPECT_TRUE(ssh::stopped_by_timeout(ssh::timeout_killed_exit_status, 8100ms, 3s));
  EXPECT_FALSE(ssh::stopped_by_timeout(ssh::timeout_killed_exit_status, 200ms, 3s));
  EXPECT_FALSE(ssh::stopped_by_timeout(ssh::timeout_exit_status, 2999ms, 3s));
  EXPECT_FALSE(ssh::stopped_by_timeout(1, 9000ms, 3s));
}

TEST(WrapCommand, TheStdinWatchdogStopsTheCommandAtEof) {
  // stdin is an empty file: EOF at once, as when the client cancels or the connection drops.
  auto started = std::chrono::steady_clock::now();
  auto wrapped = ssh::wrap_command("sleep 30; echo never", {}, 60s, /*watch_stdin=*/true);
  auto r = run_sh(wrapped->line, "/nonexistent", wrapped->stdin_preamble);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

// Cancelling must stop the command even when timeout(1) dies without passing the signal on: GNU
// timeout does so when the signal arrives before it has noted its child's pid, which happens on
// a loaded host (SshExec.CancellationEndsACommandAndKeepsTheSessionUsable caught it). A stub
// timeout that leads its group like GNU timeout but exits on TERM at once stands in for that
// moment; the watchdog must signal the whole group itself. This test process adopts orphans
// (PR_SET_CHILD_SUBREAPER), so it can tell how the command ended without timing anything.
TEST(WrapCommand, CancellingStopsTheCommandEvenWhenTimeoutDiesWithoutPassingTheSignalOn) {
  if (::access("/usr/bin/perl", X_OK) != 0) GTEST_SKIP() << "perl is needed for the timeout stub";
  temp_dir bin;
  const auto stub = bin.write("timeout",
                              "#!/usr/bin/perl\n"
                              "setpgrp(0, 0);\n"
                              "$SIG{TERM} = sub { exit 143 };\n"
                              "splice(@ARGV, 0, 3);  # -k 5 SECONDS\n"
                              "my $pid = fork();\n"
                              "if ($pid == 0) { exec @ARGV or exit 127; }\n"
                              "# Never reaps the command: this test does, to see how it ended.\n"
                              "sleep 1 while 1;\n");
  std::filesystem::permissions(stub, std::filesystem::perms::owner_all);
  auto wrapped = ssh::wrap_command("echo started $$; exec sleep 20", {}, 60s, /*watch_stdin=*/true);
  ASSERT_TRUE(wrapped);

  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  int in[2];
  int out[2];
  ASSERT_EQ(::pipe(in), 0);
  ASSERT_EQ(::pipe(out), 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_addclose(&fa, in[1]);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  const std::string path = "PATH=" + bin.path().string() + ":/usr/bin:/bin";
  const char* argv[] = {"/bin/sh", "-c", wrapped->line.c_str(), nullptr};
  const char* envp[] = {path.c_str(), nullptr};
  pid_t wrapper = -1;
  ASSERT_EQ(::posix_spawn(&wrapper, "/bin/sh", &fa, nullptr, const_cast<char* const*>(argv),
                          const_cast<char* const*>(envp)), 0);
  posix_spawn_file_actions_destroy(&fa);
  ::close(in[0]);
  ::close(out[1]);
  const std::string_view program = wrapped->stdin_preamble;
  ASSERT_EQ(::write(in[1], program.data(), program.size()), static_cast<ssize_t>(program.size()));

  // "started <pid>" says the command runs: then EOF on stdin, as rio sends to cancel.
  std::string line;
  char c = 0;
  while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
  ASSERT_TRUE(line.starts_with("started ")) << line;
  const pid_t command = static_cast<pid_t>(std::stoi(line.substr(8)));
  ::close(in[1]);

  int status = 0;
  ASSERT_EQ(::waitpid(wrapper, &status, 0), wrapper);
  // The stub timeout exited at once, so the command is this process's orphan now.
  ASSERT_EQ(::waitpid(command, &status, 0), command);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)
      << "the command was not stopped by the watchdog (it ended by itself after 20 s)";
  ::close(out[0]);
  ::prctl(PR_SET_CHILD_SUBREAPER, 0);
}

// Dropbear drops the connection when an exec string exceeds 9,000 bytes (#22): the line is a
// constant bootstrap, and everything else travels on stdin.
TEST(WrapCommand, TheLineIsAShortBootstrapWhateverTheCommand) {
  const std::string big(100 * 1024, 'x');
  auto small = ssh::wrap_command("true", {}, 10s, true);
  auto large = ssh::wrap_command("echo " + big + " >/dev/null", {{"RIO_X", big}}, 10s, true);
  ASSERT_TRUE(small);
  ASSERT_TRUE(large);
  EXPECT_EQ(small->line, large->line);
  EXPECT_LT(large->line.size(), 400u) << large->line;
  EXPECT_EQ(large->line.find("xxxx"), std::string::npos);
}

TEST(WrapCommand, ACommandRoundTripsThroughStdinWithAnyText) {
  // Quotes, backslashes, a line that looks like the end marker, no final newline.
  const std::string text = "a'b\"c\\d $HOME `x`\nrio-program-end-0\nrio-env-end\n  indented\ttab\\\nlast";
  auto wrapped = ssh::wrap_command("printf '%s' \"$1\" >/dev/null; cat <<'EOF'\n" + text + "\nEOF\nprintf end", {{"RIO_X", "1"}}, 10s);
  ASSERT_TRUE(wrapped);
  auto r = run_sh(wrapped->line, "/nonexistent", wrapped->stdin_preamble + "ignored after the environment");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, text + "\nend");
}

// The bootstrap and the environment reader must take exactly their part of stdin under every
// target shell (docs/platforms.md), or an upload's payload or the watchdog's EOF would be eaten:
// `read` takes one byte at a time from a pipe in dash, busybox sh and bash alike. Each shell runs
// the bootstrap and the program (/bin/sh replaced by it), and the command's `cat` must get the
// bytes after the environment intact.
TEST(WrapCommand, EachTargetShellLeavesThePayloadAfterTheProgramOnStdin) {
  const std::vector<std::pair<std::string, std::string>> shells{
      {"/bin/dash", "/bin/dash"}, {"/bin/busybox", "/bin/busybox sh"}, {"/bin/bash", "/bin/bash --posix"}};
  const std::string payload = "payload line 1\nrio-env-end\nrio-program-end-0\n\\no final newline";
  for (const auto& [program, shell] : shells) {
    if (::access(program.c_str(), X_OK) != 0) {
      ADD_FAILURE() << program << " is not installed (scripts/install-deps.sh --test)";
      continue;
    }
    auto wrapped = ssh::wrap_command("printf '%s|' \"$RIO_X\"; cat", {{"RIO_X", "it's\nset"}}, 10s);
    ASSERT_TRUE(wrapped);
    auto as_shell = [&](std::string text) {
      for (auto at = text.find("/bin/sh -c"); at != std::string::npos; at = text.find("/bin/sh -c", at + shell.size())) {
        text.replace(at, 7, shell);
      }
      return text;
    };
    // Through a pipe, as from sshd: on a regular file bash reads ahead and seeks back.
    temp_dir dir;
    const auto script = dir.write("line.sh", as_shell(wrapped->line));
    const auto input = dir.write("stdin.bin", as_shell(wrapped->stdin_preamble) + payload);
    const auto out = dir.path() / "out.txt";
    const std::string command = "cat " + sdk::shell_quote(input.string()) + " | " + shell + " " +
                                sdk::shell_quote(script.string()) + " >" + sdk::shell_quote(out.string());
    const int status = std::system(command.c_str());
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << shell;
    EXPECT_EQ(read_file(out), "it's\nset|" + payload) << shell;
  }
}

TEST(WrapCommand, AStdinThatEndsInsideTheProgramRunsNothing) {
  auto wrapped = ssh::wrap_command("echo ran", {}, 10s);
  ASSERT_TRUE(wrapped);
  const std::string cut = wrapped->stdin_preamble.substr(0, wrapped->stdin_preamble.size() / 2);
  auto r = run_sh(wrapped->line, "/nonexistent", cut);
  EXPECT_EQ(r.exit_code, ssh::env_missing_exit_status);
  EXPECT_EQ(r.out, "");
}

TEST(WrapCommand, TheCommandIsInNoProcessArguments) {
  // Every process the wrapper starts prints its own command line: the command's text is in none.
  auto wrapped = ssh::wrap_command("tr '\\0' ' ' </proc/$$/cmdline; tr '\\0' ' ' </proc/$PPID/cmdline; echo; "
                                   "echo canary-41d9 >/dev/null; printf 'rio_s=%s' \"${rio_s-unset}\"",
                                   {}, 10s);
  ASSERT_TRUE(wrapped);
  auto r = run_sh(wrapped->line, "/nonexistent", wrapped->stdin_preamble);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.find("canary-41d9"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rio_s=unset"), std::string::npos) << "the variable must not reach the command's children: " << r.out;
}

TEST(WrapCommand, RefusesAnInvalidEnvironmentName) {
  auto wrapped = ssh::wrap_command("true", {{"A=B", "x"}}, 1s);
  ASSERT_FALSE(wrapped);
  EXPECT_EQ(wrapped.error().code, ssh::make_error_code(ssh::errc::bad_option));
}

TEST(WrapCommand, RefusesANulByteInAValueWithoutShowingTheValue) {
  auto wrapped = ssh::wrap_command("true", {{"RIO_X", std::string{"sec\0ret", 7}}}, 1s);
  ASSERT_FALSE(wrapped);
  EXPECT_EQ(wrapped.error().message.find("sec"), std::string::npos) << wrapped.error().message;
}

TEST(UploadReceiver, WritesAFileThroughATemporaryName) {
  temp_dir home;
  auto script = ssh::upload_receiver("~/dir/file.txt", false, true, 5);
  ASSERT_TRUE(script);
  auto r = run_sh(*script, home.path().string(), "hello");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "rio-upload: ready\n");
  EXPECT_EQ(read_file(home.path() / "dir" / "file.txt"), "hello");
}

TEST(UploadReceiver, RefusesATruncatedFile) {
  temp_dir home;
  auto script = ssh::upload_receiver("~/file.txt", false, true, 10);
  auto r = run_sh(*script, home.path().string(), "short");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(std::filesystem::exists(home.path() / "file.txt"));
  EXPECT_TRUE(std::filesystem::is_empty(home.path())) << "no temporary left behind";
}

TEST(UploadReceiver, LeavesAnExistingDestinationAlone) {
  temp_dir home;
  home.write("file.txt", "operator's");
  auto script = ssh::upload_receiver("~/file.txt", false, true, 3);
  auto r = run_sh(*script, home.path().string(), "new");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "rio-upload: exists\n");
  EXPECT_EQ(read_file(home.path() / "file.txt"), "operator's");
}

TEST(UploadReceiver, UnpacksTheTarStreamOfATree) {
  temp_dir local;
  local.write("tree/a.txt", "A");
  local.write("tree/deep/er/b.txt", std::string(1500, 'b'));
  // Longer than ustar's 100-byte name field: stored through the prefix field.
  const std::string long_path = std::string(70, 'n') + "/" + std::string(70, 'o') + "/" + std::string(60, 'm') + ".txt";
  local.write("tree/" + long_path, "long name");
  std::filesystem::create_directories(local.path() / "tree" / "empty");
  auto source = ssh::upload_source::open(local.path() / "tree");
  ASSERT_TRUE(source) << source.error().message;
  std::string stream;
  std::array<char, 700> chunk{};  // an odd size, to cross block boundaries
  for (;;) {
    auto n = (*source)->read(chunk);
    ASSERT_TRUE(n) << n.error().message;
    if (*n == 0) break;
    stream.append(chunk.data(), *n);
  }
  EXPECT_EQ(stream.size() % 512, 0u);
  temp_dir home;
  auto script = ssh::upload_receiver("~/copy", true, true, 0);
  auto r = run_sh(*script, home.path().string(), stream);
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(read_file(home.path() / "copy" / "a.txt"), "A");
  EXPECT_EQ(read_file(home.path() / "copy" / "deep" / "er" / "b.txt"), std::string(1500, 'b'));
  EXPECT_EQ(read_file(home.path() / "copy" / long_path), "long name");
  EXPECT_TRUE(std::filesystem::is_directory(home.path() / "copy" / "empty"));
}

TEST(UploadSource, RefusesSymlinksInATree) {
  temp_dir local;
  local.write("tree/a.txt", "A");
  std::filesystem::create_symlink("/etc/passwd", local.path() / "tree" / "escape");
  auto source = ssh::upload_source::open(local.path() / "tree");
  ASSERT_FALSE(source);
  EXPECT_NE(source.error().message.find("escape"), std::string::npos);
}

}  // namespace
}  // namespace rio::test
