// Security regressions (issue 26, points 12 and 13a): a plugin that others can write, or that
// sits in a directory others can write, is code they can run as rio. It is refused on both ways
// modules load: load_module (one file) and the directory loader `rio serve` and the CLI use.
#include <rio/kernel/module_loader.hpp>
#include <rio/kernel/module_registry.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

namespace rio::test {
namespace {

namespace fs = std::filesystem;
using kernel::errc;

fs::path built(const std::string& id) { return fs::path{RIO_TEST_PLUGIN_DIR} / ("rio-" + id + ".so"); }

const kernel::load_problem* problem_for(const std::vector<kernel::load_problem>& problems, const std::string& file) {
  for (const auto& p : problems) {
    if (p.file.filename() == file) return &p;
  }
  return nullptr;
}

// Only the "others may write" bit: mode 0646 (0664, group-writable, is tested in rio_abi_tests).
TEST(SecurityPluginModes, AWorldWritablePluginIsRefusedByLoadModule) {
  temp_dir dir;
  auto copy = dir.path() / "rio-lmstudio.so";
  fs::copy_file(built("lmstudio"), copy);
  ASSERT_EQ(::chmod(copy.c_str(), 0646), 0);
  auto module = kernel::load_module(copy);
  ASSERT_FALSE(module) << "a file anyone may rewrite was loaded";
  EXPECT_EQ(module.error().code, kernel::make_error_code(errc::unsafe_plugin_file));
  EXPECT_NE(module.error().message.find("mode 646"), std::string::npos) << module.error().message;
}

TEST(SecurityPluginModes, AWorldWritablePluginIsRefusedByTheDirectoryLoader) {
  temp_dir dir;
  fs::create_symlink(built("ollama"), dir.path() / "rio-ollama.so");
  fs::copy_file(built("lmstudio"), dir.path() / "rio-lmstudio.so");
  ASSERT_EQ(::chmod((dir.path() / "rio-lmstudio.so").c_str(), 0646), 0);
  std::vector<kernel::load_problem> problems;
  auto registry = kernel::module_registry::load_directory(dir.path(), problems);
  ASSERT_TRUE(registry) << registry.error().message;
  EXPECT_EQ(registry->find("lmstudio"), nullptr) << "a file anyone may rewrite was loaded";
  EXPECT_NE(registry->find("ollama"), nullptr);
  const auto* p = problem_for(problems, "rio-lmstudio.so");
  ASSERT_NE(p, nullptr);
  EXPECT_NE(p->reason.find("mode 646"), std::string::npos) << p->reason;
}

// StrictModes for directories: whoever may write to the directory can swap the file (or the link)
// for their own, whatever the file's mode. Both loaders refuse, and say which directory.
TEST(SecurityPluginModes, APluginInAWorldWritableDirectoryIsRefused) {
  temp_dir dir;
  fs::create_symlink(built("ollama"), dir.path() / "rio-ollama.so");
  ASSERT_EQ(::chmod(dir.path().c_str(), 0777), 0);
  auto module = kernel::load_module(dir.path() / "rio-ollama.so");
  ASSERT_FALSE(module) << "a plugin in a world-writable directory was loaded";
  EXPECT_EQ(module.error().code, kernel::make_error_code(errc::unsafe_plugin_file));
  EXPECT_NE(module.error().message.find(dir.path().string() + " is writable by group or others"), std::string::npos)
      << module.error().message;

  std::vector<kernel::load_problem> problems;
  auto registry = kernel::module_registry::load_directory(dir.path(), problems);
  ASSERT_TRUE(registry) << registry.error().message;
  EXPECT_TRUE(registry->modules().empty());
  ASSERT_NE(problem_for(problems, "rio-ollama.so"), nullptr);

  // A group-writable directory too; a sticky one (as /tmp) is safe: nobody can replace entries
  // they do not own there.
  ASSERT_EQ(::chmod(dir.path().c_str(), 0770), 0);
  EXPECT_FALSE(kernel::load_module(dir.path() / "rio-ollama.so"));
  ASSERT_EQ(::chmod(dir.path().c_str(), 01777), 0);
  auto sticky = kernel::load_module(dir.path() / "rio-ollama.so");
  EXPECT_TRUE(sticky) << sticky.error().message;
  ::chmod(dir.path().c_str(), 0700);
}

}  // namespace
}  // namespace rio::test
