// `rio modules --json` and GET /api/remote/modules share this shape; the original's keys must
// all be present so ComfyVN clients can switch unchanged.
#include <rio/kernel/module_registry.hpp>
#include <rio/kernel/registry_json.hpp>

#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

namespace rio::test {
namespace {

namespace json = boost::json;

json::object load_json() {
  std::vector<kernel::load_problem> problems;
  auto registry = kernel::module_registry::load_directory(RIO_TEST_PLUGIN_DIR, problems);
  if (!registry) throw std::runtime_error(registry.error().message);
  return kernel::registry_to_json(*registry);
}

TEST(RegistryJson, HasTheOriginalShape) {
  auto doc = load_json();
  ASSERT_EQ(doc.size(), 1u);
  const auto& modules = doc.at("modules").as_array();
  ASSERT_EQ(modules.size(), 4u);
  const char* order[] = {"comfyui", "sillytavern", "lmstudio", "ollama"};
  for (std::size_t i = 0; i < modules.size(); ++i) {
    const auto& m = modules[i].as_object();
    EXPECT_EQ(m.at("id").as_string(), order[i]);
    for (const char* key : {"id", "name", "notes", "tags", "install_steps", "config_sync", "detect_steps"}) {
      EXPECT_TRUE(m.contains(key)) << order[i] << " lacks " << key;
    }
    for (const auto& step : m.at("install_steps").as_array()) {
      EXPECT_EQ(step.at("type").as_string(), "command");
      EXPECT_FALSE(step.at("command").as_string().empty());
      EXPECT_FALSE(step.at("description").as_string().empty());
    }
    const auto& last = m.at("install_steps").as_array().back().as_object();
    EXPECT_EQ(last.at("id").as_string(), "sentinel") << order[i];
    for (const auto& entry : m.at("config_sync").as_array()) {
      EXPECT_EQ(entry.at("type").as_string(), "sync");
      EXPECT_TRUE(entry.as_object().contains("source"));
      EXPECT_TRUE(entry.as_object().contains("destination"));
    }
    const auto& probes = m.at("detect_steps").as_array();
    ASSERT_FALSE(probes.empty());
    EXPECT_EQ(probes.back().at("command").as_string(),
              std::string{"test -f \"$HOME\"/'.config/comfyvn/remote/"} + order[i] + ".installed'");
  }
}

TEST(RegistryJson, KeepsTheOriginalNamesNotesAndTags) {
  auto doc = load_json();
  const auto& comfy = doc.at("modules").as_array().at(0).as_object();
  EXPECT_EQ(comfy.at("name").as_string(), "ComfyUI");
  EXPECT_EQ(comfy.at("notes").as_string(), "Installs ComfyUI core server and prepares a mirrored configuration stub.");
  EXPECT_EQ(json::serialize(comfy.at("tags")), R"(["ssh","python","workflow"])");
  const auto& ollama = doc.at("modules").as_array().at(3).as_object();
  EXPECT_EQ(json::serialize(ollama.at("tags")), R"(["ssh","llm","registry"])");
}

// What the preflight checks is shown too, so a client can tell why a host would be refused.
TEST(RegistryJson, ShowsRequirementsAndWhatEachStepNeeds) {
  auto doc = load_json();
  const auto& ollama = doc.at("modules").as_array().at(3).as_object();
  EXPECT_EQ(json::serialize(ollama.at("requirements")),
            R"({"disk_mib":6144,"install_path":"/usr/local","systems":["linux"],)"
            R"("architectures":["x86_64","aarch64","arm64"],"gpu_driver_option":"gpu_drivers"})");
  bool root = false, curl = false;
  for (const auto& step : ollama.at("install_steps").as_array()) {
    const auto& o = step.as_object();
    for (const char* key : {"needs_tools", "provides_tools", "needs_root", "needs_package_manager"}) {
      EXPECT_TRUE(o.contains(key)) << o.at("id").as_string() << " lacks " << key;
    }
    root = root || o.at("needs_root").as_bool();
    for (const auto& t : o.at("needs_tools").as_array()) curl = curl || t.as_string() == "curl";
  }
  EXPECT_TRUE(root) << "Ollama's install step runs as root";
  EXPECT_TRUE(curl) << "a step of Ollama's calls curl";
}

TEST(RegistryJson, OptionalKeyOnlyWhenTrue) {
  auto doc = load_json();
  for (const auto& m : doc.at("modules").as_array()) {
    for (const auto& entry : m.at("config_sync").as_array()) {
      const auto* optional = entry.as_object().if_contains("optional");
      if (optional != nullptr) {
        EXPECT_TRUE(optional->as_bool());
      }
    }
  }
}

}  // namespace
}  // namespace rio::test
