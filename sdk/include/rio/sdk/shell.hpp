#pragma once
// POSIX sh helpers shared by every module, so quoting is written (and tested) once.

#include <rio/sdk/error.hpp>

#include <string>
#include <string_view>

namespace rio::sdk {

/** 'text' with embedded single quotes as '\''; safe for any byte except NUL. */
std::string shell_quote(std::string_view text);

/**
 * A remote path quoted so that a leading `~` or `~/` still expands: "$HOME"/'rest'.
 * Errors: errc::invalid_option for `~user` forms, which rio does not expand.
 */
result<std::string> shell_quote_path(std::string_view path);

/**
 * Functions defined before every step and probe the SDK runs (all POSIX sh):
 *  - rio_sudo CMD...        : runs CMD as root; `sudo -n` when not root, so it never prompts.
 *  - rio_pkg_manager        : prints apt-get or dnf, or fails with "unsupported platform".
 *  - rio_pkg_install APT DNF: installs the packages of the space-separated list for the host's
 *                             package manager, only those not yet installed.
 *  - rio_download URL FILE  : curl -fsSL to a temporary name, renamed into place on success.
 */
std::string_view shell_prelude() noexcept;

/**
 * Lines that run `cleanup` (POSIX sh, e.g. `rm -f "$tmp"`) when the script exits for any reason:
 * normally, or on HUP, INT, PIPE or TERM (exit status 128 + the signal's number). Both handlers
 * first ignore those signals: a stopped run's TERM often arrives twice (the watchdog signals the
 * process group, and timeout passes the signal on), and a second signal during the EXIT handler
 * would end the shell before `cleanup` ran, leaving temporary files behind (dash, bash and
 * busybox sh alike).
 */
std::string cleanup_on_exit(std::string_view cleanup);

/** shell_prelude() followed by `body`: the exact text the SDK sends for a step. */
std::string with_prelude(std::string_view body);

}  // namespace rio::sdk
