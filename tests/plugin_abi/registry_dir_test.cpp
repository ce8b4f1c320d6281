// A plugin directory with good, broken, duplicate and mismatched files: the bad ones are skipped
// with one line each, the rest load in registry order.
#include <rio/kernel/module_registry.hpp>
#include <rio/sdk/shell.hpp>

#include "abi_test_support.hpp"
#include "temp_dir.hpp"

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

namespace rio::test {
namespace {

std::vector<std::string> ids(const kernel::module_registry& registry) {
  std::vector<std::string> out;
  for (const auto& m : registry.modules()) out.push_back(m->id);
  return out;
}

// Links every built module plus the named fixtures into one directory.
void populate(const temp_dir& dir, const std::vector<std::string>& fixtures) {
  for (const char* id : {"ollama", "lmstudio", "sillytavern", "comfyui"}) {
    std::filesystem::create_symlink(built_module(id), dir.path() / ("rio-" + std::string{id} + ".so"));
  }
  for (const auto& name : fixtures) {
    std::filesystem::create_symlink(fixture(name), dir.path() / ("fixture-" + name + ".so"));
  }
}

const kernel::load_problem* problem_for(const std::vector<kernel::load_problem>& problems, const std::string& name) {
  for (const auto& p : problems) {
    if (p.file.filename() == "fixture-" + name + ".so") return &p;
  }
  return nullptr;
}

TEST(ModuleRegistry, ListsBuiltModulesInTheOriginalOrder) {
  std::vector<kernel::load_problem> problems;
  auto registry = kernel::module_registry::load_directory(RIO_TEST_PLUGIN_DIR, problems);
  ASSERT_TRUE(registry) << registry.error().message;
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(ids(*registry), (std::vector<std::string>{"comfyui", "sillytavern", "lmstudio", "ollama"}));
}

TEST(ModuleRegistry, SkipsBadPluginsAndLoadsTheRest) {
  temp_dir dir;
  populate(dir, {"good", "wrong_abi", "wrong_boost", "not_a_plugin", "duplicate_comfyui", "throws"});
  std::vector<kernel::load_problem> problems;
  auto registry = kernel::module_registry::load_directory(dir.path(), problems);
  ASSERT_TRUE(registry) << registry.error().message;

  EXPECT_EQ(ids(*registry), (std::vector<std::string>{"comfyui", "sillytavern", "lmstudio", "ollama", "fixture_good",
                                                      "fixture_throws"}));
  ASSERT_EQ(problems.size(), 4u);
  ASSERT_NE(problem_for(problems, "wrong_abi"), nullptr);
  EXPECT_NE(problem_for(problems, "wrong_abi")->reason.find(fixture_abi_text()), std::string::npos);
  ASSERT_NE(problem_for(problems, "wrong_boost"), nullptr);
  ASSERT_NE(problem_for(problems, "not_a_plugin"), nullptr);
  ASSERT_NE(problem_for(problems, "duplicate_comfyui"), nullptr);
  // rio-*.so files load first, so the real comfyui wins and the fixture is the duplicate.
  EXPECT_NE(problem_for(problems, "duplicate_comfyui")->reason.find("already provided by rio-comfyui.so"),
            std::string::npos);
  EXPECT_EQ(registry->find("comfyui")->file.filename(), "rio-comfyui.so");
}

TEST(ModuleRegistry, AMissingDirectoryIsAnError) {
  std::vector<kernel::load_problem> problems;
  auto registry = kernel::module_registry::load_directory("/nonexistent/rio/plugins", problems);
  ASSERT_FALSE(registry);
  EXPECT_EQ(registry.error().code, kernel::make_error_code(kernel::errc::plugin_dir_missing));
}

TEST(RioModulesCommand, RefusesAMismatchedPluginAndListsTheOthers) {
  temp_dir dir;
  std::filesystem::create_directory(dir.path() / "plugins");
  for (const char* id : {"comfyui", "sillytavern", "lmstudio", "ollama"}) {
    std::filesystem::copy_file(built_module(id), dir.path() / "plugins" / ("rio-" + std::string{id} + ".so"));
  }
  std::filesystem::copy_file(fixture("wrong_abi"), dir.path() / "plugins" / "third-party.so");

  auto run = run_rio("--plugin-dir " + sdk::shell_quote((dir.path() / "plugins").string()) + " modules --json", dir.path());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto doc = boost::json::parse(run.out);
  std::vector<std::string> listed;
  for (const auto& m : doc.at("modules").as_array()) listed.emplace_back(m.at("id").as_string());
  EXPECT_EQ(listed, (std::vector<std::string>{"comfyui", "sillytavern", "lmstudio", "ollama"}));
  EXPECT_NE(run.err.find("skipped plugin " + (dir.path() / "plugins" / "third-party.so").string()), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("built for " + fixture_abi_text() + ", but this rio has " + rio_abi_text()), std::string::npos) << run.err;
}

}  // namespace
}  // namespace rio::test
