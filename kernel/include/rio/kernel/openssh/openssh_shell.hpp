#pragma once
// The second SSH transport: each command runs the system OpenSSH client, so a user's
// ~/.ssh/config (ProxyJump, host aliases, agents) applies, under rio's host-key policy. It
// implements the SDK's remote_shell exactly like the libssh2 transport.

#include <rio/kernel/openssh/allow_list.hpp>
#include <rio/kernel/openssh/config.hpp>
#include <rio/sdk/remote_shell.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace rio::kernel::openssh {

class child_process;

class openssh_shell final : public sdk::remote_shell {
 public:
  /**
   * Validates everything before anything runs: the target (ssh::validate), the request-named
   * executables against `allowed`, the paths (see ssh_arguments); creates the directory of the
   * known_hosts record file. The child's environment is fixed here: PATH, HOME, SSH_AUTH_SOCK and
   * LANG from rio's own environment, nothing else.
   * Errors: ssh::errc::invalid_target, ssh::errc::not_allowed naming the field, ssh::errc::bad_option.
   */
  [[nodiscard]] static result<std::unique_ptr<openssh_shell>> create(openssh_config config, const allow_list& allowed);

  /**
   * Runs `ssh ... -- host '<ssh::wrap_command text>'` and streams stdout and stderr to
   * request.sink as they arrive. ssh's stdin carries request.env (wrap_command's preamble) and
   * then ends; without env it is /dev/null. The remote `timeout` enforces request.timeout; the
   * local ssh is stopped at request.timeout + connect_timeout + client_grace as a backstop.
   * Errors: ssh::errc::bad_option (env name, timeout <= 0), ssh::errc::channel_failed (ssh did not start), the
   * ssh::errc connect/host-key/auth/connection codes when ssh itself failed (exit 255 with its
   * diagnostics; the message carries ssh's stderr), sdk::errc::cancelled.
   */
  boost::asio::awaitable<sdk::result<sdk::exec_result>> exec(sdk::exec_request request) override;

  /**
   * Streams request.local (a file, or a directory as ustar) into ssh::upload_receiver over ssh's
   * stdin; bytes are sent only after the receiver printed "rio-upload: ready".
   * Errors: ssh::errc::upload_failed (the receiver failed, with its stderr, or timed out), the
   * ssh::errc transport codes, ssh::errc::bad_option, sdk::errc::cancelled.
   */
  boost::asio::awaitable<sdk::result<sdk::upload_result>> upload(sdk::upload_request request) override;

  /** The executable that runs (an allow-list entry). */
  const std::filesystem::path& ssh_executable() const noexcept { return ssh_; }
  /** The arguments before the remote command, ending with "--" and the host. */
  const std::vector<std::string>& ssh_arguments() const noexcept { return args_; }
  /** The child's whole environment. */
  const std::vector<std::string>& child_environment() const noexcept { return env_; }

 private:
  openssh_shell() = default;
  [[nodiscard]] result<std::unique_ptr<child_process>> start(boost::asio::any_io_executor executor,
                                                             std::string remote_command, bool stdin_stream) const;
  std::chrono::milliseconds client_deadline(std::chrono::milliseconds remote_timeout) const noexcept;

  openssh_config config_;
  std::filesystem::path ssh_;
  std::vector<std::string> args_;
  std::vector<std::string> env_;
  std::string host_;  ///< ssh::display_name, for messages
};

}  // namespace rio::kernel::openssh
