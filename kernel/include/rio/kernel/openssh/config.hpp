#pragma once
// How one OpenSSH-client transport reaches one host, and the ssh command line built from it.

#include <rio/kernel/ssh/remote_command.hpp>
#include <rio/kernel/ssh/target.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace rio::kernel::openssh {

struct openssh_config {
  ssh::target target;
  ssh::known_hosts known_hosts;
  /** Private key for `IdentityFile`; empty: ssh's defaults and the agent. */
  std::filesystem::path identity_file;
  /**
   * ssh's `-F`. Empty (the default) reads the user's ~/.ssh/config, which is why this transport
   * exists (ProxyJump and friends); tests pass /dev/null so no local config can change them.
   */
  std::filesystem::path ssh_config_file;
  /** `ConnectTimeout`, in whole seconds rounded up (at least 1). */
  std::chrono::milliseconds connect_timeout{std::chrono::seconds{10}};
  /** How long after the remote deadline the local ssh is killed (see ssh::client_grace). */
  std::chrono::milliseconds client_grace{ssh::client_grace};
  /** `ServerAliveInterval`: a silently dropped connection is noticed after three missed replies. */
  std::chrono::seconds keepalive{15};
  /**
   * The request's `ssh_command` (the original API's field): a name or an absolute path that must
   * resolve to an entry of the server's allow-list; empty selects the allow-list's `ssh`.
   */
  std::string ssh_command;
  /** The request's `scp_command`: checked against the allow-list like ssh_command, never run
   *  (uploads stream over ssh; see openssh_shell::upload). */
  std::string scp_command;
};

/**
 * Every ssh argument that precedes the remote command, ending with "--" and the host:
 * -T, BatchMode=yes, the host-key policy (StrictHostKeyChecking yes or accept-new, with
 * UserKnownHostsFile listing rio's record file first so that accept-new writes there), timeouts,
 * and options that keep the user's ~/.ssh/config from weakening the policy (no connection
 * sharing, forwarding or DNS-trusted keys). Paths are quoted for ssh's own option parser.
 * Errors: ssh::errc::invalid_target (ssh::validate), ssh::errc::bad_option for a path ssh cannot
 * express (control characters, "${", not absolute) or no known_hosts file at all.
 */
[[nodiscard]] result<std::vector<std::string>> ssh_arguments(const openssh_config& config);

/**
 * One path as a token of an ssh configuration line: double-quoted with '"' and '\' escaped, and
 * '%' doubled because ssh expands %-tokens in file names. Errors: ssh::errc::bad_option naming
 * `what` for control characters or "${" (ssh expands environment variables and has no escape).
 */
[[nodiscard]] result<std::string> ssh_config_token(const std::filesystem::path& path, const std::string& what);

}  // namespace rio::kernel::openssh
