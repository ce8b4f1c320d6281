// The four built-in modules installed for real, over rio's libssh2 transport, on a throwaway
// loopback host with offline fixture upstreams: what `rio demo` does, one module at a time.
// Each install, detect and rerun is checked, and so is the record of the stubs it called.
#include <rio/kernel/sandbox/fixture_upstreams.hpp>
#include <rio/kernel/sandbox/local_process.hpp>
#include <rio/kernel/sandbox/throwaway_host.hpp>

#include <rio/kernel/module_loader.hpp>
#include <rio/kernel/ssh/session.hpp>
#include <rio/sdk/testing/run_co.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <optional>
#include <sstream>

namespace rio::test {
namespace {
namespace asio = boost::asio;
namespace fs = std::filesystem;
namespace ssh = kernel::ssh;
namespace sandbox = kernel::sandbox;

const std::vector<std::string> all_modules{"comfyui", "sillytavern", "lmstudio", "ollama"};

#define RIO_REQUIRE_GIT() \
  if (kernel::sandbox::detail::find_program("git").empty()) GTEST_SKIP() << "git is not installed"

ssh::connect_options login_options(const sandbox::throwaway_host& host) {
  ssh::connect_options o;
  o.where = host.target();
  o.hosts.read = {host.known_hosts_file()};
  o.hosts.policy = ssh::host_key_policy::strict;
  o.auth.identity_files = {host.user_key()};
  o.auth.use_agent = false;
  o.auth.default_identities = false;
  return o;
}

/** install, detect, install again: the reports of one module on one host. */
struct install_runs {
  std::optional<sdk::result<sdk::install_report>> first;
  std::optional<sdk::result<sdk::detect_report>> detected;
  std::optional<sdk::result<sdk::install_report>> second;
};

/** Runs install, detect and install again for each module over one session. */
sdk::result<std::vector<install_runs>> install_twice(const sandbox::throwaway_host& host,
                                                     const std::vector<sdk::installer*>& installers,
                                                     const std::vector<sdk::option_values>& options,
                                                     const fs::path& asset_root) {
  return sdk::testing::run_co([&]() -> asio::awaitable<sdk::result<std::vector<install_runs>>> {
    auto connect = login_options(host);
    auto s = co_await ssh::session::connect(std::move(connect));
    if (!s) co_return s.error();
    std::vector<install_runs> out;
    for (std::size_t i = 0; i < installers.size(); ++i) {
      sdk::run_context ctx{**s, options[i], asset_root, {}, nullptr};
      install_runs runs;
      runs.first = co_await installers[i]->install(ctx);
      runs.detected = co_await installers[i]->detect(ctx);
      runs.second = co_await installers[i]->install(ctx);
      out.push_back(std::move(runs));
    }
    co_await (*s)->disconnect();
    co_return out;
  });
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<std::string> outcomes(const sdk::install_report& report) {
  std::vector<std::string> out;
  for (const auto& s : report.steps) out.push_back(s.id + "=" + sdk::to_string(s.outcome));
  return out;
}

/** Every step `done` (first run), or every command step `already_done` and the sentinel `done`. */
std::vector<std::string> expected_outcomes(const sdk::module_spec& spec, bool rerun) {
  std::vector<std::string> out;
  for (const auto& step : spec.install_steps) {
    // ComfyUI's uv step does something only with installer=uv on a host without uv.
    const bool done_before = (rerun && step.id != "sentinel") || (spec.id == "comfyui" && step.id == "uv");
    out.push_back(step.id + (done_before ? "=already_done" : "=done"));
  }
  return out;
}

/**
 * The stub calls one module's install makes on a fresh sandbox host (the rerun adds none).
 * As root rio_sudo runs commands directly; otherwise they pass through the sudo stub first.
 */
std::vector<std::string> expected_calls(const std::string& id, const fs::path& home) {
  const bool root = ::geteuid() == 0;
  std::vector<std::string> out;
  auto privileged = [&](const std::string& line) {
    if (!root) out.push_back("sudo -n env DEBIAN_FRONTEND=noninteractive " + line);
    out.push_back(line);
  };
  if (id == "comfyui") {
    privileged("apt-get update -q");
    privileged("apt-get install -y -q --no-install-recommends git python3-venv python3-pip");
    out.push_back("python3 -m venv " + (home / "ComfyUI/venv").string());
    // The SDK alone has no host facts: torch `auto` means PyPI's wheels, then the guarded requirements.
    out.push_back("pip install torch torchvision torchaudio");
    out.push_back("pip install -r requirements.txt -c venv/.rio-torch-constraints.txt");
  } else if (id == "sillytavern") {
    privileged("apt-get update -q");
    privileged("apt-get install -y -q --no-install-recommends nodejs npm");
    out.push_back("npm install --no-audit --no-fund --no-progress --omit=dev");
  } else if (id == "lmstudio") {
    out.push_back("lmstudio-install.sh");
    out.push_back("lms daemon up");
  } else if (id == "ollama") {
    if (!root) out.push_back("sudo -n true");
    out.push_back("ollama-install.sh");
    out.push_back("ollama serve");
  }
  return out;
}

/** A system-wide Ollama is found on the sandbox PATH too, and the install step then is already done. */
bool machine_has_ollama() {
  for (const char* dir : {"/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"}) {
    if (::access((fs::path{dir} / "ollama").c_str(), X_OK) == 0) return true;
  }
  return false;
}

/** One sandbox: fixtures, a host with the stubs first on PATH, the modules and an empty asset root. */
class SandboxInstall : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access("/usr/sbin/sshd", X_OK) != 0) GTEST_SKIP() << "openssh-server is not installed";
    RIO_REQUIRE_GIT();
    auto made = sandbox::make_fixture_upstreams(t.path() / "fixtures");
    ASSERT_TRUE(made) << made.error().describe();
    fixtures = std::move(*made);
    sandbox::host_options options;
    options.stub_dir = fixtures.stub_dir;
    auto started = sandbox::throwaway_host::start(t.path() / "host", options);
    ASSERT_TRUE(started) << started.error().describe();
    host = std::move(*started);
    fs::create_directories(t.path() / "assets");
  }

