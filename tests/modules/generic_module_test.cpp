// Behaviour shared by all four modules: the command rules for every module, cancellation of
// data_installer, and detect through the fake shell.

#include "module_test_support.hpp"

#include <rio/sdk/options.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_future.hpp>

namespace rio::test {
namespace {
namespace asio = boost::asio;

const std::vector<std::string> all_modules{"comfyui", "sillytavern", "lmstudio", "ollama"};

/** Scripts a host where every done_check fails and every command succeeds. */
void script_fresh_host(sdk::testing::fake_remote_shell& shell, const sdk::module_spec& spec,
                       const sdk::option_values& values) {
  // Commands first: a command may embed its own check (sillytavern re-checks node).
  for (const auto& step : spec.install_steps) shell.on(sdk::render_command(step.command, spec, values).value(), exits(0));
  for (const auto& step : spec.install_steps) {
    if (!step.done_check.empty()) {
      shell.on(sdk::render_command(step.done_check, spec, values).value(), exits(1));
    }
  }
}

TEST(ShellRules, FlagTheOriginalsCommandsAndPassSafeOnes) {
  // The Python original's steps (original-behaviour.md §1) break the rules the checks enforce.
  using v = std::vector<std::string>;
  EXPECT_EQ(shell_rule_violations("curl https://ollama.ai/install.sh | sh"), v{"pipes a download into a shell"});
  EXPECT_EQ(shell_rule_violations("ollama serve"), v{"runs ollama serve in the foreground"});
  EXPECT_EQ(shell_rule_violations("sudo apt-get update"),
            (v{"calls apt-get directly instead of rio_pkg_install", "runs sudo without -n"}));
  EXPECT_EQ(shell_rule_violations("cd ~/ComfyUI && python3 -m venv venv && source venv/bin/activate"),
            (v{"sources a script (fails under sh)", "has a literal ~/ (a quoted ~ does not expand)"}));
  EXPECT_EQ(shell_rule_violations("cd x && . venv/bin/activate"), v{"sources a script (fails under sh)"});

  EXPECT_EQ(shell_rule_violations("OLLAMA_HOST='a' nohup ollama serve </dev/null >>\"$HOME/l\" 2>&1 &\nfi"), v{});
  EXPECT_EQ(shell_rule_violations("rio_sudo systemctl enable --now ollama"), v{});
  EXPECT_EQ(shell_rule_violations("! sudo -n true 2>/dev/null; echo 'needs passwordless sudo' >&2"), v{});
  EXPECT_EQ(shell_rule_violations("test -d \"$HOME\"/'ComfyUI'/.git"), v{});
}

TEST(AllModules, EveryCommandFollowsTheShellRules) {
  for (const auto& id : all_modules) {
    SCOPED_TRACE(id);
    auto loaded = load_builtin(id);
    ASSERT_TRUE(loaded) << loaded.error().describe();
    const auto& spec = (*loaded)->spec();
    auto values = sdk::resolve_options(spec, {}).value();
    sdk::testing::fake_remote_shell shell;
    script_fresh_host(shell, spec, values);
    temp_dir assets;
    std::vector<std::pair<std::string, std::string>> env{{"NO_PROXY", "localhost"}};
    sdk::run_context ctx{shell, values, assets.path(), env, nullptr};

    auto report = sdk::testing::run_co([&] { return (*loaded)->installer().install(ctx); });
    ASSERT_TRUE(report) << report.error().describe();
    EXPECT_EQ(report->state, sdk::install_state::installed) << report->error;
    auto detected = sdk::testing::run_co([&] { return (*loaded)->installer().detect(ctx); });
    ASSERT_TRUE(detected);

    // Every step's done_check runs right before its command; the sentinel is the last command.
    auto bodies = shell.bodies();
    std::size_t at = 0;
    for (const auto& step : spec.install_steps) {
      SCOPED_TRACE(step.id);
      if (!step.done_check.empty()) {
        ASSERT_LT(at, bodies.size());
        EXPECT_EQ(bodies[at++], sdk::render_command(step.done_check, spec, values).value());
      }
      ASSERT_LT(at, bodies.size());
      EXPECT_EQ(bodies[at++], sdk::render_command(step.command, spec, values).value());
    }
    EXPECT_TRUE(contains(bodies[at - 1], ".config/comfyvn/remote/" + id + ".installed'"));
    EXPECT_EQ(at + 1, bodies.size()) << "then only the detect script";
    expect_safe_commands(shell, env);
  }
}

TEST(AllModules, SentinelIsTheLastStepAndProbe) {
  for (const auto& id : all_modules) {
    SCOPED_TRACE(id);
    auto loaded = load_builtin(id);
    ASSERT_TRUE(loaded) << loaded.error().describe();
    const auto& spec = (*loaded)->spec();
    ASSERT_FALSE(spec.install_steps.empty());
    EXPECT_EQ(spec.install_steps.back().kind, sdk::step_kind::sentinel);
    EXPECT_EQ(spec.detect_steps.back().id, "sentinel");
    for (std::size_t i = 0; i + 1 < spec.install_steps.size(); ++i) {
      EXPECT_FALSE(spec.install_steps[i].done_check.empty()) << spec.install_steps[i].id << " has no done_check";
    }
  }
}

TEST(DataInstaller, ConfigSyncUploadDoesNotCrash) {
  // Regression: GCC 12.2 (the project's toolchain) destroys a braced-init temporary inside a
  // co_await expression twice, so `co_await ctx.shell.upload({source, ...})` in sync_config
  // aborted every config-sync upload with "free(): double free detected". sync_config now
  // builds a named upload_request first; keep it that way.
  auto loaded = load_builtin("ollama");
  ASSERT_TRUE(loaded) << loaded.error().describe();
  sdk::testing::fake_remote_shell shell;
  temp_dir assets;
  assets.write("config/settings/config.json", "{}");
  sdk::run_context ctx{shell, sdk::resolve_options((*loaded)->spec(), {}).value(), assets.path(), {}, nullptr};
  auto report = sdk::testing::run_co([&] { return (*loaded)->installer().sync_config(ctx); });
  ASSERT_TRUE(report);
  EXPECT_EQ(report->entries.at(0).outcome, sdk::sync_outcome::uploaded);
  EXPECT_EQ(shell.uploads().at(0).remote, "~/.config/comfyvn/remote/ollama.json");
}

TEST(DataInstaller, CancellingAHangingCommandReturnsCancelled) {
  auto loaded = load_builtin("comfyui");
  ASSERT_TRUE(loaded) << loaded.error().describe();
  sdk::testing::fake_remote_shell shell;
  shell.on("test -d", exits(1)).on("git clone", hangs());
  temp_dir assets;
  sdk::run_context ctx{shell, sdk::resolve_options((*loaded)->spec(), {}).value(), assets.path(), {}, nullptr};

  asio::io_context io;
  asio::cancellation_signal signal;
  auto future = asio::co_spawn(io, (*loaded)->installer().install(ctx),
                               asio::bind_cancellation_slot(signal.slot(), asio::use_future));
  io.poll();  // runs until the clone command hangs
  ASSERT_EQ(shell.bodies().size(), 3u);
  ASSERT_TRUE(contains(shell.bodies().back(), "git clone"));
  signal.emit(asio::cancellation_type::terminal);
  io.run();

  auto report = future.get();
  ASSERT_FALSE(report) << "a cancelled install is an error, not a report";
  EXPECT_EQ(report.error().code, sdk::make_error_code(sdk::errc::cancelled)) << report.error().describe();
  EXPECT_EQ(shell.bodies().size(), 3u) << "nothing runs after the cancelled command";
  EXPECT_TRUE(shell.uploads().empty());
}

/** Delegates to the fake, and emits the cancellation while `needle`'s command completes. */
class cancelling_shell final : public sdk::remote_shell {
 public:
  cancelling_shell(sdk::testing::fake_remote_shell& inner, asio::cancellation_signal& signal, std::string needle)
      : inner_(inner), signal_(signal), needle_(std::move(needle)) {}

