// The SDK as a third-party author gets it: install the rio_Development component of this build
// into a temporary prefix, build sdk/examples/hello_module against that prefix only (and run
// the example's own test), then load the module with the real kernel loader and the real `rio`.
// One test on purpose: the phases depend on each other, and the build takes most of a minute.
#include <rio/kernel/module_loader.hpp>
#include <rio/sdk/shell.hpp>
#include <rio/sdk/testing/fake_remote_shell.hpp>
#include <rio/sdk/testing/run_co.hpp>

#include "../engine/engine_test_support.hpp"
#include "temp_dir.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string_view>

namespace rio::test {
namespace {
namespace fs = std::filesystem;

std::string q(const fs::path& p) { return sdk::shell_quote(p.string()); }

/** Values of the top build's CMakeCache.txt ("NAME:TYPE=value"). */
std::map<std::string, std::string> read_cmake_cache(const fs::path& build_dir) {
  std::map<std::string, std::string> out;
  std::ifstream in(build_dir / "CMakeCache.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() == '#' || line.starts_with("//")) continue;
    auto colon = line.find(':');
    auto equals = line.find('=');
    if (colon == std::string::npos || equals == std::string::npos || colon > equals) continue;
    out[line.substr(0, colon)] = line.substr(equals + 1);
  }
  return out;
}

struct ran {
  int exit_code = -1;  ///< -1 when the command did not exit normally
  std::string output;  ///< stdout and stderr, or stdout only when `err_log` was given
};

/** Runs `command` with sh; stdout goes to `log`, stderr too unless `err_log` is given. */
ran run(const std::string& command, const fs::path& log, const fs::path& err_log = {}) {
  std::string redirect = " >" + q(log) + (err_log.empty() ? " 2>&1" : " 2>" + q(err_log));
  int status = std::system((command + redirect + " </dev/null").c_str());
  ran out;
  out.exit_code = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  out.output = read_file(log);
  return out;
}

/** Sets the process umask for one scope, so nothing built here is group/world-writable. */
class umask_guard {
 public:
  explicit umask_guard(mode_t mask) : previous_(::umask(mask)) {}
  ~umask_guard() { ::umask(previous_); }
  umask_guard(const umask_guard&) = delete;
  umask_guard& operator=(const umask_guard&) = delete;

