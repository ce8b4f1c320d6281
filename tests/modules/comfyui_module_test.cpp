// The comfyui module, loaded from rio-comfyui.so, against the fake remote shell.

#include "module_test_support.hpp"

#include <rio/sdk/data_installer.hpp>

#include "../sdk/local_sh.hpp"

#include <filesystem>
#include <vector>

#include <unistd.h>

namespace rio::test {
namespace {

const std::string packages_check =
    "command -v git >/dev/null 2>&1 && rio_py=$(command -v 'python3') && {\n"
    "  case $rio_py in /*/bin/*) set -- \"${rio_py%/bin/*}\"/lib/python3.*/venv/__init__.py ;; *) set -- ;; esac\n"
    "  if [ $# = 1 ] && [ -f \"$1\" ]; then test -f \"${1%/venv/__init__.py}/ensurepip/__init__.py\"\n"
    "  else 'python3' -I -S -c 'import sys, posix; h = lambda m: any(posix.access(p + \"/\" + m + \"/__init__.py\", "
    "posix.R_OK) for p in sys.path); sys.exit(not (h(\"ensurepip\") and h(\"venv\")))' >/dev/null 2>&1; fi\n"
    "}";
const std::string packages_cmd = "rio_pkg_install 'git python3-venv python3-pip' 'git python3 python3-pip'";
const std::string clone_check = "test -d \"$HOME\"/'ComfyUI'/.git";
const std::string venv_check = "\"$HOME\"/'ComfyUI'/venv/bin/python -m pip --version >/dev/null 2>&1";
const std::string venv_cmd =
    "if [ 'pip' = uv ]; then\n"
    "  rio_uv=$(command -v uv 2>/dev/null) || rio_uv=\"$HOME/.local/bin/uv\"\n"
    "  \"$rio_uv\" venv --seed --python 'python3' \"$HOME\"/'ComfyUI'/venv\n"
    "else\n"
    "  'python3' -m venv \"$HOME\"/'ComfyUI'/venv\n"
    "fi";
const std::string uv_check = "[ 'pip' != uv ] || command -v uv >/dev/null 2>&1 || test -x \"$HOME/.local/bin/uv\"";
// Without host facts (the SDK alone) torch `auto` renders as `default`: PyPI's wheels.
const std::string torch_check =
    "[ \"$(cat \"$HOME\"/'ComfyUI'/venv/.rio-torch 2>/dev/null)\" = \"$(printf '%s\\n' 'default' '')\" ]";
const std::string reqs_check =
    "cd \"$HOME\"/'ComfyUI' 2>/dev/null && [ -f 'venv/.rio-requirements.sha256' ] && "
    "[ \"$(cat 'venv/.rio-requirements.sha256')\" = \"$(sha256sum 'requirements.txt' | cut -d' ' -f1)\" ]";

class ComfyuiModule : public module_test {
 protected:
  ComfyuiModule() : module_test("comfyui") {}

  // Nothing is installed: every done_check fails, every command succeeds.
  void fresh_host() {
    shell.on("h(\"ensurepip\")", exits(1))
        .on("test -d", exits(1))
        .on("-m pip --version", exits(1))
        .on("venv/.rio-torch 2>/dev/null", exits(1))
        .on("[ -f 'venv/.rio-requirements", exits(1));
  }
};

TEST_F(ComfyuiModule, FreshInstallRunsEachCheckThenCommandAndSentinelLast) {
  fresh_host();
  auto report = install();
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->state, sdk::install_state::installed) << report->error;
  EXPECT_TRUE(report->sentinel_written);
  EXPECT_EQ(outcomes(*report), (std::vector<std::string>{"system-packages=done", "clone=done", "uv=already_done",
                                                         "venv=done", "torch=done", "requirements=done",
                                                         "sentinel=done"}));

