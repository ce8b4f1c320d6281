// Issue 16, point 2: a host-level failure (unreachable, authentication refused) left the manifest
// with no module records, only last_run.error, so the specification's recovery step 1 ("inspect
// the status manifest to identify failing modules") found nothing. Every requested module is now
// recorded failed, with failed_at and the reason, and what an earlier run recorded stays.
#include "../http/api_test_support.hpp"

namespace rio::test {
namespace {

namespace json = boost::json;

const json::object& module_of(const json::object& status_answer, const char* id) {
  return status_answer.at("status").as_object().at("modules").as_object().at(id).as_object();
}

TEST(CompatHostFailureRecords, AnUnreachableHostRecordsEveryRequestedModuleFailedAndKeepsTheEarlierInstall) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  store_key_in_vault(w);
  api_server api{w.root(), true, std::nullopt, vault_env()};
  const std::string spec = engine_world::spec(h);
  auto first = api.post("/api/remote/install", install_body(w, spec, R"(["ollama"])"));
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(first.json()["status"], "installed") << first.body;
  const auto before = api.get("/api/remote/status?host=" + spec).json();
  const auto installed_at = module_of(before, "ollama").at("installed_at");

  h.stop();
  auto second = api.post("/api/remote/install", install_body(w, spec, R"(["ollama", "comfyui"])"));
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(second.json()["status"], "failed") << second.body;

  // What the original's client reads: status.modules.<id>.state, failed_at and error.
  auto status = api.get("/api/remote/status?host=" + spec);
  ASSERT_EQ(status.status, 200) << status.body;
  const auto after = status.json();
  for (const char* id : {"ollama", "comfyui"}) {
    const auto& m = module_of(after, id);
    EXPECT_EQ(m.at("state"), "failed") << id << ": " << status.body;
    ASSERT_TRUE(m.contains("failed_at")) << id;
    EXPECT_FALSE(m.at("failed_at").as_string().empty()) << id;
    EXPECT_NE(std::string{m.at("error").as_string()}.find("cannot connect"), std::string::npos) << id << ": " << status.body;
  }
  EXPECT_EQ(module_of(after, "ollama").at("installed_at"), installed_at) << "the earlier install stays on record";
  EXPECT_FALSE(module_of(after, "comfyui").contains("installed_at"));
}

TEST(CompatHostFailureRecords, ARefusedLoginRecordsTheModulesFailedWithTheReason) {
  REQUIRE_SSHD();
  engine_world w;
  w.add_host();
  w.add_host();
  store_key_in_vault(w, 1);  // the other host's key: host 0 refuses it
  api_server api{w.root(), true, std::nullopt, vault_env()};
  const std::string spec = engine_world::spec(w.host(0));
  auto r = api.post("/api/remote/install", install_body(w, spec, R"(["ollama"])"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["status"], "failed") << r.body;
  const auto status = api.get("/api/remote/status?host=" + spec).json();
  const auto& m = module_of(status, "ollama");
  EXPECT_EQ(m.at("state"), "failed");
  EXPECT_NE(std::string{m.at("error").as_string()}.find("authentication"), std::string::npos) << m;
}

}  // namespace
}  // namespace rio::test
