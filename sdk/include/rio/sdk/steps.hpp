#pragma once
// Builders for steps that several modules share, so each idiom is written and tested once.
// Each returns a complete step_spec with a done_check, so reruns skip finished work.

#include <rio/sdk/module_spec.hpp>

#include <string>

namespace rio::sdk::steps {

/**
 * Installs missing system packages through apt-get (Debian, Ubuntu) or dnf (Rocky, RHEL).
 * @param id, description  the step's identity
 * @param ready_check      POSIX sh that exits 0 when what the packages provide is usable
 * @param apt_packages     space-separated Debian package names
 * @param dnf_packages     space-separated RPM package names
 */
step_spec system_packages(std::string id, std::string description, std::string ready_check,
                          std::string apt_packages, std::string dnf_packages);

/**
 * Clones {{<repo_option>}} at {{<ref_option>}} (a branch or tag; else a version line, v0.3: its
 * newest tag, or a commit) into {{<dir_option>}}: into a temporary
 * directory first, renamed into place only when the checkout succeeded, so a failed clone never
 * looks finished. Done when the directory already holds a git work tree; an existing checkout
 * is never pulled or reset (local changes stay the operator's).
 */
/** The file `rio uninstall` leaves in a checkout it emptied of rio's files but kept (the operator's
    files are in it); git_checkout installs into such a directory again, never over those files. */
inline constexpr const char* uninstalled_mark = ".rio-uninstalled";

step_spec git_checkout(std::string id, std::string description, const std::string& dir_option,
                       const std::string& repo_option, const std::string& ref_option);

/**
 * Installs dependencies from a manifest inside {{<dir_option>}} (requirements.txt,
 * package-lock.json...). After `install_commands` succeed, the manifest's SHA-256 is written to
 * `stamp` (relative to the directory); the step is done while the stamp matches the manifest, so
 * a rerun skips it until the manifest changes.
 */
step_spec manifest_install(std::string id, std::string description, const std::string& dir_option,
                           const std::string& manifest, const std::string& stamp, const std::string& install_commands);

/**
 * Downloads {{<url_option>}} with `curl -fsSL` to a temporary file and runs it with
 * `interpreter`. No pipe into a shell: a failed or truncated download can never run.
 */
step_spec run_installer_script(std::string id, std::string description, const std::string& url_option,
                               std::string interpreter, std::string env_assignments,
                               std::string done_check);

/**
 * `rio update` for the git checkout in {{<dir_option>}}: fetches, then checks out
 * {{<ref_option>}}: a branch (its newest commit), a tag, a version line (`v0.3`: the newest tag
 * `v0.3.*`, by version order) or a commit. A checkout with local changes (tracked files changed,
 * or commits its upstream lacks) is refused with exit status 3 and what changed, unless
 * RIO_FORCE=1, which stashes the changes first (`git stash list` shows them; untracked files such
 * as models and outputs are never touched). No done_check: it always fetches.
 */
step_spec git_update(std::string id, std::string description, const std::string& dir_option, const std::string& ref_option);

/** lifecycle_spec::save_rollback text for the git checkout in {{<dir_option>}}: its commit and branch. */
std::string git_save_rollback(const std::string& dir_option);

/**
 * `rio rollback` for the git checkout in {{<dir_option>}}: back to the commit (and branch)
 * git_save_rollback saved, with the same local-changes rule as git_update. Done when HEAD is
 * that commit.
 */
step_spec git_rollback(std::string id, std::string description, const std::string& dir_option);

}  // namespace rio::sdk::steps
