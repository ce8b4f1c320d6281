// `rio vault ...`: in-process through run_cli (injected env, values from --value-file), and as a
// real child process for what needs stdin or real environment variables.
#include "exec_child.hpp"
#include <rio/kernel/cli.hpp>

#include "cli_runner.hpp"
#include "vault_test_support.hpp"

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sstream>

namespace rio::test {
namespace {

namespace json = boost::json;
// The real binary with exactly `env` as its environment and `input` on stdin.
cli_run run_process(const std::vector<std::string>& args, const env_map& env, const std::string& input) {
  temp_dir io_dir;
  const auto out_file = io_dir.path() / "out";
  const auto err_file = io_dir.path() / "err";
  int in[2];
  if (::pipe(in) != 0) return {-1, "", "pipe failed"};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::close(in[1]);
    ::dup2(::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600), 1);
    ::dup2(::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600), 2);
    exec_child(RIO_TEST_RIO_EXE, args, env);
  }
  ::close(in[0]);
  if (!input.empty() && ::write(in[1], input.data(), input.size()) != static_cast<ssize_t>(input.size())) {
    ::close(in[1]);
  }
  ::close(in[1]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out_file), read_file(err_file)};
}

std::vector<std::string> with_root(const temp_dir& root, std::vector<std::string> args) {
  args.insert(args.begin(), {"--root", root.path().string()});
  return args;
}

TEST(VaultCli, InitSetGetListFlow) {
  temp_dir root;
  auto init = run_cli(with_root(root, {"vault", "init"}));
  ASSERT_EQ(init.code, 0) << init.err;
  EXPECT_NE(init.out.find("generated key file"), std::string::npos);
  auto value = root.write("value.txt", "hunter2-value\n");
  auto set = run_cli(with_root(root, {"vault", "set", "remote_installer", "hosts", "gpu.lab.local", "passphrase",
                                  "--value-file", value.string()}));
  ASSERT_EQ(set.code, 0) << set.err;
  auto port = root.write("port.txt", "22\n");
  ASSERT_EQ(run_cli(with_root(root, {"vault", "set", "remote_installer", "defaults", "port", "--json", "--value-file",
                                 port.string()}))
                .code,
            0);

  auto get = run_cli(with_root(root, {"vault", "get", "remote_installer"}));
  ASSERT_EQ(get.code, 0) << get.err;
  EXPECT_NE(get.out.find("gpu.lab.local"), std::string::npos);
  EXPECT_NE(get.out.find("passphrase = <hidden>"), std::string::npos);
  EXPECT_EQ(get.out.find("hunter2-value"), std::string::npos);
  auto shown = run_cli(with_root(root, {"vault", "get", "remote_installer", "--show-values"}));
  EXPECT_NE(shown.out.find("\"hunter2-value\""), std::string::npos);
  EXPECT_NE(shown.out.find("port = 22"), std::string::npos);

  auto as_json = json::parse(run_cli(with_root(root, {"vault", "get", "remote_installer", "--json"})).out).as_object();
  EXPECT_EQ(as_json.at("stored_keys"), json::parse(R"(["defaults","hosts"])"));
  EXPECT_FALSE(as_json.contains("values"));
  auto list = run_cli(with_root(root, {"vault", "list", "--json"}));
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_EQ(json::parse(list.out).at("providers").at(0).at("provider"), "remote_installer");
  EXPECT_EQ(list.out.find("hunter2"), std::string::npos);

  EXPECT_EQ(run_cli(with_root(root, {"vault", "unset", "remote_installer", "defaults"})).code, 0);
  EXPECT_EQ(run_cli(with_root(root, {"vault", "get", "nobody"})).code, 1);
}