  /** Loads each module, resolves the fixture overrides, installs, detects and reinstalls. */
  std::vector<install_runs> run(const std::vector<std::string>& ids) {
    std::vector<sdk::installer*> installers;
    std::vector<sdk::option_values> options;
    for (const auto& id : ids) {
      auto loaded = kernel::load_module(fs::path{RIO_TEST_PLUGIN_DIR} / ("rio-" + id + ".so"));
      EXPECT_TRUE(loaded) << loaded.error().describe();
      if (!loaded) return {};
      auto resolved = sdk::resolve_options((*loaded)->spec(), fixtures.options.at(id));
      EXPECT_TRUE(resolved) << resolved.error().describe();
      if (!resolved) return {};
      installers.push_back(&(*loaded)->installer());
      options.push_back(*resolved);
      modules.push_back(std::move(*loaded));
    }
    auto runs = install_twice(*host, installers, options, t.path() / "assets");
    EXPECT_TRUE(runs) << runs.error().describe();
    return runs ? *runs : std::vector<install_runs>{};
  }

  void expect_installed_then_noop(const std::string& id, const sdk::module_spec& spec, const install_runs& r) {
    SCOPED_TRACE(id);
    ASSERT_TRUE(r.first && *r.first) << r.first->error().describe();
    EXPECT_EQ((*r.first)->state, sdk::install_state::installed)
        << (*r.first)->error << "\n"
        << ((*r.first)->steps.empty() ? "" : (*r.first)->steps.back().stderr_tail) << "\nsshd log: "
        << host->log_file();
    EXPECT_EQ(outcomes(**r.first), expected_outcomes(spec, false)) << (*r.first)->error;
    EXPECT_TRUE((*r.first)->sentinel_written);

    ASSERT_TRUE(r.detected && *r.detected) << r.detected->error().describe();
    EXPECT_EQ((*r.detected)->state, sdk::detect_state::installed) << (*r.detected)->evidence;

    ASSERT_TRUE(r.second && *r.second) << r.second->error().describe();
    EXPECT_EQ((*r.second)->state, sdk::install_state::installed) << (*r.second)->error;
    EXPECT_EQ(outcomes(**r.second), expected_outcomes(spec, true)) << "a rerun skips every finished step";

    EXPECT_TRUE(fs::exists(host->home() / ".config/comfyvn/remote" / (id + ".installed")))
        << "the sentinel is in the sandbox's home";
  }

  temp_dir t;
  sandbox::fixture_upstreams fixtures;
  std::unique_ptr<sandbox::throwaway_host> host;
  std::vector<std::unique_ptr<kernel::loaded_module>> modules;
};

class SandboxModuleInstall : public SandboxInstall, public ::testing::WithParamInterface<std::string> {};