  const auto& j = shell.journal();
  ASSERT_EQ(j.size(), 12u);
  EXPECT_EQ(j[0], "exec: " + packages_check);
  EXPECT_EQ(j[1], "exec: " + packages_cmd);
  EXPECT_EQ(j[2], "exec: " + clone_check);
  EXPECT_TRUE(j[3].starts_with("exec: rio_dir=\"$HOME\"/'ComfyUI'\n")) << j[3];
  EXPECT_TRUE(contains(j[3], "GIT_TERMINAL_PROMPT=0 git clone --quiet --branch 'master' -- "
                             "'https://github.com/comfyanonymous/ComfyUI.git' \"$rio_tmp\"")) << j[3];
  EXPECT_TRUE(contains(j[3], "mv \"$rio_tmp\" \"$rio_dir\"")) << "the clone is renamed into place only on success";
  EXPECT_FALSE(contains(j[3], "git pull")) << "an existing checkout is never pulled";
  EXPECT_EQ(j[4], "exec: " + uv_check) << "installer pip: uv is not fetched";
  EXPECT_EQ(j[5], "exec: " + venv_check);
  EXPECT_EQ(j[6], "exec: " + venv_cmd);
  EXPECT_EQ(j[7], "exec: " + torch_check);
  EXPECT_TRUE(contains(j[8], "case 'default' in\n  default) set -- ;;\n")) << j[8];
  EXPECT_TRUE(contains(j[8], "rio_pip install torch torchvision torchaudio \"$@\" || exit $?\n")) << j[8];
  EXPECT_EQ(j[9], "exec: " + reqs_check);
  EXPECT_TRUE(j[10].starts_with("exec: cd \"$HOME\"/'ComfyUI' || exit 1\n(\nset -e\n")) << j[10];
  EXPECT_TRUE(contains(j[10], "if ! rio_pip install -r requirements.txt -c venv/.rio-torch-constraints.txt")) << j[10];
  EXPECT_TRUE(contains(j[10], "\n)\nrio_rc=$?\n[ \"$rio_rc\" -eq 0 ] || exit \"$rio_rc\"\n"
                              "sha256sum 'requirements.txt' | cut -d' ' -f1 > 'venv/.rio-requirements.sha256'"));
  EXPECT_EQ(j[11], "exec: " + sentinel_body());
  expect_safe_commands(shell, env);

  // Each command carries its own step's budget; a done_check never more than 120 s.
  const auto& r = shell.requests();
  EXPECT_EQ(r[9].timeout, std::chrono::seconds{120});
  EXPECT_EQ(r[8].timeout, std::chrono::seconds{1800});
  EXPECT_EQ(r[10].timeout, std::chrono::seconds{1800});
  EXPECT_EQ(r[11].timeout, std::chrono::seconds{30});
}

TEST_F(ComfyuiModule, ConfigSyncRunsAfterTheStepsAndBeforeTheSentinel) {
  fresh_host();
  assets.write("config/comfyvn.json", "{}");
  auto report = install();
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->state, sdk::install_state::installed) << report->error;
  ASSERT_EQ(report->sync.entries.size(), 1u);
  EXPECT_EQ(report->sync.entries[0].outcome, sdk::sync_outcome::uploaded);
  const auto& j = shell.journal();
  ASSERT_EQ(j.size(), 13u);
  EXPECT_TRUE(j[10].starts_with("exec: cd ")) << "after the last step";
  EXPECT_EQ(j[11], "upload: ~/.config/comfyvn/remote/comfyui.json");
  EXPECT_EQ(j[12], "exec: " + sentinel_body());
}

