#include <rio/sdk/steps.hpp>

#include <rio/sdk/shell.hpp>

namespace rio::sdk::steps {

step_spec system_packages(std::string id, std::string description, std::string ready_check,
                          std::string apt_packages, std::string dnf_packages) {
  step_spec step;
  step.id = std::move(id);
  step.description = std::move(description);
  step.command = "rio_pkg_install " + shell_quote(apt_packages) + " " + shell_quote(dnf_packages);
  step.done_check = std::move(ready_check);
  step.timeout = std::chrono::seconds{900};
  step.needs_root = true;
  step.needs_package_manager = true;
  return step;
}

step_spec git_checkout(std::string id, std::string description, const std::string& dir_option,
                       const std::string& repo_option, const std::string& ref_option) {
  const std::string dir = "{{" + dir_option + "}}";
  step_spec step;
  step.id = std::move(id);
  step.description = std::move(description);
  step.command =
      "rio_dir=" + dir + "\n"
      // A directory rio uninstall left (it kept the operator's files and marked it) takes the
      // checkout back in around them; anything else in the way is refused.
      "if [ -e \"$rio_dir\" ] && [ ! -d \"$rio_dir/.git\" ] && [ ! -f \"$rio_dir/" + std::string{uninstalled_mark} + "\" ]; then\n"
      "  echo \"rio: $rio_dir exists but is not a git checkout; move it aside or set another directory\" >&2; exit 1\n"
      "fi\n"
      "rio_place() {\n"
      "  if [ ! -d \"$rio_dir\" ]; then mv \"$rio_tmp\" \"$rio_dir\"; return; fi\n"
      // checkout-index never overwrites a file that exists (it says so, and exits 1): the
      // operator's copy wins; then no tracked file may be missing.
      "  mv \"$rio_tmp/.git\" \"$rio_dir/.git\" && rm -rf \"$rio_tmp\" || return 1\n"
      "  git -C \"$rio_dir\" checkout-index -a -q || :\n"
      "  [ -z \"$(git -C \"$rio_dir\" ls-files --deleted)\" ] ||\n"
      "    { echo \"rio: the checkout could not be restored in $rio_dir\" >&2; return 1; }\n"
      "  rm -f \"$rio_dir/" + std::string{uninstalled_mark} + "\"\n"
      "}\n"
      "command -v git >/dev/null 2>&1 || { echo 'rio: git is not installed' >&2; exit 127; }\n"
      "mkdir -p \"$(dirname \"$rio_dir\")\" || exit 1\n"
      "rio_tmp=\"$rio_dir.rio-clone.$$\"\n"
      "rm -rf \"$rio_tmp\"\n"
      // A clone stopped by a signal (the run was interrupted or killed, the step timed out) must
      // not leave a partial checkout behind.
      + cleanup_on_exit("rm -rf \"$rio_tmp\"") +
      "if GIT_TERMINAL_PROMPT=0 git clone --quiet --branch {{" + ref_option + "}} -- {{" + repo_option +
      "}} \"$rio_tmp\"; then\n"
      "  rio_place\n"
      "  exit $?\n"
      "else\n"
      "  rio_rc=$?\n"
      "fi\n"
      // --branch takes branches and tags; a version line (v0.3: its newest tag, as a pin may say)
      // or a commit is resolved in a plain clone instead.
      "rm -rf \"$rio_tmp\"\n"
      "rio_ref={{" + ref_option + "}}\n"
      "GIT_TERMINAL_PROMPT=0 git clone --quiet --no-checkout -- {{" + repo_option + "}} \"$rio_tmp\" 2>/dev/null || exit $rio_rc\n"
      "rio_tag=$(git -C \"$rio_tmp\" tag -l \"$rio_ref.*\" --sort=-v:refname | head -n 1)\n"
      "rio_to=$(git -C \"$rio_tmp\" rev-parse -q --verify \"${rio_tag:-$rio_ref}^{commit}\") || exit $rio_rc\n"
      "git -C \"$rio_tmp\" checkout --quiet --detach \"$rio_to\" && rio_place";
  step.done_check = "test -d " + dir + "/.git";
  step.timeout = std::chrono::seconds{900};
  step.needs_tools = {"git"};
  return step;
}

step_spec manifest_install(std::string id, std::string description, const std::string& dir_option,
                           const std::string& manifest, const std::string& stamp, const std::string& install_commands) {
  const std::string dir = "{{" + dir_option + "}}";
  const std::string hash_of_manifest = "sha256sum " + shell_quote(manifest) + " | cut -d' ' -f1";
  step_spec step;
  step.id = std::move(id);
  step.description = std::move(description);
  // Every line of install_commands counts, not only the last: they run in a subshell under
  // `set -e`, so the first simple command that fails ends them with its status and no stamp is
  // written (a failure inside an `if` condition or a `&&`/`||` list that is not the last is the
  // author's to handle, as in any sh script). The subshell's status is read on the next line:
  // written as `( ... ) || exit`, the `||` would switch `set -e` off inside it.
  step.command = "cd " + dir + " || exit 1\n(\nset -e\n" + install_commands + "\n)\nrio_rc=$?\n" +
                 "[ \"$rio_rc\" -eq 0 ] || exit \"$rio_rc\"\n" + hash_of_manifest + " > " + shell_quote(stamp);
  step.done_check = "cd " + dir + " 2>/dev/null && [ -f " + shell_quote(stamp) + " ] && [ \"$(cat " +
                    shell_quote(stamp) + ")\" = \"$(" + hash_of_manifest + ")\" ]";
  step.timeout = std::chrono::seconds{1800};
  step.needs_tools = {"sha256sum"};  // the module adds what its install_commands call
  return step;
}

step_spec run_installer_script(std::string id, std::string description, const std::string& url_option,
                               std::string interpreter, std::string env_assignments, std::string done_check) {
  step_spec step;
  step.id = std::move(id);
  step.description = std::move(description);
  std::string env = env_assignments.empty() ? std::string{} : env_assignments + " ";
  step.command =
      "rio_script=$(mktemp) || exit 1\n"
      // As in git_checkout: a signal must not leave the script in $TMPDIR.
      + cleanup_on_exit("rm -f \"$rio_script\"") +
      "rio_download {{" + url_option + "}} \"$rio_script\" || exit $?\n" +
      env + interpreter + " \"$rio_script\"";
  step.done_check = std::move(done_check);
  step.timeout = std::chrono::seconds{1200};
  step.needs_tools = {"curl", interpreter};
  return step;
}

namespace {

// Enters the checkout, then refuses local changes (exit 3) unless RIO_FORCE=1, which stashes them
// (and keeps commits the upstream lacks on a rio-saved-* branch). rio's identity is given inline:
// a host's git may have none, and stash needs one.
std::string enter_clean_checkout(const std::string& dir) {
  return "rio_dir=" + dir + "\n"
         "cd \"$rio_dir\" 2>/dev/null && [ -d .git ] ||\n"
         "  { echo \"rio: $rio_dir is not a git checkout (rio install makes one)\" >&2; exit 1; }\n"
         "command -v git >/dev/null 2>&1 || { echo 'rio: git is not installed' >&2; exit 127; }\n"
         "rio_git() { git -c user.name=rio -c user.email=rio@localhost -c core.quotePath=false \"$@\"; }\n"
         "rio_changed=$(git status --porcelain --untracked-files=no)\n"
         "rio_ahead=$(git rev-list --count '@{upstream}..HEAD' 2>/dev/null || echo 0)\n"
         "if [ -n \"$rio_changed\" ] || [ \"$rio_ahead\" != 0 ]; then\n"
         "  if [ \"${RIO_FORCE-}\" != 1 ]; then\n"
         "    echo \"rio: refusing to change $rio_dir: it has local changes (rerun with --force to stash them first):\" >&2\n"
         "    [ -z \"$rio_changed\" ] || printf '%s\\n' \"$rio_changed\" | head -n 20 >&2\n"
         "    [ \"$rio_ahead\" = 0 ] || echo \"  $rio_ahead commit(s) not on $(git rev-parse --abbrev-ref '@{upstream}')\" >&2\n"
         "    exit 3\n"
         "  fi\n"
         "  rio_stamp=$(date -u +%Y%m%dT%H%M%SZ)\n"
         "  [ -z \"$rio_changed\" ] || rio_git stash push --quiet -m \"rio: local changes before $rio_stamp\" || exit 1\n"
         "  [ \"$rio_ahead\" = 0 ] || rio_git branch \"rio-saved-$rio_stamp\" HEAD || exit 1\n"
         "  echo \"rio: local changes kept aside (git stash list; branch rio-saved-$rio_stamp for commits)\" >&2\n"
         "fi\n";
}

}  // namespace

step_spec git_update(std::string id, std::string description, const std::string& dir_option, const std::string& ref_option) {
  step_spec step;
  step.id = std::move(id);
  step.description = std::move(description);
  step.command =
      enter_clean_checkout("{{" + dir_option + "}}") +
      "rio_ref={{" + ref_option + "}}\n"
      "GIT_TERMINAL_PROMPT=0 git fetch --quiet --tags --force origin ||\n"
      "  { echo \"rio: git fetch from $(git remote get-url origin 2>/dev/null) failed\" >&2; exit 1; }\n"
      "if rio_to=$(git rev-parse -q --verify \"refs/remotes/origin/$rio_ref^{commit}\"); then\n"
      "  rio_git checkout --quiet -B \"$rio_ref\" \"refs/remotes/origin/$rio_ref\" || exit 1\n"
      "  rio_git branch --quiet --set-upstream-to=\"origin/$rio_ref\" || exit 1\n"
      "else\n"
      "  if ! rio_to=$(git rev-parse -q --verify \"refs/tags/$rio_ref^{commit}\"); then\n"
      // A line: the newest tag under it, by version order (v0.3 -> v0.3.12, not v0.30).
      "    rio_tag=$(git tag -l \"$rio_ref.*\" --sort=-v:refname | head -n 1)\n"
      "    if [ -n \"$rio_tag\" ]; then rio_to=$(git rev-parse -q --verify \"refs/tags/$rio_tag^{commit}\") || exit 1\n"
      "    elif ! rio_to=$(git rev-parse -q --verify \"$rio_ref^{commit}\"); then\n"
      "      echo \"rio: '$rio_ref' is neither a branch, a tag, a version line nor a commit of $(git remote get-url origin)\" >&2\n"
      "      exit 1\n"
      "    fi\n"
      "  fi\n"
      "  rio_git checkout --quiet --detach \"$rio_to\" || exit 1\n"
      "fi\n"
      "echo \"rio: $rio_dir is at $(git describe --tags --always)\"";
  step.timeout = std::chrono::seconds{900};
  step.needs_tools = {"git"};
  return step;
}

std::string git_save_rollback(const std::string& dir_option) {
  const std::string dir = "{{" + dir_option + "}}";
  return "git -C " + dir + " rev-parse HEAD >commit\n"
         "git -C " + dir + " symbolic-ref -q --short HEAD >branch || :\n";
}

step_spec git_rollback(std::string id, std::string description, const std::string& dir_option) {
  const std::string dir = "{{" + dir_option + "}}";
  step_spec step;
  step.id = std::move(id);
  step.description = std::move(description);
  step.command = enter_clean_checkout(dir) +
                 "rio_to=$(cat \"$RIO_ROLLBACK_DIR/commit\" 2>/dev/null) && [ -n \"$rio_to\" ] ||\n"
                 "  { echo \"rio: no saved commit in $RIO_ROLLBACK_DIR\" >&2; exit 1; }\n"
                 "rio_branch=$(cat \"$RIO_ROLLBACK_DIR/branch\" 2>/dev/null)\n"
                 "if [ -n \"$rio_branch\" ]; then rio_git checkout --quiet -B \"$rio_branch\" \"$rio_to\" || exit 1\n"
                 "else rio_git checkout --quiet --detach \"$rio_to\" || exit 1; fi\n"
                 "echo \"rio: $rio_dir is back at $(git describe --tags --always)\"";
  step.done_check = "[ \"$(git -C " + dir + " rev-parse HEAD 2>/dev/null)\" = \"$(cat \"$RIO_ROLLBACK_DIR/commit\" 2>/dev/null)\" ] && " +
                    "[ -z \"$(git -C " + dir + " status --porcelain --untracked-files=no)\" ]";
  step.timeout = std::chrono::seconds{300};
  step.needs_tools = {"git"};
  return step;
}

}  // namespace rio::sdk::steps
