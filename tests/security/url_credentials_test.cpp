// Security regressions (issue 26, point 8): a password or token in a URL option
// (`https://user:PASSWD@...`, `https://TOKEN@host`) appeared in clear in `plan --json`, in API
// responses and in GET /runs/{id}. The logs already masked them; now every result does.
#include "../http/api_test_support.hpp"

#include <rio/kernel/engine/engine_json.hpp>
#include <rio/kernel/engine/redactor.hpp>

namespace rio::test {
namespace {

namespace engine = kernel::engine;

constexpr const char* password = "pw-7c1e-s3cret";
constexpr const char* token = "ghp_tok9d2e7f00s3cret";

TEST(SecurityUrlCredentials, PasswordsAndTokensInUrlsAreMasked) {
  const engine::redactor r;
  EXPECT_EQ(r.apply("git clone https://bob:" + std::string{password} + "@git.example/x.git"),
            "git clone https://bob:[redacted]@git.example/x.git");
  EXPECT_EQ(r.apply("https://" + std::string{token} + "@github.com/org/repo.git"), "https://[redacted]@github.com/org/repo.git");
  // An unencoded '@' in the password: the user information ends at the last '@'.
  EXPECT_EQ(r.apply("https://bob:p@ss@host.example/"), "https://bob:[redacted]@host.example/");
  EXPECT_EQ(r.apply("\"https://" + std::string{token} + "@h/a\" and http://x:y@h2"), "\"https://[redacted]@h/a\" and http://x:[redacted]@h2");
  // An account name in an ssh URL is no credential; an e-mail address is no URL.
  EXPECT_EQ(r.apply("ssh://git@github.com/org/repo.git"), "ssh://git@github.com/org/repo.git");
  EXPECT_EQ(r.apply("mail ops@lab.example, see https://docs.example/a@b"), "mail ops@lab.example, see https://docs.example/a@b");
}

// What a dry run returns to the CLI and the API: the plan's options echo the URL given.
TEST(SecurityUrlCredentials, ResultJsonNeverCarriesThem) {
  engine::host_result r;
  r.host = "gpu1";
  r.status = "dry_run";
  engine::module_plan p;
  p.id = "comfyui";
  p.options["repo_url"] = "https://bob:" + std::string{password} + "@mirror.example/ComfyUI.git";
  p.options["torch_index_url"] = "https://" + std::string{token} + "@wheels.example/simple";
  p.reason = "could not detect (fatal: could not read from https://bob:" + std::string{password} + "@mirror.example)";
  r.plan.push_back(p);
  r.error = "cannot fetch https://" + std::string{token} + "@wheels.example";
  r.failure = engine::host_failure::unreachable;
  for (const auto& doc : {boost::json::serialize(engine::host_result_json(r)),
                          boost::json::serialize(engine::fleet_result_json({r}, "run-1"))}) {
    EXPECT_EQ(doc.find(password), std::string::npos) << doc;
    EXPECT_EQ(doc.find(token), std::string::npos) << doc;
    EXPECT_NE(doc.find("https://bob:[redacted]@mirror.example/ComfyUI.git"), std::string::npos) << doc;
  }
}

// The attack end to end: `rio serve` with an operator-allowed mirror whose URL carries
// credentials, a dry run naming it, then the synchronous answer and GET /runs/{id}; and the CLI's
// `plan --json`. The host is a closed loopback port: nothing needs to connect.
TEST(SecurityUrlCredentials, NeitherTheApiNorPlanJsonShowsThem) {
  temp_dir root;
  const std::string mirror = "https://bob:" + std::string{password} + "@mirror.example/";
  const std::string wheels = "https://" + std::string{token} + "@wheels.example/";
  root.write("config/rio.json", "{\"allowed_sources\": [\"" + mirror + "\", \"" + wheels + "\"]}\n");
  const std::string options = "{\"comfyui\": {\"repo_url\": \"" + mirror + "ComfyUI.git\", \"torch_index_url\": \"" + wheels + "simple\"}}";
  {
    api_server api{root.path()};
    auto r = api.post("/api/remote/install", "{\"host\": \"127.0.0.1:1\", \"modules\": [\"comfyui\"], \"dry_run\": true, "
                                             "\"ssh\": {\"user\": \"root\"}, \"options\": " + options + "}");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body.find(password), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find(token), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("[redacted]"), std::string::npos) << "the options are still shown, masked: " << r.body;
    const std::string id{r.json()["run_id"].as_string()};
    auto run = api.get("/api/remote/runs/" + id);
    ASSERT_EQ(run.status, 200) << run.body;
    EXPECT_EQ(run.body.find(password), std::string::npos) << run.body;
    EXPECT_EQ(run.body.find(token), std::string::npos) << run.body;
    auto events = api.get("/api/remote/runs/" + id + "/events");
    EXPECT_EQ(events.body.find(password), std::string::npos) << events.body;
    EXPECT_EQ(events.body.find(token), std::string::npos) << events.body;
  }
  auto plan = run_cli({"--root", root.path().string(), "--plugin-dir", RIO_TEST_PLUGIN_DIR, "plan", "root@127.0.0.1:1", "-m",
                       "comfyui", "--set", "comfyui.repo_url=" + mirror + "ComfyUI.git", "--set",
                       "comfyui.torch_index_url=" + wheels + "simple", "--json"},
                      {{"HOME", root.path().string()}});
  EXPECT_NE(plan.out.find("[redacted]"), std::string::npos) << plan.out << plan.err;
  EXPECT_EQ(plan.out.find(password), std::string::npos) << plan.out;
  EXPECT_EQ(plan.out.find(token), std::string::npos) << plan.out;
  EXPECT_EQ(plan.err.find(password), std::string::npos) << plan.err;
}

}  // namespace
}  // namespace rio::test
