#pragma once
// Shared by the module tests: loads a built module through the kernel's loader, runs its hooks
// against the SDK's fake remote shell, and checks the rules every command a module sends obeys.

#include "temp_dir.hpp"

#include <rio/kernel/module_loader.hpp>
#include <rio/sdk/options.hpp>
#include <rio/sdk/shell.hpp>
#include <rio/sdk/testing/fake_remote_shell.hpp>
#include <rio/sdk/testing/run_co.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rio::test {

namespace sdk = rio::sdk;
using sdk::testing::exits;
using sdk::testing::fails;
using sdk::testing::hangs;
using sdk::testing::scripted_reply;

/** Loads build/bin/plugins/rio-<id>.so exactly as the kernel does. */
inline sdk::result<std::unique_ptr<kernel::loaded_module>> load_builtin(const std::string& id) {
  return kernel::load_module(std::filesystem::path{RIO_TEST_PLUGIN_DIR} / ("rio-" + id + ".so"));
}

/** A command that runs into its deadline. */
inline scripted_reply times_out() {
  scripted_reply r;
  r.timed_out = true;
  return r;
}

inline bool contains(std::string_view text, std::string_view needle) {
  return text.find(needle) != std::string_view::npos;
}

/** The index of the first body containing `needle`, or bodies.size() when none does. */
inline std::size_t index_of(const std::vector<std::string>& bodies, std::string_view needle) {
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    if (contains(bodies[i], needle)) return i;
  }
  return bodies.size();
}

inline std::size_t count_containing(const std::vector<std::string>& bodies, std::string_view needle) {
  std::size_t n = 0;
  for (const auto& b : bodies) n += contains(b, needle) ? 1 : 0;
  return n;
}

/** A transport that is gone: every exec fails (or, with timed_out, every command times out). */
class broken_shell final : public sdk::remote_shell {
 public:
  explicit broken_shell(bool timed_out = false) : timed_out_(timed_out) {}

  boost::asio::awaitable<sdk::result<sdk::exec_result>> exec(sdk::exec_request request) override {
    ++execs;
    if (!timed_out_) co_return sdk::fail(sdk::errc::connection_lost, "connection reset by peer");
    sdk::exec_result out;
    out.timed_out = true;
    out.duration = request.timeout;
    co_return out;
  }
  boost::asio::awaitable<sdk::result<sdk::upload_result>> upload(sdk::upload_request) override {
    co_return sdk::fail(sdk::errc::connection_lost, "connection reset by peer");
  }

  int execs = 0;

 private:
  bool timed_out_;
};

/** Records observer callbacks as "started <id>", "finished <id> <outcome>", "synced <destination>". */
class recording_observer final : public sdk::run_observer {
 public:
  void on_step_started(const sdk::step_spec& step) override { events.push_back("started " + step.id); }
  void on_step_finished(const sdk::step_result& r) override {
    events.push_back("finished " + r.id + " " + sdk::to_string(r.outcome));
  }
  void on_sync_finished(const sdk::sync_result& r) override { events.push_back("synced " + r.destination); }

  std::vector<std::string> events;
};

/** One module loaded from its shared object, a fake host, and a local asset root. */
class module_test : public ::testing::Test {
 protected:
  explicit module_test(std::string id) : id_(std::move(id)) {}

  void SetUp() override {
    auto loaded = load_builtin(id_);
    ASSERT_TRUE(loaded) << loaded.error().describe();
    module_ = std::move(*loaded);
  }

  const sdk::module_spec& spec() const { return module_->spec(); }
  sdk::installer& installer() { return module_->installer(); }

  /** The module's options with `overrides`; the test fails if they do not resolve. */
  sdk::option_values options(const sdk::option_values& overrides = {}) const {
    auto resolved = sdk::resolve_options(spec(), overrides);
    EXPECT_TRUE(resolved) << (resolved ? "" : resolved.error().describe());
    return resolved ? *resolved : sdk::option_values{};
  }

