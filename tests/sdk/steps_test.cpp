// The shared step builders, run for real under the local /bin/sh (dash on Debian) against
// fixtures in a temporary HOME: a local git repository and a local manifest.
#include <rio/sdk/steps.hpp>

#include <rio/sdk/options.hpp>

#include "local_sh.hpp"

#include <gtest/gtest.h>

namespace rio::test {
namespace {

sdk::module_spec spec_for(const std::string& repo) {
  sdk::module_spec s;
  s.id = "demo";
  s.options = {{"dir", sdk::option_type::path, "~/app", "", false},
               {"repo", sdk::option_type::url, repo, "", false},
               {"ref", sdk::option_type::identifier, "main", "", false}};
  return s;
}

// Renders `text` with the spec's defaults (plus overrides) and runs it with the SDK prelude.
sh_result run_rendered(const std::string& text, const sdk::module_spec& spec, const std::string& home,
                       const sdk::option_values& overrides = {}) {
  auto values = sdk::resolve_options(spec, overrides).value();
  return run_sh(sdk::with_prelude(sdk::render_command(text, spec, values).value()), home);
}

std::string make_repo(const temp_dir& dir) {
  auto repo = dir.path() / "upstream.git";
  std::string cmd = "git init -q -b main " + sdk::shell_quote(repo.string()) + " && cd " +
                    sdk::shell_quote(repo.string()) +
                    " && echo v1 > README && git add README && "
                    "git -c user.email=t@example.invalid -c user.name=t commit -q -m init";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("cannot create the fixture repository");
  return repo.string();
}

TEST(GitCheckoutStep, ClonesOnceAndThenReportsDone) {
  temp_dir home;
  auto spec = spec_for(make_repo(home));
  auto step = sdk::steps::git_checkout("clone", "Clone.", "dir", "repo", "ref");

  EXPECT_NE(run_rendered(step.done_check, spec, home.path().string()).exit_code, 0) << "not done before";
  auto cloned = run_rendered(step.command, spec, home.path().string());
  ASSERT_EQ(cloned.exit_code, 0);
  EXPECT_EQ(read_file(home.path() / "app" / "README"), "v1\n");
  EXPECT_EQ(run_rendered(step.done_check, spec, home.path().string()).exit_code, 0) << "done after";
}

TEST(GitCheckoutStep, AFailedCloneLeavesNothingThatLooksDone) {
  temp_dir home;
  auto spec = spec_for(make_repo(home));
  auto step = sdk::steps::git_checkout("clone", "Clone.", "dir", "repo", "ref");
  auto failed = run_rendered(step.command, spec, home.path().string(), {{"ref", "no-such-branch"}});
  EXPECT_NE(failed.exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(home.path() / "app"));
  for (const auto& entry : std::filesystem::directory_iterator(home.path())) {
    EXPECT_EQ(entry.path().filename().string().find("rio-clone"), std::string::npos) << entry.path();
  }
}

TEST(GitCheckoutStep, RefusesToReplaceADirectoryThatIsNotACheckout) {
  temp_dir home;
  auto spec = spec_for(make_repo(home));
  home.write("app/precious.txt", "operator data");
  auto step = sdk::steps::git_checkout("clone", "Clone.", "dir", "repo", "ref");
  EXPECT_EQ(run_rendered(step.command, spec, home.path().string()).exit_code, 1);
  EXPECT_EQ(read_file(home.path() / "app" / "precious.txt"), "operator data");
}

TEST(ManifestInstallStep, RerunsOnlyWhenTheManifestChanges) {
  temp_dir home;
  home.write("app/requirements.txt", "torch\n");
  auto spec = spec_for("/unused");
  auto step = sdk::steps::manifest_install("deps", "Deps.", "dir", "requirements.txt", ".stamp",
                                           "echo installed >> install.log");
  const auto h = home.path().string();
  EXPECT_NE(run_rendered(step.done_check, spec, h).exit_code, 0);
  ASSERT_EQ(run_rendered(step.command, spec, h).exit_code, 0);
  EXPECT_EQ(run_rendered(step.done_check, spec, h).exit_code, 0) << "stamp matches the manifest";
  home.write("app/requirements.txt", "torch\nnumpy\n");
  EXPECT_NE(run_rendered(step.done_check, spec, h).exit_code, 0) << "a changed manifest reruns the step";
  EXPECT_EQ(read_file(home.path() / "app" / "install.log"), "installed\n");
}

TEST(ManifestInstallStep, AFailedInstallWritesNoStamp) {
  temp_dir home;
  home.write("app/requirements.txt", "torch\n");
  auto step = sdk::steps::manifest_install("deps", "Deps.", "dir", "requirements.txt", ".stamp", "false");
  EXPECT_NE(run_rendered(step.command, spec_for("/unused"), home.path().string()).exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(home.path() / "app" / ".stamp"));
}

// Whichever line of several fails, the step fails with that line's status and records nothing:
// a helper must never report done for a command that failed.
TEST(ManifestInstallStep, AFailureOnAnyLineFailsTheStep) {
  const std::vector<std::string> lines{"echo one >> install.log", "echo two >> install.log", "echo three >> install.log"};
  for (std::size_t failing = 0; failing < lines.size(); ++failing) {
    SCOPED_TRACE("line " + std::to_string(failing + 1) + " fails");
    temp_dir home;
    home.write("app/requirements.txt", "torch\n");
    std::string commands;
    for (std::size_t i = 0; i < lines.size(); ++i) commands += (i == failing ? std::string{"sh -c 'exit 7'"} : lines[i]) + "\n";
    auto step = sdk::steps::manifest_install("deps", "Deps.", "dir", "requirements.txt", ".stamp", commands);
    auto spec = spec_for("/unused");
    EXPECT_EQ(run_rendered(step.command, spec, home.path().string()).exit_code, 7);
    EXPECT_FALSE(std::filesystem::exists(home.path() / "app" / ".stamp"));
    EXPECT_NE(run_rendered(step.done_check, spec, home.path().string()).exit_code, 0) << "a rerun runs the step again";
  }
}

TEST(InstallerScriptStep, RunsADownloadedScriptAndNeverAFailedOne) {
  temp_dir home;
  auto script = home.write("upstream/install.sh", "echo ran > \"$HOME/ran.txt\"\n");
  sdk::module_spec spec;
  spec.id = "demo";
  spec.options = {{"url", sdk::option_type::url, "file://" + script.string(), "", false}};
  auto step = sdk::steps::run_installer_script("install", "Install.", "url", "sh", "", "test -f \"$HOME/ran.txt\"");
  ASSERT_EQ(run_rendered(step.command, spec, home.path().string()).exit_code, 0);
  EXPECT_EQ(read_file(home.path() / "ran.txt"), "ran\n");

  std::filesystem::remove(home.path() / "ran.txt");
  auto missing = run_rendered(step.command, spec, home.path().string(), {{"url", "file:///nonexistent/install.sh"}});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(home.path() / "ran.txt"));
}

}  // namespace
}  // namespace rio::test