TEST(VaultCli, SetReadsStdinAndGetShowsEnvOverrides) {
  temp_dir root;
  const env_map env{{"COMFYVN_SECRET_REMOTE_INSTALLER_USER", "env-user"},
                    {"COMFYVN_SECRET_REMOTE_INSTALLER_INSTALLER_PORT", "1"}};
  auto set = run_process(with_root(root, {"vault", "set", "remote_installer", "token"}), env, "stdin-s3cret\n");
  ASSERT_EQ(set.code, 0) << set.err;
  EXPECT_EQ(set.out.find("stdin-s3cret"), std::string::npos);
  auto get = run_process(with_root(root, {"vault", "get", "remote_installer", "--show-values"}), env, "");
  ASSERT_EQ(get.code, 0) << get.err;
  EXPECT_NE(get.out.find("token = \"stdin-s3cret\""), std::string::npos) << get.out;  // newline stripped
  EXPECT_NE(get.out.find("user = \"env-user\"  [environment override]"), std::string::npos) << get.out;
  // Provider "remote" does not capture remote_installer's variables.
  auto remote = run_process(with_root(root, {"vault", "get", "remote", "--json"}), env, "");
  EXPECT_EQ(json::parse(remote.out).at("override_keys"), json::array{}) << remote.out;
  auto empty = run_process(with_root(root, {"vault", "set", "remote_installer", "token"}), env, "");
  EXPECT_EQ(empty.code, 1);
  EXPECT_NE(empty.err.find("empty"), std::string::npos);
}

TEST(VaultCli, RotateWithAnEnvKeyPrintsTheNewKeyOnceWithAWarning) {
  temp_dir root;
  const env_map env{{"COMFYVN_SECRETS_KEY", test_key_hex}};
  ASSERT_EQ(run_cli(with_root(root, {"vault", "init"}), env).code, 0);
  auto r = run_cli(with_root(root, {"vault", "rotate"}), env);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("WARNING: COMFYVN_SECRETS_KEY no longer opens the vault"), std::string::npos);
  EXPECT_NE(r.err.find("comfyvn.secrets.key.pending"), std::string::npos);
  std::string key = r.out.substr(0, r.out.find('\n'));
  EXPECT_EQ(key.size(), 44u);
  EXPECT_EQ(r.err.find(key), std::string::npos);
  EXPECT_EQ(read_file(root.path() / "logs" / "security.log").find(key), std::string::npos);
  auto stale = run_cli(with_root(root, {"vault", "list"}), env);
  EXPECT_EQ(stale.code, 0);
  EXPECT_NE(stale.err.find("stale"), std::string::npos);
  EXPECT_EQ(run_cli(with_root(root, {"vault", "list"}), {{"COMFYVN_SECRETS_KEY", key}}).err, "");
}

TEST(VaultCli, HelpForEverySubcommand) {
  for (const char* sub : {"init", "set", "get", "list", "unset", "rotate", "import-legacy"}) {
    auto help = run_cli({"vault", "help", sub});
    EXPECT_EQ(help.code, 0);
    EXPECT_EQ(help.out.rfind(std::string{"rio vault "} + sub, 0), 0u) << help.out;
    auto flag = run_cli({"vault", sub, "--help"});
    EXPECT_EQ(flag.code, 0);
    EXPECT_NE(flag.out.find(std::string{"rio vault "} + sub), std::string::npos);
  }
  EXPECT_NE(run_cli({"--help"}).out.find("vault <subcommand>"), std::string::npos);
  EXPECT_NE(run_cli({"vault", "help", "get"}).out.find("--show-values"), std::string::npos);
}

TEST(VaultCli, UsageErrorsExitWithTwoAndFailuresWithOne) {
  temp_dir root;
  EXPECT_EQ(run_cli(with_root(root, {"vault"})).code, 2);
  EXPECT_EQ(run_cli(with_root(root, {"vault", "frobnicate"})).code, 2);
  EXPECT_EQ(run_cli(with_root(root, {"vault", "set", "p"})).code, 2);
  EXPECT_EQ(run_cli(with_root(root, {"vault", "get", "p", "--values"})).code, 2);
  EXPECT_EQ(run_cli(with_root(root, {"vault", "set", "p", "f", "--value-file"})).code, 2);
  ASSERT_EQ(run_cli(with_root(root, {"vault", "init"}), {{"COMFYVN_SECRETS_KEY", test_key_hex}}).code, 0);
  auto wrong = run_cli(with_root(root, {"vault", "list"}), {{"COMFYVN_SECRETS_KEY", other_key_hex}});
  EXPECT_EQ(wrong.code, 1);
  EXPECT_NE(wrong.err.find("wrong key"), std::string::npos);
}

TEST(VaultCli, ImportLegacy) {
  temp_dir root;
  root.write("comfyvn.secrets.json", python_plaintext);
  auto r = run_cli(with_root(root, {"vault", "import-legacy"}));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("imported 2 provider(s) (openai, remote_installer)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("removed legacy file"), std::string::npos);
  EXPECT_EQ(run_cli(with_root(root, {"vault", "import-legacy"})).code, 1);
}

}  // namespace
}  // namespace rio::test