TEST_F(ComfyuiModule, OverridesAreValidatedAndShellQuoted) {
  fresh_host();
  auto report = install({{"install_dir", "/srv/comfy ui"},
                         {"repo_url", "https://git.example.com/o'brien/ComfyUI.git"},
                         {"ref", "v0.3.10"},
                         {"python", "python3.11; touch /tmp/pwned"},
                         {"torch_index_url", "https://download.pytorch.org/whl/cu121"},
                         {"torch", "cu121"}});
  ASSERT_TRUE(report) << report.error().describe();
  auto b = shell.bodies();
  ASSERT_EQ(b.size(), 12u);
  EXPECT_EQ(index_of(b, "rio_py=$(command -v 'python3.11; touch /tmp/pwned')"), 0u);
  EXPECT_EQ(index_of(b, "else 'python3.11; touch /tmp/pwned' -I -S -c 'import sys, posix"), 0u);
  EXPECT_EQ(b[2], "test -d '/srv/comfy ui'/.git");
  EXPECT_TRUE(contains(b[3], "rio_dir='/srv/comfy ui'\n"));
  EXPECT_TRUE(contains(b[3], "--branch 'v0.3.10' -- 'https://git.example.com/o'\\''brien/ComfyUI.git'"));
  EXPECT_TRUE(contains(b[6], "  'python3.11; touch /tmp/pwned' -m venv '/srv/comfy ui'/venv\n")) << b[6];
  EXPECT_TRUE(contains(b[8], "case 'cu121' in\n")) << b[8];
  EXPECT_TRUE(contains(b[8], "if [ -n 'https://download.pytorch.org/whl/cu121' ]; then set -- --index-url "
                             "'https://download.pytorch.org/whl/cu121'; fi\n")) << b[8];
  expect_safe_commands(shell, env);
}

TEST_F(ComfyuiModule, RerunSendsOnlyDoneChecksAndSentinel) {
  // Default reply exit 0: every done_check passes.
  auto report = install();
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->state, sdk::install_state::installed);
  EXPECT_EQ(outcomes(*report), (std::vector<std::string>{"system-packages=already_done", "clone=already_done",
                                                         "uv=already_done", "venv=already_done", "torch=already_done",
                                                         "requirements=already_done", "sentinel=done"}));
  EXPECT_EQ(shell.bodies(), (std::vector<std::string>{packages_check, clone_check, uv_check, venv_check, torch_check,
                                                      reqs_check, sentinel_body()}));
}

TEST_F(ComfyuiModule, ResumeRunsOnlyStepsWhoseCheckFails) {
  shell.on("-m pip --version", exits(1)).on("[ -f 'venv/.rio-requirements", exits(1));
  auto report = install();
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(outcomes(*report), (std::vector<std::string>{"system-packages=already_done", "clone=already_done",
                                                         "uv=already_done", "venv=done", "torch=already_done",
                                                         "requirements=done", "sentinel=done"}));
  auto b = shell.bodies();
  EXPECT_EQ(count_containing(b, "rio_pkg_install"), 0u);
  EXPECT_EQ(count_containing(b, "git clone"), 0u);
  EXPECT_EQ(index_of(b, venv_check) + 1, index_of(b, venv_cmd));
}

TEST_F(ComfyuiModule, FailingCloneHaltsTheModuleWithoutSentinel) {
  fresh_host();
  shell.on("git clone", exits(128, "fatal: repository not found"));
  assets.write("config/comfyvn.json", "{}");
  auto report = install();
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->state, sdk::install_state::failed);
  EXPECT_FALSE(report->sentinel_written);
  EXPECT_EQ(outcomes(*report), (std::vector<std::string>{"system-packages=done", "clone=failed", "uv=not_run",
                                                         "venv=not_run", "torch=not_run", "requirements=not_run",
                                                         "sentinel=not_run"}));
  EXPECT_EQ(report->steps[1].exit_code, 128);
  EXPECT_EQ(report->steps[1].stderr_tail, "fatal: repository not found");
  EXPECT_EQ(report->error, "step 'clone' failed: exit code 128");
  EXPECT_EQ(shell.bodies().size(), 4u);
  EXPECT_TRUE(shell.uploads().empty()) << "config sync only runs once every step succeeded";
  EXPECT_EQ(count_containing(shell.bodies(), ".installed"), 0u);
}

TEST_F(ComfyuiModule, ConfigSyncNeverOverwritesAnExistingDestination) {
  assets.write("config/comfyvn.json", "{}");
  shell.remote_path_exists("~/.config/comfyvn/remote/comfyui.json");
  auto report = sync_config();
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_TRUE(report->ok);
  ASSERT_EQ(report->entries.size(), 1u);
  EXPECT_EQ(report->entries[0].outcome, sdk::sync_outcome::destination_exists);
  ASSERT_EQ(shell.uploads().size(), 1u);
  EXPECT_TRUE(shell.uploads()[0].no_clobber);
  EXPECT_EQ(shell.uploads()[0].local, assets.path() / "config/comfyvn.json");
  EXPECT_TRUE(shell.bodies().empty()) << "no test -e / mkdir round trips: the transport checks";
}