  asio::awaitable<sdk::result<sdk::exec_result>> exec(sdk::exec_request request) override {
    bool trigger = contains(request.command, needle_);
    auto out = co_await inner_.exec(std::move(request));
    if (trigger) {
      // Suspend once, as a real transport does (co_spawn treats a coroutine that never
      // suspended differently), then cancel just as the command completes.
      co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
      signal_.emit(asio::cancellation_type::terminal);
    }
    co_return out;
  }
  asio::awaitable<sdk::result<sdk::upload_result>> upload(sdk::upload_request request) override {
    co_return co_await inner_.upload(std::move(request));
  }

 private:
  sdk::testing::fake_remote_shell& inner_;
  asio::cancellation_signal& signal_;
  std::string needle_;
};

TEST(DataInstaller, CancellationBetweenStepsReturnsCancelled) {
  // Asio throws operation_aborted from any nested co_await once a coroutine is cancelled, so
  // data_installer reads its cancellation state in place before each co_await and returns
  // errc::cancelled instead of throwing (the kernel would otherwise report module_threw).
  auto loaded = load_builtin("comfyui");
  ASSERT_TRUE(loaded) << loaded.error().describe();
  sdk::testing::fake_remote_shell fake;
  fake.on("test -d", exits(1));
  asio::cancellation_signal signal;
  cancelling_shell shell{fake, signal, "git clone"};
  temp_dir assets;
  sdk::run_context ctx{shell, sdk::resolve_options((*loaded)->spec(), {}).value(), assets.path(), {}, nullptr};

  asio::io_context io;
  auto future = asio::co_spawn(io, (*loaded)->installer().install(ctx),
                               asio::bind_cancellation_slot(signal.slot(), asio::use_future));
  sdk::result<sdk::install_report> report = sdk::fail(sdk::errc::module_threw, "install() threw");
  try {
    io.run();
    report = future.get();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "install() threw: " << e.what();
  }
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, sdk::make_error_code(sdk::errc::cancelled)) << report.error().describe();
  EXPECT_EQ(fake.bodies().size(), 3u) << "the venv step never starts";
}

TEST(FakeRemoteShell, ScriptedTransportFailureMakesDetectUnknown) {
  // A rule can fail the whole detect command (a transport problem), which detect reports as
  // unknown with the error as evidence; individual probes are still answered one by one.
  auto loaded = load_builtin("ollama");
  ASSERT_TRUE(loaded) << loaded.error().describe();
  sdk::testing::fake_remote_shell shell;
  shell.on("rio-probe", fails(sdk::fail(sdk::errc::connection_lost, "connection reset by peer")));
  temp_dir assets;
  sdk::run_context ctx{shell, sdk::resolve_options((*loaded)->spec(), {}).value(), assets.path(), {}, nullptr};
  auto report = sdk::testing::run_co([&] { return (*loaded)->installer().detect(ctx); });
  ASSERT_TRUE(report);
  EXPECT_EQ(report->state, sdk::detect_state::unknown) << report->evidence;
  EXPECT_TRUE(contains(report->evidence, "connection_lost")) << report->evidence;
}

}  // namespace
}  // namespace rio::test
