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
      "if [ -e \"$rio_dir\" ] && [ ! -d \"$rio_dir/.git\" ]; then\n"
      "  echo \"rio: $rio_dir exists but is not a git checkout; move it aside or set another directory\" >&2; exit 1\n"
      "fi\n"
      "command -v git >/dev/null 2>&1 || { echo 'rio: git is not installed' >&2; exit 127; }\n"
      "mkdir -p \"$(dirname \"$rio_dir\")\" || exit 1\n"
      "rio_tmp=\"$rio_dir.rio-clone.$$\"\n"
      "rm -rf \"$rio_tmp\"\n"
      // A clone stopped by a signal (the run was interrupted or killed, the step timed out) must
      // not leave a partial checkout behind.
      + cleanup_on_exit("rm -rf \"$rio_tmp\"") +
      "if GIT_TERMINAL_PROMPT=0 git clone --quiet --branch {{" + ref_option + "}} -- {{" + repo_option +
      "}} \"$rio_tmp\"; then\n"
      "  mv \"$rio_tmp\" \"$rio_dir\"\n"
      "else\n"
      "  rio_rc=$?; rm -rf \"$rio_tmp\"; exit $rio_rc\n"
      "fi";
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

}  // namespace rio::sdk::steps