TEST_F(ComfyuiModule, MissingOptionalConfigIsSkippedAndInstallStillSucceeds) {
  auto report = install();
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->state, sdk::install_state::installed);
  ASSERT_EQ(report->sync.entries.size(), 1u);
  EXPECT_EQ(report->sync.entries[0].outcome, sdk::sync_outcome::skipped_optional);
  EXPECT_TRUE(shell.uploads().empty());
  EXPECT_TRUE(report->sentinel_written);
}

TEST_F(ComfyuiModule, MissingRequiredConfigFailsBeforeTheSentinel) {
  // The original declared this entry required; with it required again, a missing source must fail.
  sdk::module_spec required = spec();
  required.config_sync.at(0).optional = false;
  sdk::data_installer strict{required};
  auto report = install_with(strict);
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->state, sdk::install_state::failed);
  EXPECT_FALSE(report->sentinel_written);
  EXPECT_FALSE(report->sync.ok);
  EXPECT_EQ(report->sync.entries.at(0).outcome, sdk::sync_outcome::failed);
  EXPECT_TRUE(contains(report->error, "missing required asset 'config/comfyvn.json'")) << report->error;
  EXPECT_EQ(report->steps.back().outcome, sdk::step_outcome::failed);
  EXPECT_EQ(count_containing(shell.bodies(), ".installed"), 0u);
}

TEST_F(ComfyuiModule, DetectReportsInstalledAbsentAndUnknown) {
  auto installed = detect();
  ASSERT_TRUE(installed) << installed.error().describe();
  EXPECT_EQ(installed->state, sdk::detect_state::installed);
  EXPECT_EQ(installed->evidence, "all 3 probes passed");
  ASSERT_EQ(shell.bodies().size(), 1u) << "all probes travel as one command";
  EXPECT_TRUE(contains(shell.bodies()[0], "( test -d \"$HOME\"/'ComfyUI'/.git\n)"));
  EXPECT_TRUE(contains(shell.bodies()[0], "( test -x \"$HOME\"/'ComfyUI'/venv/bin/python\n)"));
  EXPECT_TRUE(contains(shell.bodies()[0], "( " + sentinel_probe_body() + "\n)"));
  EXPECT_EQ(shell.requests()[0].timeout, std::chrono::seconds{60});

  shell.on("venv/bin/python", exits(1));
  auto absent = detect();
  ASSERT_TRUE(absent);
  EXPECT_EQ(absent->state, sdk::detect_state::absent);
  EXPECT_EQ(absent->evidence, "probe 'venv' failed (exit 1): Check the ComfyUI virtualenv exists.");
  ASSERT_EQ(absent->probes.size(), 3u);
  EXPECT_TRUE(absent->probes[0].passed);
  EXPECT_FALSE(absent->probes[1].passed);

  broken_shell gone;
  auto unknown = detect(gone);
  ASSERT_TRUE(unknown) << "a transport failure is a report, not an error";
  EXPECT_EQ(unknown->state, sdk::detect_state::unknown);
  EXPECT_TRUE(contains(unknown->evidence, "connection_lost")) << unknown->evidence;
  broken_shell slow{true};
  auto timed_out = detect(slow);
  ASSERT_TRUE(timed_out);
  EXPECT_EQ(timed_out->state, sdk::detect_state::unknown);
  EXPECT_EQ(timed_out->evidence, "probes timed out after 60 s");
}

