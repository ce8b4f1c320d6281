#include <rio/kernel/module_loader.hpp>

#include "abi_test_support.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

namespace rio::test {
namespace {

using kernel::errc;

TEST(ModuleLoader, LoadsAGoodModule) {
  auto module = kernel::load_module(fixture("good"));
  ASSERT_TRUE(module) << module.error().message;
  EXPECT_EQ((*module)->id, "fixture_good");
  EXPECT_EQ((*module)->spec().install_steps.back().id, "sentinel");
}

TEST(ModuleLoader, RefusesAnotherAbiMinorNamingBothVersions) {
  auto module = kernel::load_module(fixture("wrong_abi"));
  ASSERT_FALSE(module);
  EXPECT_EQ(module.error().code, kernel::make_error_code(errc::abi_mismatch));
  EXPECT_NE(module.error().message.find(fixture_abi_text()), std::string::npos) << module.error().message;
  EXPECT_NE(module.error().message.find("this rio has " + rio_abi_text()), std::string::npos) << module.error().message;
}

TEST(ModuleLoader, RefusesAnotherBoostVersion) {
  auto module = kernel::load_module(fixture("wrong_boost"));
  ASSERT_FALSE(module);
  EXPECT_EQ(module.error().code, kernel::make_error_code(errc::boost_mismatch));
  EXPECT_NE(module.error().message.find("Boost 1.82.0"), std::string::npos) << module.error().message;
  EXPECT_NE(module.error().message.find("Boost 1.81.0"), std::string::npos) << module.error().message;
}

TEST(ModuleLoader, RefusesASharedObjectWithoutTheExport) {
  auto module = kernel::load_module(fixture("not_a_plugin"));
  ASSERT_FALSE(module);
  EXPECT_EQ(module.error().code, kernel::make_error_code(errc::not_a_plugin));
  EXPECT_NE(module.error().message.find("rio_module_v1"), std::string::npos) << module.error().message;
}

TEST(ModuleLoader, RefusesAFileThatIsNotElf) {
  temp_dir dir;
  auto file = dir.write("fake.so", "#!/bin/sh\necho not a library\n");
  auto module = kernel::load_module(file);
  ASSERT_FALSE(module);
  EXPECT_EQ(module.error().code, kernel::make_error_code(errc::not_a_plugin));
  EXPECT_NE(module.error().message.find("not an ELF"), std::string::npos);
}

TEST(ModuleLoader, RefusesAGroupWritableFile) {
  temp_dir dir;
  auto copy = dir.path() / "writable.so";
  std::filesystem::copy_file(fixture("good"), copy);
  ASSERT_EQ(::chmod(copy.c_str(), 0664), 0);
  auto module = kernel::load_module(copy);
  ASSERT_FALSE(module);
  EXPECT_EQ(module.error().code, kernel::make_error_code(errc::unsafe_plugin_file));
  EXPECT_NE(module.error().message.find("mode 664"), std::string::npos) << module.error().message;
}

TEST(ModuleLoader, RefusesADirectoryNamedLikeAPlugin) {
  temp_dir dir;
  std::filesystem::create_directory(dir.path() / "dir.so");
  auto module = kernel::load_module(dir.path() / "dir.so");
  ASSERT_FALSE(module);
  EXPECT_EQ(module.error().code, kernel::make_error_code(errc::unsafe_plugin_file));
}

TEST(ModuleLoader, BuiltModulesPassTheHandshake) {
  for (const char* id : {"comfyui", "sillytavern", "lmstudio", "ollama"}) {
    auto module = kernel::load_module(built_module(id));
    ASSERT_TRUE(module) << id << ": " << module.error().message;
    EXPECT_EQ((*module)->spec().id, id);
  }
}

}  // namespace
}  // namespace rio::test