 private:
  mode_t previous_;
};

TEST(SdkInstall, ExampleModuleBuildsAgainstTheInstalledSdkAndLoads) {
  const umask_guard mask{022};
  const temp_dir tmp;
  const fs::path prefix = tmp.path() / "prefix";
  // The example as installed with the SDK: the guide tells authors to copy it from there.
  const fs::path source_dir = prefix / "share" / "rio" / "sdk" / "examples" / "hello_module";
  const fs::path build = tmp.path() / "build";
  const fs::path logs = tmp.path() / "logs";
  fs::create_directories(logs);

  // The example is built with this build's cmake, compiler and flags (an ASan build's SDK
  // library needs the sanitizer at link time too).
  auto cache = read_cmake_cache(RIO_TEST_BINARY_DIR);
  const fs::path cmake = cache.count("CMAKE_COMMAND") != 0 ? fs::path{cache["CMAKE_COMMAND"]} : fs::path{"cmake"};
  const fs::path ctest = cmake.has_parent_path() ? cmake.parent_path() / "ctest" : fs::path{"ctest"};
  std::string forwarded;
  for (const char* name : {"CMAKE_CXX_COMPILER", "CMAKE_MAKE_PROGRAM", "CMAKE_BUILD_TYPE", "CMAKE_CXX_FLAGS",
                           "CMAKE_EXE_LINKER_FLAGS", "CMAKE_MODULE_LINKER_FLAGS"}) {
    if (std::string_view{name} == "CMAKE_MAKE_PROGRAM" && cache["CMAKE_GENERATOR"] != "Ninja") continue;
    if (auto it = cache.find(name); it != cache.end() && !it->second.empty()) {
      forwarded += " " + sdk::shell_quote("-D" + std::string{name} + "=" + it->second);
    }
  }

  // 1. Install only the SDK component.
  auto installed = run(q(cmake) + " --install " + q(RIO_TEST_BINARY_DIR) + " --prefix " + q(prefix) +
                           " --component rio_Development",
                       logs / "install.log");
  ASSERT_EQ(installed.exit_code, 0) << installed.output;
  EXPECT_TRUE(fs::exists(prefix / "include" / "rio" / "sdk" / "module.hpp"));
  EXPECT_TRUE(fs::exists(prefix / "include" / "rio" / "sdk" / "testing" / "fake_remote_shell.hpp"));
  EXPECT_FALSE(fs::exists(prefix / "bin")) << "the Development component must not install the program";
  ASSERT_TRUE(fs::exists(source_dir / "CMakeLists.txt")) << "the examples are installed with the SDK";

  // 2. Configure the example out of tree, with the temporary prefix as the only SDK location.
  auto configured = run(q(cmake) + " -S " + q(source_dir) + " -B " + q(build) + " -G Ninja" + forwarded +
                            " -DCMAKE_PREFIX_PATH=" + q(prefix) + " -DHELLO_BUILD_TESTS=ON",
                        logs / "configure.log");
  ASSERT_EQ(configured.exit_code, 0) << configured.output;
  auto example_cache = read_cmake_cache(build);
  EXPECT_EQ(fs::weakly_canonical(example_cache["RioSDK_DIR"]).string().rfind(fs::weakly_canonical(prefix).string(), 0),
            0u)
      << "found RioSDK in " << example_cache["RioSDK_DIR"] << ", not in the temporary prefix";

  // 3. Build the module and its test, then run the example's own test.
  auto built = run(q(cmake) + " --build " + q(build) + " --parallel 2", logs / "build.log");
  ASSERT_EQ(built.exit_code, 0) << built.output;
  auto tested = run(q(ctest) + " --test-dir " + q(build) + " --output-on-failure", logs / "ctest.log");
  EXPECT_EQ(tested.exit_code, 0) << tested.output;
  EXPECT_NE(tested.output.find("100% tests passed"), std::string::npos) << tested.output;

  const fs::path plugin = build / "rio-hello.so";
  ASSERT_TRUE(fs::is_regular_file(plugin));
  const auto perms = fs::status(plugin).permissions();
  ASSERT_EQ(perms & (fs::perms::group_write | fs::perms::others_write), fs::perms::none)
      << "the loader refuses group/world-writable plugins";

  // 4. The kernel loads it: handshake, create, spec validation.
  auto loaded = kernel::load_module(plugin);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().describe();
  const auto& module = **loaded;
  EXPECT_EQ(module.id, "hello");
  EXPECT_EQ(module.spec().id, "hello");
  EXPECT_EQ(module.spec().name, "Hello");
  EXPECT_EQ(module.spec().options.size(), 2u);
  ASSERT_FALSE(module.spec().install_steps.empty());
  EXPECT_EQ(module.spec().install_steps.back().kind, sdk::step_kind::sentinel);

  // Its coroutines run on this process's executor, against this process's fake shell.
  auto options = sdk::resolve_options(module.spec(), {});
  ASSERT_TRUE(options.has_value()) << options.error().describe();
  sdk::testing::fake_remote_shell shell;
  sdk::testing::scripted_reply missing;  // not {.exit_code = 1}: GCC 12's -Wextra flags the omitted members
  missing.exit_code = 1;
  shell.on("greeting.txt", missing);
  sdk::run_context ctx{shell, *options, tmp.path(), {}, nullptr};
  auto detected = sdk::testing::run_co([&] { return module.installer().detect(ctx); });
  ASSERT_TRUE(detected.has_value()) << detected.error().describe();
  EXPECT_EQ(detected->state, sdk::detect_state::absent) << detected->evidence;

  // 5. The rio binary lists it from the build directory.
  auto listed = run(q(RIO_TEST_RIO_EXE) + " --root " + q(tmp.path()) + " --plugin-dir " + q(build) + " modules --json",
                    logs / "modules.json", logs / "modules.err");
  const std::string errors = read_file(logs / "modules.err");
  ASSERT_EQ(listed.exit_code, 0) << listed.output << errors;
  EXPECT_EQ(errors, "") << "no plugin may be skipped";
  boost::system::error_code ec;
  auto doc = boost::json::parse(listed.output, ec);
  ASSERT_FALSE(ec) << listed.output;
  const auto* modules = doc.is_object() ? doc.as_object().if_contains("modules") : nullptr;
  ASSERT_TRUE(modules != nullptr && modules->is_array()) << listed.output;
  ASSERT_EQ(modules->as_array().size(), 1u) << listed.output;
  const auto& entry = modules->as_array().front().as_object();
  EXPECT_EQ(entry.at("id").as_string(), "hello");
  EXPECT_EQ(entry.at("version").as_string(), "1.0.0");

  // 6. An author edits the installed headers (a field added to module_spec) and rebuilds: the
  // module carries the hash of what it was compiled against, so rio refuses it with one line and
  // lists the other modules; it used to pass the handshake and die ("double free", exit 134).
  const fs::path spec_header = prefix / "include" / "rio" / "sdk" / "module_spec.hpp";
  std::string text = read_file(spec_header);
  const std::string field = "  host_requirements requirements;\n";
  ASSERT_NE(text.find(field), std::string::npos);
  text.replace(text.find(field), field.size(), field + "  std::vector<std::string> added_by_an_author;\n");
  std::ofstream{spec_header, std::ios::trunc} << text;
  auto rebuilt = run(q(cmake) + " --build " + q(build) + " --parallel 2 --target hello", logs / "rebuild.log");
  ASSERT_EQ(rebuilt.exit_code, 0) << rebuilt.output;
  const fs::path mixed = tmp.path() / "plugins";
  fs::create_directories(mixed);
  for (const auto& e : fs::directory_iterator{RIO_TEST_PLUGIN_DIR}) {
    if (e.path().extension() == ".so") fs::copy_file(e.path(), mixed / e.path().filename());
  }
  fs::copy_file(plugin, mixed / "rio-hello.so");
  auto refused = run(q(RIO_TEST_RIO_EXE) + " --root " + q(tmp.path()) + " --plugin-dir " + q(mixed) + " modules",
                     logs / "mixed.out", logs / "mixed.err");
  const std::string refusal = read_file(logs / "mixed.err");
  EXPECT_EQ(refused.exit_code, 0) << refused.output << refusal;
  EXPECT_EQ(std::count(refusal.begin(), refusal.end(), '\n'), 1) << refusal;
  EXPECT_EQ(refusal.rfind("rio: skipped plugin " + (mixed / "rio-hello.so").string() +
                              ": built against different SDK headers (hash ", 0), 0u) << refusal;
  for (const char* id : {"comfyui", "sillytavern", "lmstudio", "ollama"}) {
    EXPECT_NE(refused.output.find(id), std::string::npos) << id << " is still listed\n" << refused.output;
  }
}

TEST(SdkInstall, ExampleSubscriberBuiltOutOfTreeReceivesARealRunsEventsInOrder) {
  REQUIRE_SSHD();
  const umask_guard mask{022};
  const temp_dir tmp;
  const fs::path source_dir = fs::path{RIO_TEST_SOURCE_DIR} / "sdk" / "examples" / "hook_logger";
  const fs::path prefix = tmp.path() / "prefix";
  const fs::path build = tmp.path() / "build";
  const fs::path logs = tmp.path() / "logs";
  fs::create_directories(logs);
  auto cache = read_cmake_cache(RIO_TEST_BINARY_DIR);
  const fs::path cmake = cache.count("CMAKE_COMMAND") != 0 ? fs::path{cache["CMAKE_COMMAND"]} : fs::path{"cmake"};
  std::string forwarded;
  for (const char* name : {"CMAKE_CXX_COMPILER", "CMAKE_MAKE_PROGRAM", "CMAKE_BUILD_TYPE", "CMAKE_CXX_FLAGS",
                           "CMAKE_MODULE_LINKER_FLAGS"}) {
    if (auto it = cache.find(name); it != cache.end() && !it->second.empty()) {
      forwarded += " " + sdk::shell_quote("-D" + std::string{name} + "=" + it->second);
    }
  }
  auto installed = run(q(cmake) + " --install " + q(RIO_TEST_BINARY_DIR) + " --prefix " + q(prefix) +
                           " --component rio_Development", logs / "install.log");
  ASSERT_EQ(installed.exit_code, 0) << installed.output;
  auto configured = run(q(cmake) + " -S " + q(source_dir) + " -B " + q(build) + " -G Ninja" + forwarded +
                            " -DCMAKE_PREFIX_PATH=" + q(prefix), logs / "configure.log");
  ASSERT_EQ(configured.exit_code, 0) << configured.output;
  auto built = run(q(cmake) + " --build " + q(build), logs / "build.log");
  ASSERT_EQ(built.exit_code, 0) << built.output;

  // A plugin directory with rio's four modules and the subscriber.
  const fs::path plugins = tmp.path() / "plugins";
  fs::create_directories(plugins);
  for (const auto& e : fs::directory_iterator{RIO_TEST_PLUGIN_DIR}) {
    if (e.path().extension() == ".so") fs::copy_file(e.path(), plugins / e.path().filename());
  }
  fs::copy_file(build / "rio-hook_logger.so", plugins / "rio-hook_logger.so");

  engine_world w;
  auto& h = w.add_host();
  auto args = w.args("install", {engine_world::spec(h)}, "ollama");
  args[3] = plugins.string();  // --plugin-dir
  std::string command = "RIO_HOOK_LOGGER_FILE=" + q(tmp.path() / "events.jsonl") + " " + q(RIO_TEST_RIO_EXE);
  for (const auto& a : args) command += " " + sdk::shell_quote(a);
  auto ran = run(command, logs / "install.out", logs / "install.err");
  ASSERT_EQ(ran.exit_code, 0) << ran.output << read_file(logs / "install.err");

  std::vector<std::string> names;
  std::vector<boost::json::object> events;
  std::istringstream in{read_file(tmp.path() / "events.jsonl")};
  for (std::string line; std::getline(in, line);) {
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    ASSERT_FALSE(ec) << line;
    events.push_back(v.as_object());
    names.emplace_back(v.as_object().at("event").as_string());
  }
  const std::vector<std::string> expected{
      "on_module_loaded",        "on_module_loaded",          "on_module_loaded",          "on_module_loaded",
      "on_remote_install_started", "on_remote_module_planned", "on_remote_step_finished",  "on_remote_step_finished",
      "on_remote_step_finished", "on_remote_module_finished", "on_remote_install_finished"};
  ASSERT_EQ(names, expected) << read_file(tmp.path() / "events.jsonl");
  for (std::size_t i = 1; i < events.size(); ++i) {
    EXPECT_EQ(events[i].at("seq").as_int64(), events[i - 1].at("seq").as_int64() + 1) << "in order, none lost";
  }
  const auto& started = events[4].at("payload").as_object();
  EXPECT_EQ(started.at("host"), ("127.0.0.1:" + std::to_string(h.target().port)).c_str());
  const auto& planned = events[5].at("payload").as_object();
  EXPECT_EQ(planned.at("module"), "ollama");
  EXPECT_EQ(planned.at("action"), "install");
  const auto& step = events[6].at("payload").as_object();
  EXPECT_EQ(step.at("step"), "install-script");
  EXPECT_EQ(step.at("outcome"), "done");
  EXPECT_EQ(events[8].at("payload").as_object().at("step"), "sentinel");
  EXPECT_EQ(events[9].at("payload").as_object().at("state"), "installed");
  EXPECT_EQ(events[10].at("payload").as_object().at("status"), "installed");
  EXPECT_EQ(events[4].at("payload").as_object().at("run_id"), events[10].at("payload").as_object().at("run_id"));
}

}  // namespace
}  // namespace rio::test