  sdk::result<sdk::install_report> install(const sdk::option_values& overrides = {}) {
    return install_with(installer(), overrides);
  }
  sdk::result<sdk::install_report> install_with(sdk::installer& target, const sdk::option_values& overrides = {}) {
    sdk::run_context ctx{shell, options(overrides), assets.path(), env, &observer};
    return sdk::testing::run_co([&] { return target.install(ctx); });
  }
  sdk::result<sdk::detect_report> detect(sdk::remote_shell& on, const sdk::option_values& overrides = {}) {
    sdk::run_context ctx{on, options(overrides), assets.path(), env, &observer};
    return sdk::testing::run_co([&] { return installer().detect(ctx); });
  }
  sdk::result<sdk::detect_report> detect(const sdk::option_values& overrides = {}) { return detect(shell, overrides); }
  sdk::result<sdk::sync_report> sync_config(const sdk::option_values& overrides = {}) {
    sdk::run_context ctx{shell, options(overrides), assets.path(), env, &observer};
    return sdk::testing::run_co([&] { return installer().sync_config(ctx); });
  }

  /** The exact sentinel command for this module. */
  std::string sentinel_body() const {
    return "rio_s=\"$HOME\"/'.config/comfyvn/remote/" + id_ + ".installed'\n"
           "rio_part=\"$rio_s.rio-part.$$\"\n"
           + sdk::cleanup_on_exit("rm -f \"$rio_part\"") +
           "mkdir -p \"$HOME\"/'.config/comfyvn/remote' && date -u '+%Y-%m-%dT%H:%M:%SZ' > \"$rio_part\" && "
           "mv -f \"$rio_part\" \"$rio_s\"";
  }
  std::string sentinel_probe_body() const {
    return "test -f \"$HOME\"/'.config/comfyvn/remote/" + id_ + ".installed'";
  }

  /** The outcomes of the report's steps, by id, in order: "clone=done". */
  static std::vector<std::string> outcomes(const sdk::install_report& report) {
    std::vector<std::string> out;
    for (const auto& s : report.steps) out.push_back(s.id + "=" + sdk::to_string(s.outcome));
    return out;
  }

  std::string id_;
  std::unique_ptr<kernel::loaded_module> module_;
  sdk::testing::fake_remote_shell shell;
  temp_dir assets;
  std::vector<std::pair<std::string, std::string>> env{{"HTTPS_PROXY", "http://proxy.internal:3128"}};
  recording_observer observer;
};

/**
 * The rules every command body a module sends must follow (original-behaviour.md §9 items 5,
 * 10, 11 and 16); returns the rules `body` breaks, empty when it is fine.
 */
inline std::vector<std::string> shell_rule_violations(const std::string& body) {
  static const std::regex sourced{R"((^|[;&|(\s])(source|\.)\s+\S*activate)"};
  static const std::regex piped_download{R"(curl[^\n]*\|\s*(sudo\s+(-n\s+)?)?(ba|da)?sh\b)"};
  // `sudo` run as a command (not rio_sudo, not a word in a message) must be `sudo -n`.
  static const std::regex interactive_sudo{R"((^|[^A-Za-z0-9_])sudo\s+(?!-n\b))"};
  // `ollama serve` only as a detached background job.
  static const std::regex foreground_serve{R"(ollama serve(?![^\n]*&[ \t]*(\n|$)))"};
  std::vector<std::string> broken;
  if (contains(body, "source ") || std::regex_search(body, sourced)) broken.push_back("sources a script (fails under sh)");
  if (contains(body, "apt-get")) broken.push_back("calls apt-get directly instead of rio_pkg_install");
  if (std::regex_search(body, piped_download)) broken.push_back("pipes a download into a shell");
  if (std::regex_search(body, interactive_sudo)) broken.push_back("runs sudo without -n");
  if (contains(body, "~/")) broken.push_back("has a literal ~/ (a quoted ~ does not expand)");
  if (std::regex_search(body, foreground_serve)) broken.push_back("runs ollama serve in the foreground");
  return broken;
}

/** Every request carries the SDK prelude and the run's env, and every body obeys the rules. */
inline void expect_safe_commands(const sdk::testing::fake_remote_shell& shell,
                                 const std::vector<std::pair<std::string, std::string>>& env) {
  for (const auto& request : shell.requests()) {
    EXPECT_TRUE(request.command.starts_with(sdk::shell_prelude()));
    EXPECT_EQ(request.env, env);
    EXPECT_GT(request.timeout.count(), 0);
  }
  for (const auto& body : shell.bodies()) {
    EXPECT_EQ(shell_rule_violations(body), std::vector<std::string>{}) << body;
  }
}

}  // namespace rio::test
