// Issue 16, point 6: the specification says COMFYVN_SECRET_REMOTE_INSTALLER_<FIELD> overrides
// fields at runtime, and in the original the environment beats `hosts.<key>` values too. A client
// that relied on it (one user for every host, set in the server's environment) must connect as
// that user even when a host block in the vault names another.
#include "../http/api_test_support.hpp"

namespace rio::test {
namespace {

// The vault names a user that does not exist on the host, for that host's block.
void store_wrong_host_user(engine_world& w) {
  auto file = w.scratch() / "user-input";
  std::ofstream{file} << "no-such-user\n";
  auto set = w.run({"--root", w.root().string(), "vault", "set", "remote_installer", "hosts", w.host(0).target().host, "user",
                    "--value-file", file.string()},
                   vault_env());
  ASSERT_EQ(set.code, 0) << set.err;
}

std::string body_without_user(engine_world& w) {
  const auto t = w.host(0).target();
  return install_body(w, t.host + ":" + std::to_string(t.port), R"(["ollama"])");
}

// The vault reads COMFYVN_SECRET_* names from the process environment (a lookup function cannot
// be listed), taking each value through the server's lookup: the variable must be in both, as it
// is for `rio serve`. Removed again when the test ends.
class process_variable {
 public:
  process_variable(const char* name, const std::string& value) : name_(name) { ::setenv(name, value.c_str(), 1); }
  ~process_variable() { ::unsetenv(name_); }
  process_variable(const process_variable&) = delete;
  process_variable& operator=(const process_variable&) = delete;

 private:
  const char* name_;
};

TEST(CompatEnvOverride, AnOverrideInTheServersEnvironmentBeatsAHostBlock) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  store_key_in_vault(w);
  store_wrong_host_user(w);
  env_map env = vault_env();
  env.emplace("COMFYVN_SECRET_REMOTE_INSTALLER_USER", h.target().user);
  process_variable in_process{"COMFYVN_SECRET_REMOTE_INSTALLER_USER", h.target().user};
  api_server api{w.root(), true, std::nullopt, env};
  auto r = api.post("/api/remote/install", body_without_user(w));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["status"], "installed") << r.body;
}

// The same request without the override uses the host block's user, and so fails to log in:
// the test above passes because of the override, not by accident.
TEST(CompatEnvOverride, WithoutTheOverrideTheHostBlockDecides) {
  REQUIRE_SSHD();
  engine_world w;
  w.add_host();
  store_key_in_vault(w);
  store_wrong_host_user(w);
  api_server api{w.root(), true, std::nullopt, vault_env()};
  auto r = api.post("/api/remote/install", body_without_user(w));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["status"], "failed") << r.body;
  EXPECT_NE(r.body.find("no-such-user"), std::string::npos) << "the error names the user it tried: " << r.body;
}

}  // namespace
}  // namespace rio::test