TEST_P(SandboxModuleInstall, InstallsOverRealSshThenDetectsAndRerunsAsNoop) {
  const std::string id = GetParam();
  if (id == "ollama" && machine_has_ollama()) GTEST_SKIP() << "an ollama on this machine's PATH shadows the fixture";
  auto runs = run({id});
  ASSERT_EQ(runs.size(), 1u);
  expect_installed_then_noop(id, modules.at(0)->spec(), runs[0]);
  EXPECT_EQ(lines_of(read_file(fixtures.calls_log)), expected_calls(id, host->home()))
      << "every stub call, once: the rerun called none";
}

INSTANTIATE_TEST_SUITE_P(BuiltinModules, SandboxModuleInstall, ::testing::ValuesIn(all_modules),
                         [](const ::testing::TestParamInfo<std::string>& param) { return param.param; });

TEST_F(SandboxInstall, AllFourModulesOnOneHost) {
  if (machine_has_ollama()) GTEST_SKIP() << "an ollama on this machine's PATH shadows the fixture";
  auto runs = run(all_modules);
  ASSERT_EQ(runs.size(), all_modules.size());
  std::vector<std::string> calls;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    expect_installed_then_noop(all_modules[i], modules.at(i)->spec(), runs[i]);
    auto expected = expected_calls(all_modules[i], host->home());
    calls.insert(calls.end(), expected.begin(), expected.end());
  }
  EXPECT_EQ(lines_of(read_file(fixtures.calls_log)), calls);
  // What landed in the isolated home is each tool's real layout, built from the fixtures.
  const fs::path home = host->home();
  EXPECT_TRUE(fs::exists(home / "ComfyUI/.git"));
  EXPECT_TRUE(fs::exists(home / "ComfyUI/main.py"));
  EXPECT_TRUE(fs::exists(home / "ComfyUI/venv/.rio-requirements.sha256"));
  EXPECT_TRUE(fs::exists(home / "SillyTavern/node_modules/.rio-package-lock.sha256"));
  EXPECT_TRUE(fs::exists(home / ".lmstudio/bin/lms"));
  EXPECT_TRUE(fs::exists(home / ".local/bin/ollama"));
}

TEST(FixtureUpstreams, OptionsResolveAgainstEveryModuleAndPointIntoTheFixtures) {
  RIO_REQUIRE_GIT();
  temp_dir t;
  auto made = sandbox::make_fixture_upstreams(t.path() / "fixtures");
  ASSERT_TRUE(made) << made.error().describe();
  const auto& f = *made;
  EXPECT_EQ(f.stub_dir, t.path() / "fixtures/stubs");
  EXPECT_TRUE(fs::exists(f.calls_log));
  EXPECT_EQ(read_file(f.calls_log), "");
  for (const char* tool : {"apt-get", "dnf", "dpkg-query", "rpm", "sudo", "systemctl", "curl", "node", "npm"}) {
    EXPECT_EQ(::access((f.stub_dir / tool).c_str(), X_OK), 0) << tool;
  }
  ASSERT_EQ(f.options.size(), all_modules.size());
  for (const auto& id : all_modules) {
    SCOPED_TRACE(id);
    auto loaded = kernel::load_module(fs::path{RIO_TEST_PLUGIN_DIR} / ("rio-" + id + ".so"));
    ASSERT_TRUE(loaded) << loaded.error().describe();
    auto resolved = sdk::resolve_options((*loaded)->spec(), f.options.at(id));
    ASSERT_TRUE(resolved) << resolved.error().describe();
    for (const auto& [name, value] : *resolved) {
      if (value.starts_with("file://")) {
        EXPECT_TRUE(fs::exists(value.substr(7))) << name << "=" << value;
        EXPECT_TRUE(value.starts_with("file://" + f.dir.string() + "/")) << name << "=" << value;
      }
    }
    EXPECT_FALSE(resolved->at(id == "lmstudio" || id == "ollama" ? "installer_url" : "repo_url").starts_with("https:"))
        << "nothing points at the network";
  }
  EXPECT_EQ(f.options.at("ollama").at("service"), "background");
}

TEST(FixtureUpstreams, RefusesADirectoryThatIsNotEmpty) {
  RIO_REQUIRE_GIT();
  temp_dir t;
  t.write("fixtures/keep.txt", "x");
  auto made = sandbox::make_fixture_upstreams(t.path() / "fixtures");
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error().code, kernel::make_error_code(kernel::errc::bad_config));
  EXPECT_NE(made.error().message.find("is not empty"), std::string::npos) << made.error().message;
}

}  // namespace
}  // namespace rio::test
