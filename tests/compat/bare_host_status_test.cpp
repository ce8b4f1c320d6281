// Issue 16, point 4: after an install on a port other than 22, the original's client asks for the
// host's status by its bare name (`GET /api/remote/status?host=<host>`) and got nothing back,
// because rio's manifest carries the port in its file name.
#include "../http/api_test_support.hpp"

namespace rio::test {
namespace {

namespace json = boost::json;

std::string installed_state(const json::object& status_answer, const char* module) {
  const auto& modules = status_answer.at("status").as_object().at("modules").as_object();
  auto it = modules.find(module);
  return it == modules.end() ? "" : std::string{it->value().as_object().at("state").as_string()};
}

TEST(CompatBareHostStatus, ABareHostFindsTheManifestOfTheOnePortItWasInstalledOn) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  ASSERT_NE(h.target().port, 22);
  store_key_in_vault(w);
  api_server api{w.root(), true, std::nullopt, vault_env()};
  auto install = api.post("/api/remote/install", install_body(w, engine_world::spec(h), R"(["ollama"])"));
  ASSERT_EQ(install.status, 200) << install.body;
  ASSERT_EQ(install.json()["status"], "installed") << install.body;

  auto bare = api.get("/api/remote/status?host=" + h.target().host);
  ASSERT_EQ(bare.status, 200) << bare.body;
  EXPECT_EQ(bare.json()["host"], json::value(h.target().host));
  EXPECT_EQ(installed_state(bare.json(), "ollama"), "installed") << bare.body;
  EXPECT_EQ(bare.json()["status_path"], install.json()["status_path"]);
}

TEST(CompatBareHostStatus, SeveralPortsAreNamedInsteadOfGuessed) {
  REQUIRE_SSHD();
  engine_world w;
  auto& a = w.add_host();
  auto& b = w.add_host();
  api_server api{w.root(), true, std::nullopt, vault_env()};
  // Two sshd on 127.0.0.1, each with its own key: the vault holds the one for the next install.
  for (std::size_t i = 0; i < 2; ++i) {
    store_key_in_vault(w, i);
    auto r = api.post("/api/remote/install", install_body(w, engine_world::spec(w.host(i)), R"(["ollama"])"));
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(r.json()["status"], "installed") << r.body;
  }
  auto bare = api.get("/api/remote/status?host=127.0.0.1");
  ASSERT_EQ(bare.status, 409) << bare.body;
  auto o = bare.json();
  EXPECT_EQ(o["field"], "host");
  std::vector<std::uint16_t> expected{a.target().port, b.target().port};
  std::sort(expected.begin(), expected.end());
  ASSERT_EQ(o["ports"].as_array().size(), 2u) << bare.body;
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(o["ports"].as_array()[i], json::value(expected[i]));
    EXPECT_NE(bare.body.find("127.0.0.1:" + std::to_string(expected[i])), std::string::npos) << bare.body;
  }
  // Each port, asked for, answers as before.
  auto one = api.get("/api/remote/status?host=127.0.0.1:" + std::to_string(a.target().port));
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(installed_state(one.json(), "ollama"), "installed");
}

TEST(CompatBareHostStatus, ANeverSeenBareHostStillAnswersWithAnEmptyManifest) {
  temp_dir root;
  api_server api{root.path()};
  auto r = api.get("/api/remote/status?host=never.seen");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["status"].as_object()["modules"].as_object().size(), 0u);
}

}  // namespace
}  // namespace rio::test