TEST_F(ComfyuiModule, RejectsInvalidOverridesNamingTheOption) {
  struct bad {
    std::string name, value;
    sdk::errc code;
  };
  for (const auto& b : {bad{"repo_url", "ftp://example.com/ComfyUI.git", sdk::errc::invalid_option},
                        bad{"repo_url", "https://example.com/a b.git", sdk::errc::invalid_option},
                        bad{"install_dir", "~bob/ComfyUI", sdk::errc::invalid_option},
                        bad{"install_dir", "ComfyUI", sdk::errc::invalid_option},
                        bad{"ref", "--upload-pack=touch /tmp/x", sdk::errc::invalid_option},
                        bad{"ref", "master;id", sdk::errc::invalid_option},
                        bad{"torch_index_url", "download.pytorch.org/whl/cu121", sdk::errc::invalid_option},
                        bad{"branch", "master", sdk::errc::unknown_option}}) {
    SCOPED_TRACE(b.name + "=" + b.value);
    auto resolved = sdk::resolve_options(spec(), {{b.name, b.value}});
    ASSERT_FALSE(resolved);
    EXPECT_EQ(resolved.error().code, sdk::make_error_code(b.code));
    EXPECT_TRUE(contains(resolved.error().message, "'" + b.name + "'")) << resolved.error().message;
  }
  EXPECT_TRUE(sdk::resolve_options(spec(), {{"torch_index_url", ""}})) << "empty means PyPI's default wheels";
}

TEST_F(ComfyuiModule, TorchComesFromItsLineAndTheRequirementsInstallCannotReplaceIt) {
  // torch comes from the chosen line's index in its own step; the requirements install then runs
  // under a constraint file that pins what was installed (the torch guard), never with --upgrade.
  fresh_host();
  auto report = install({{"torch", "cu124"}});
  ASSERT_TRUE(report);
  auto b = shell.bodies();
  auto t = index_of(b, "rio_pip install torch torchvision torchaudio");
  ASSERT_LT(t, b.size());
  EXPECT_TRUE(contains(b[t], "*) set -- --index-url \"https://download.pytorch.org/whl/\"'cu124' ;;")) << b[t];
  auto i = index_of(b, "-r requirements.txt");
  ASSERT_LT(i, b.size());
  EXPECT_LT(t, i);
  EXPECT_TRUE(contains(b[i], "grep -E '^(torch|torchvision|torchaudio)==' venv/.rio-freeze.txt >venv/.rio-torch-constraints.txt")) << b[i];
  EXPECT_FALSE(contains(b[i], "--upgrade")) << b[i];
  for (const auto& bad : {"cu12x", "rocm", "auto2", "cu", "rocm6..1", "CU124"}) {
    EXPECT_FALSE(sdk::resolve_options(spec(), {{"torch", bad}})) << bad;
  }
  EXPECT_FALSE(sdk::resolve_options(spec(), {{"installer", "conda"}}));
}

// The system-packages check, run for real under /bin/sh against a python prefix laid out here:
// the filesystem answers when the prefix holds exactly one standard library, python otherwise.
TEST(ComfyuiPackagesCheck, TheFilesystemAnswersForOneStandardLibraryPythonForTheRest) {
  if (::access("/usr/bin/git", X_OK) != 0 && ::access("/bin/git", X_OK) != 0) GTEST_SKIP() << "git is needed";
  struct layout {
    const char* name;
    std::vector<std::string> files;  // under the prefix
    int python_says;
    int expect;
    bool python_asked;
  };
  const std::vector<layout> cases{
      {"one stdlib with ensurepip", {"lib/python3.11/venv/__init__.py", "lib/python3.11/ensurepip/__init__.py"}, 1, 0, false},
      {"one stdlib without ensurepip", {"lib/python3.11/venv/__init__.py"}, 0, 1, false},
      {"two stdlibs", {"lib/python3.11/venv/__init__.py", "lib/python3.12/venv/__init__.py"}, 0, 0, true},
      {"no stdlib here (a shim)", {}, 1, 1, true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    temp_dir prefix;
    for (const auto& f : c.files) prefix.write(f, "");
    const auto asked = prefix.path() / "asked";
    const auto python = prefix.write("bin/python3", "#!/bin/sh\n: > '" + asked.string() + "'\nexit " +
                                                        std::to_string(c.python_says) + "\n");
    std::filesystem::permissions(python, std::filesystem::perms::owner_all);
    const std::string script = "PATH='" + (prefix.path() / "bin").string() + "':/usr/bin:/bin\n" + packages_check;
    EXPECT_EQ(run_sh(script).exit_code, c.expect);
    EXPECT_EQ(std::filesystem::exists(asked), c.python_asked);
  }
}

}  // namespace
}  // namespace rio::test
