// A planted secret never leaves rio: credentials from the vault and a secret remote env value
// are used by full runs (one failing with the secret in its stderr, one succeeding), and no log
// file, status manifest, CLI output or error message contains any of them.
#include "engine_test_support.hpp"

#include <sstream>

namespace rio::test {
namespace {


std::vector<std::string> key_lines(const std::string& pem) {
  std::vector<std::string> out;
  std::istringstream in{pem};
  for (std::string line; std::getline(in, line);) {
    if (line.size() >= 16 && line.find("-----") == std::string::npos) out.push_back(line);
  }
  return out;
}

TEST(EngineCanary, NoSecretReachesLogsManifestsOutputOrErrors) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  const std::string key_text = read_file(h.user_key());
  const std::string passphrase = "canary-passphrase-7f3a9c";
  const std::string token = "canary-token-b81e44d0";
  std::vector<std::string> canaries{passphrase, token};
  for (const auto& l : key_lines(key_text)) canaries.push_back(l);
  ASSERT_GE(canaries.size(), 4u);

  const env_map env{{"COMFYVN_SECRETS_KEY", std::string(64, 'a')}};
  std::vector<cli_run> runs;
  auto rio = [&](std::vector<std::string> a) {
    a.insert(a.begin(), {"--root", w.root().string(), "--plugin-dir", RIO_TEST_PLUGIN_DIR});
    runs.push_back(w.run(a, env));
    return runs.back();
  };
  auto key_file = w.scratch() / "key.txt";
  auto pass_file = w.scratch() / "pass.txt";
  { std::ofstream{key_file} << key_text; }
  { std::ofstream{pass_file} << passphrase; }
  ASSERT_EQ(rio({"vault", "init"}).code, 0) << runs.back().err;
  ASSERT_EQ(rio({"vault", "set", "remote_installer", "hosts", "127.0.0.1", "private_key", "--value-file", key_file.string()}).code, 0)
      << runs.back().err;
  ASSERT_EQ(rio({"vault", "set", "remote_installer", "defaults", "passphrase", "--value-file", pass_file.string()}).code, 0);
  fs::remove(key_file);
  fs::remove(pass_file);

  // A python stand-in that prints the secret env value on both streams and fails the first time.
  const std::string real = w.fixtures().options.at("comfyui").at("python");
  auto leaky = w.scratch() / "leaky-python";
  {
    std::ofstream f{leaky};
    f << "#!/bin/sh\necho \"HF_TOKEN=$HF_TOKEN\"\necho \"using token $HF_TOKEN\" >&2\n"
      << "if [ \"$1\" = -m ] && [ \"$2\" = venv ] && [ ! -e \"$HOME/.second-try\" ]; then touch \"$HOME/.second-try\"; exit 3; fi\n"
      << "exec '" << real << "' \"$@\"\n";
  }
  fs::permissions(leaky, fs::perms::owner_all);

  std::vector<std::string> install{"install", engine_world::spec(h), "-m", "comfyui,ollama", "--secrets", "remote_installer",
                                   "--env", "HF_TOKEN=" + token, "--no-progress"};
  for (const auto& [module, values] : w.fixtures().options) {
    for (const auto& [k, v] : values) install.insert(install.end(), {"--set", module + "." + k + "=" + v});
  }
  install.insert(install.end(), {"--set", "comfyui.python=" + leaky.string()});
  auto as_json = [](std::vector<std::string> a) {
    a.emplace_back("--json");
    return a;
  };

  auto failed = rio(as_json(install));
  EXPECT_EQ(failed.code, 1) << failed.err << failed.out;
  EXPECT_NE(failed.out.find("[redacted]"), std::string::npos) << "the failing step's stderr was kept, redacted: " << failed.out;
  auto ok = rio(install);
  EXPECT_EQ(ok.code, 0) << ok.err << ok.out;
  rio({"status", engine_world::spec(h)});
  rio({"status", "--json"});
  std::vector<std::string> plan = install;
  plan[0] = "plan";
  rio(as_json(plan));
  rio({"vault", "get", "remote_installer"});
  // An error message that names the provider and the field, never the value.
  auto bad = rio({"install", engine_world::spec(h), "-m", "comfyui", "--secrets", "remote_instaler"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("remote_instaler"), std::string::npos);

  // The remote side did see the token (so the test is not vacuous)...
  EXPECT_TRUE(fs::exists(h.home() / ".second-try"));
  std::string everything;
  for (const auto& r : runs) everything += r.out + "\n" + r.err + "\n";
  for (const auto& entry : fs::recursive_directory_iterator{w.root()}) {
    if (!entry.is_regular_file()) continue;
    if (entry.path().filename() == "comfyvn.secrets.json") continue;  // the encrypted vault itself
    everything += read_file(entry.path()) + "\n";
  }
  // ...and the logs did record the step's output, with the token masked.
  EXPECT_NE(everything.find("HF_TOKEN=[redacted]"), std::string::npos);
  for (const auto& c : canaries) EXPECT_EQ(everything.find(c), std::string::npos) << "leaked: " << c.substr(0, 12) << "...";
}

}  // namespace
}  // namespace rio::test
