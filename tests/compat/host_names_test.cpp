// Issue 16, point 3: host names OpenSSH accepts (ssh-config aliases, container and NetBIOS names
// such as `gpu_box`) were refused with 400, and so were the manifests the original wrote for them.
#include "../http/api_test_support.hpp"

#include <rio/kernel/engine/earlier_manifest.hpp>
#include <rio/kernel/ssh/target.hpp>

namespace rio::test {
namespace {

namespace json = boost::json;

// What the original wrote after installing ComfyUI on `gpu_box` (its manifest format, section 4.3
// of its behaviour: no `address`, timestamps with +00:00 and microseconds, file keyed on the host).
void write_original_manifest(const fs::path& root, const std::string& token, const std::string& host) {
  fs::create_directories(root / "data/remote/install");
  std::ofstream{root / "data/remote/install" / (token + ".json")}
      << "{\n  \"host\": \"" << host << "\",\n  \"modules\": {\n    \"comfyui\": {\n      \"state\": \"installed\",\n"
      << "      \"installed_at\": \"2026-10-01T12:00:00.123456+00:00\",\n      \"notes\": \"ComfyUI\",\n"
      << "      \"tags\": [\"comfyui\"]\n    }\n  },\n  \"version\": 1,\n"
      << "  \"updated_at\": \"2026-10-01T12:00:01.000001+00:00\"\n}\n";
}

TEST(CompatHostNames, TheStatusOfAnUnderscoreNameReadsTheOriginalsManifest) {
  temp_dir root;
  write_original_manifest(root.path(), "gpu_box", "gpu_box");
  api_server api{root.path()};
  auto r = api.get("/api/remote/status?host=gpu_box");
  ASSERT_EQ(r.status, 200) << r.body;
  auto o = r.json();
  EXPECT_EQ(o["host"], "gpu_box");
  EXPECT_EQ(o["status"].as_object()["modules"].as_object()["comfyui"].as_object()["state"], "installed") << r.body;
  EXPECT_TRUE(std::string{o["status_path"].as_string()}.ends_with("/gpu_box.json")) << r.body;
  // The list shows it under its own name, too.
  auto all = api.get("/api/remote/status").json();
  ASSERT_EQ(all["hosts"].as_array().size(), 1u);
  EXPECT_EQ(all["hosts"].as_array()[0].as_object().at("host"), "gpu_box");
}

TEST(CompatHostNames, TheOriginalsTokenJoinsRunsOfOtherCharacters) {
  EXPECT_EQ(kernel::engine::original_record_token("gpu_box"), "gpu_box");
  EXPECT_EQ(kernel::engine::original_record_token(" gpu host/../x "), "gpu_host_.._x");
  EXPECT_EQ(kernel::engine::original_record_token("a%%b"), "a_b");
  EXPECT_EQ(kernel::engine::original_record_token("  "), "remote");
}

// A manifest under the original's token is another host's when its `host` says so (the original's
// token is not injective: `gpu box` and `gpu_box` shared a file).
TEST(CompatHostNames, AnOriginalManifestNamingAnotherHostIsNotTaken) {
  temp_dir root;
  write_original_manifest(root.path(), "gpu_box", "gpu box");
  api_server api{root.path()};
  auto r = api.get("/api/remote/status?host=gpu_box");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["status"].as_object()["modules"].as_object().size(), 0u) << r.body;
}

TEST(CompatHostNames, EveryNameOpenSshAcceptsIsAHostAndShellSyntaxIsNot) {
  for (const char* name : {"gpu_box", "GPU_BOX.lab", "_gpu", "my-alias_2", "web1..example", "host%1", "a/b", "x+y=z"}) {
    EXPECT_TRUE(kernel::ssh::validate({name, 22, "root"})) << name;
  }
  struct refused {
    std::string name;
    std::string problem;
  };
  for (const auto& [name, problem] : std::vector<refused>{{"-oProxyCommand=x", "must not start with '-'"},
                                                            {"gpu box", "whitespace or control"},
                                                            {"gpu\tbox", "whitespace or control"},
                                                            {"a;b", "contains ';', a shell metacharacter"},
                                                            {"$(id)", "contains '$', a shell metacharacter"},
                                                            {"a`b", "contains '`', a shell metacharacter"},
                                                            {"a|b", "contains '|', a shell metacharacter"},
                                                            {"a,b", "contains ',', a shell metacharacter"},
                                                            {"a*b", "contains '*', a shell metacharacter"},
                                                            {"~root", "contains '~', a shell metacharacter"},
                                                            {"a@b", "separates the user from the host"},
                                                            {"h\xc3\xa9t\xc3\xa9", "non-ASCII"},
                                                            {std::string(254, 'a'), "longer than 253"}}) {
    auto r = kernel::ssh::validate({name, 22, "root"});
    ASSERT_FALSE(r) << name;
    EXPECT_NE(r.error().message.find(problem), std::string::npos) << name << ": " << r.error().message;
  }
}

// The original's client posts the name as it is. A name with '_' passes validation: the request
// goes on to its module options (refused here on purpose, so nothing connects to a name no test
// may resolve), while shell syntax is refused as the host.
TEST(CompatHostNames, TheInstallRouteTakesAnUnderscoreNameAndRefusesShellSyntax) {
  temp_dir root;
  api_server api{root.path()};
  auto taken = api.post("/api/remote/install", R"({"host": "gpu_box", "modules": ["comfyui"], "options": {"comfyui": {"no_such_option": "x"}}})");
  EXPECT_EQ(taken.status, 400) << taken.body;
  EXPECT_NE(taken.body.find("host gpu_box: module comfyui:"), std::string::npos) << "the host passed: " << taken.body;
  auto refused = api.post("/api/remote/install", R"({"host": "gpu;box", "modules": ["comfyui"]})");
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(refused.json()["field"], "host") << refused.body;
  EXPECT_NE(refused.body.find("shell metacharacter"), std::string::npos) << refused.body;
}

}  // namespace
}  // namespace rio::test
