// Usage errors point at the command's help and suggest what was probably meant.
#include <rio/kernel/cli.hpp>

#include "../../kernel/cli/src/cli_options.hpp"
#include "../../kernel/cli/src/suggest.hpp"
#include "cli_runner.hpp"
#include "temp_dir.hpp"

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include <sstream>

namespace rio::test {
namespace {

namespace json = boost::json;

TEST(CliGuidance, EditDistanceCountsATranspositionAsOne) {
  using kernel::cli_detail::edit_distance;
  EXPECT_EQ(edit_distance("plan", "plan"), 0u);
  EXPECT_EQ(edit_distance("paln", "plan"), 1u);
  EXPECT_EQ(edit_distance("PLAN", "plan"), 0u);
  EXPECT_EQ(edit_distance("instal", "install"), 1u);
  EXPECT_EQ(kernel::cli_detail::nearest("frobnicate", {"plan", "install", "status"}), "");
  EXPECT_EQ(kernel::cli_detail::nearest("stauts", {"plan", "install", "status"}), "status");
}

TEST(CliGuidance, UnknownCommandSuggestsTheNearest) {
  auto r = run_cli({"instal", "host"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown command 'instal' (did you mean 'install'?)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Try 'rio --help'."), std::string::npos) << r.err;
}

TEST(CliGuidance, UnknownOptionSuggestsTheNearestAndPointsAtTheCommandHelp) {
  auto r = run_cli({"plan", "host.invalid", "-m", "comfyui", "--paralel", "3"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("rio: plan: unknown option '--paralel' (did you mean '--parallel'?)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Try 'rio help plan'."), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("rio --help"), std::string::npos) << r.err;
  auto status = run_cli({"status", "--jsno"});
  EXPECT_EQ(status.code, 2);
  EXPECT_NE(status.err.find("did you mean '--json'?"), std::string::npos) << status.err;
  EXPECT_NE(status.err.find("Try 'rio help status'."), std::string::npos) << status.err;
  auto global = run_cli({"--plugin-dri", "x", "modules"});
  EXPECT_EQ(global.code, 2);
  EXPECT_NE(global.err.find("did you mean '--plugin-dir'?"), std::string::npos) << global.err;
}

TEST(CliGuidance, UnknownModuleSuggestsTheNearestLoadedOne) {
  auto r = run_cli({"plan", "host.invalid", "-m", "comfyiu"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown module 'comfyiu' (did you mean 'comfyui'?)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Try 'rio help plan'."), std::string::npos) << r.err;
  auto set = run_cli({"plan", "host.invalid", "-m", "all", "--set", "olama.version=1"});
  EXPECT_NE(set.err.find("did you mean 'ollama'?"), std::string::npos) << set.err;
}

TEST(CliGuidance, LimitMatchingNothingSuggestsTheNearestGroupOrHost) {
  temp_dir dir;
  auto inventory = dir.write("hosts.ini", "[gpus]\ngpu1.invalid\ngpu2.invalid\n[cpus]\ncpu1.invalid\n");
  auto r = run_cli({"plan", "-i", inventory.string(), "--limit", "gpu", "-m", "comfyui"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("matches no host or group"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean 'gpus'?"), std::string::npos) << r.err;
  auto host = run_cli({"plan", "-i", inventory.string(), "--limit", "gpus,cpu1.invalidd", "-m", "comfyui"});
  EXPECT_NE(host.err.find("did you mean 'cpu1.invalid'?"), std::string::npos) << host.err;
}

TEST(CliGuidance, DoubleDashEndsOptions) {
  using kernel::cli_detail::parse_options;
  const kernel::cli_option table[] = {{.long_name = "--json"}, {.long_name = "--modules", .short_name = 'm', .value_name = "LIST",
                                                                .repeatable = true, .kind = kernel::value_kind::module}};
  const std::vector<std::string> args{"-m", "a", "--modules=b", "-mc", "--", "--json", "-m"};
  auto p = parse_options(table, args);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->all("--modules"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_FALSE(p->has("--json"));
  EXPECT_EQ(p->positional, (std::vector<std::string>{"--json", "-m"}));
  // Through the CLI: after --, a leading dash is an operand (here a module id), not an option.
  auto r = run_cli({"modules", "--", "--json"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no module '--json'"), std::string::npos) << r.err;
  auto plan = run_cli({"plan", "-m", "comfyui", "--", "-weird"});
  EXPECT_EQ(plan.err.find("unknown option"), std::string::npos) << plan.err;
}

TEST(CliGuidance, OptionErrorsNameTheOption) {
  using kernel::cli_detail::parse_options;
  const kernel::cli_option table[] = {{.long_name = "--json"}, {.long_name = "--port", .value_name = "N", .kind = kernel::value_kind::text}};
  auto missing = parse_options(table, std::vector<std::string>{"--port"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "--port needs a value (N)");
  auto twice = parse_options(table, std::vector<std::string>{"--port", "1", "--port=2"});
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("--port given twice"), std::string::npos);
  auto flag = parse_options(table, std::vector<std::string>{"--json=yes"});
  ASSERT_FALSE(flag);
  EXPECT_EQ(flag.error().message, "--json takes no value");
}

TEST(CliGuidance, VaultUsageErrorsPointAtTheSubcommandHelp) {
  temp_dir root;
  auto r = run_cli({"--root", root.path().string(), "vault", "get", "p", "--values"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("Try 'rio help vault get'."), std::string::npos) << r.err;
  auto help = run_cli({"help", "vault", "get"});
  EXPECT_EQ(help.code, 0);
  EXPECT_EQ(help.out.rfind("rio vault get", 0), 0u) << help.out;
  auto sub = run_cli({"--root", root.path().string(), "vault", "lst"});
  EXPECT_EQ(sub.code, 2);
  EXPECT_NE(sub.err.find("did you mean 'list'?"), std::string::npos) << sub.err;
}

TEST(CliGuidance, VaultSaysHowToCreateOrUnlockIt) {
  temp_dir root;
  auto get = run_cli({"--root", root.path().string(), "vault", "get", "remote_installer"});
  EXPECT_EQ(get.code, 1);
  EXPECT_NE(get.err.find("create one with `rio vault init`"), std::string::npos) << get.err;
  auto list = run_cli({"--root", root.path().string(), "vault", "list"});
  EXPECT_NE(list.err.find("rio vault init"), std::string::npos) << list.err;

  const env_map with_key{{"COMFYVN_SECRETS_KEY", std::string(64, 'a')}};
  ASSERT_EQ(run_cli({"--root", root.path().string(), "vault", "init"}, with_key).code, 0);
  auto locked = run_cli({"--root", root.path().string(), "vault", "list"});
  EXPECT_EQ(locked.code, 1);
  EXPECT_NE(locked.err.find("COMFYVN_SECRETS_KEY"), std::string::npos) << locked.err;
  auto wrong = run_cli({"--root", root.path().string(), "vault", "list"}, {{"COMFYVN_SECRETS_KEY", std::string(64, 'b')}});
  EXPECT_EQ(wrong.code, 1);
  EXPECT_NE(wrong.err.find("give it the key or passphrase the vault was sealed with"), std::string::npos) << wrong.err;
  EXPECT_NE(wrong.err.find("comfyvn.secrets.key"), std::string::npos) << wrong.err;
  EXPECT_EQ(wrong.err.find(std::string(64, 'b')), std::string::npos) << "never the key itself";

  temp_dir fresh;
  auto value = fresh.write("value", "v\n");
  auto set = run_cli({"--root", fresh.path().string(), "vault", "set", "p", "f", "--value-file", value.string()});
  EXPECT_EQ(set.code, 0) << set.err;
  EXPECT_NE(set.err.find("rio: created"), std::string::npos) << set.err;
}

TEST(CliModules, DescribesOneModuleInText) {
  auto r = run_cli({"modules", "comfyui"});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* part : {"comfyui: ComfyUI", "Options (--set comfyui.NAME=VALUE):", "Install steps", "Detect probes",
                           "Config sync", "Requirements:", "disk", "tools"}) {
    EXPECT_NE(r.out.find(part), std::string::npos) << part << "\n" << r.out;
  }
  for (const auto& line : [&] {
         std::vector<std::string> v;
         std::istringstream in{r.out};
         for (std::string l; std::getline(in, l);) v.push_back(l);
         return v;
       }()) {
    EXPECT_LE(line.size(), 100u) << line;
  }
}

TEST(CliModules, DescribesOneModuleAsJson) {
  auto r = run_cli({"modules", "comfyui", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto doc = json::parse(r.out).as_object();
  EXPECT_EQ(doc.at("id"), "comfyui");
  for (const char* key : {"options", "install_steps", "detect_steps", "config_sync", "requirements", "version"}) {
    EXPECT_TRUE(doc.contains(key)) << key;
  }
  EXPECT_TRUE(doc.at("requirements").as_object().contains("disk_mib"));
  EXPECT_TRUE(doc.at("options").as_array().at(0).as_object().contains("default"));
}

TEST(CliModules, UnknownIdSuggestsTheNearest) {
  auto r = run_cli({"modules", "olama"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no module 'olama' (did you mean 'ollama'?)"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace rio::test
