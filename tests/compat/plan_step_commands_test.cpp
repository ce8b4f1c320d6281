// Issue 16, point 5: an approval screen built on the original shows each planned step's `type`
// and `command` before a person lets a dry run's plan go ahead. rio's plan entries lacked both.
// The command is shown as it will run (options filled in and quoted), never with a secret.
#include "../http/api_test_support.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <fstream>

namespace rio::test {
namespace {

namespace json = boost::json;

// What the original's approval screen reads of each plan entry.
struct shown_step {
  std::string module;
  std::string type;
  std::string command;
};

std::vector<shown_step> steps_of(const json::object& answer) {
  std::vector<shown_step> out;
  for (const auto& entry : answer.at("plan").as_array()) {
    const auto& e = entry.as_object();
    for (const auto& step : e.at("steps").as_array()) {
      const auto& s = step.as_object();
      out.push_back({std::string{e.at("module").as_string()}, std::string{s.at("type").as_string()},
                     std::string{s.at("command").as_string()}});
    }
  }
  return out;
}

TEST(CompatPlanStepCommands, ADryRunShowsEachStepsTypeAndCommandWithOptionsFilledIn) {
  REQUIRE_SSHD();
  engine_world w;
  w.add_host();
  store_key_in_vault(w);
  api_server api{w.root(), true, std::nullopt, vault_env()};
  auto r = api.post("/api/remote/install",
                    install_body(w, engine_world::spec(w.host()), R"(["sillytavern", "ollama"])", "\"dry_run\": true"));
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json()["status"], "dry_run") << r.body;
  auto steps = steps_of(r.json());
  ASSERT_GE(steps.size(), 4u) << r.body;
  for (const auto& s : steps) {
    SCOPED_TRACE(s.module + ": " + s.command);
    EXPECT_EQ(s.type, "command");
    EXPECT_FALSE(s.command.empty());
    EXPECT_EQ(s.command.find("{{"), std::string::npos) << "every placeholder is filled in";
  }
  // The request's options are in the commands, as they will run.
  const std::string tavern_repo = w.fixtures().options.at("sillytavern").at("repo_url");
  const std::string ollama_script = w.fixtures().options.at("ollama").at("installer_url");
  auto shows = [&](const std::string& module, const std::string& text) {
    return std::any_of(steps.begin(), steps.end(), [&](const shown_step& s) {
      return s.module == module && s.command.find(text) != std::string::npos;
    });
  };
  EXPECT_TRUE(shows("sillytavern", tavern_repo)) << r.body;
  EXPECT_TRUE(shows("sillytavern", "'release'")) << "the ref option, quoted: " << r.body;
  EXPECT_TRUE(shows("ollama", ollama_script)) << r.body;
  const json::object answer = r.json();
  for (const auto& entry : answer.at("plan").as_array()) {
    for (const auto& sync : entry.at("config_sync").as_array()) EXPECT_EQ(sync.at("type"), "sync");
  }
}

TEST(CompatPlanStepCommands, APasswordInAUrlOptionIsMaskedInTheShownCommand) {
  REQUIRE_SSHD();
  engine_world w;
  w.add_host();
  store_key_in_vault(w);
  // The operator's private mirror, with its credential in the URL (config/rio.json is theirs).
  const std::string mirror = "https://rio:PLAN-CANARY-PW@mirror.lab/git/";
  std::ofstream{w.root() / "config" / "rio.json"} << "{\"allowed_sources\": [\"" << mirror << "\"]}\n";
  api_server api{w.root(), true, std::nullopt, vault_env()};
  const std::string body = "{\"host\": \"" + engine_world::spec(w.host()) +
                           "\", \"modules\": [\"ollama\"], \"dry_run\": true, \"secrets\": {\"provider\": "
                           "\"remote_installer\"}, \"options\": {\"ollama\": {\"installer_url\": \"" + mirror +
                           "install.sh\"}}}";
  auto r = api.post("/api/remote/install", body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find("PLAN-CANARY-PW"), std::string::npos) << r.body;
  auto steps = steps_of(r.json());
  EXPECT_TRUE(std::any_of(steps.begin(), steps.end(), [](const shown_step& s) {
    return s.command.find("mirror.lab/git/install.sh") != std::string::npos;
  })) << r.body;
}

}  // namespace
}  // namespace rio::test
