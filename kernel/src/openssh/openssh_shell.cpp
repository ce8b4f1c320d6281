#include <rio/kernel/openssh/openssh_shell.hpp>

#include <rio/kernel/openssh/child_process.hpp>

#include <cstdlib>
#include <system_error>

namespace rio::kernel::openssh {
namespace fs = std::filesystem;

namespace {

// The child's whole environment. Never the request's: its `env` goes to the remote command
// (quoted by ssh::wrap_command), and LD_PRELOAD or SSH_ASKPASS must not reach the local ssh.
std::vector<std::string> fixed_environment() {
  std::vector<std::string> env;
  const char* path = std::getenv("PATH");
  env.push_back(std::string{"PATH="} + (path != nullptr && *path != '\0' ? path : "/usr/local/bin:/usr/bin:/bin"));
  for (const char* name : {"HOME", "SSH_AUTH_SOCK", "LANG"}) {
    if (const char* value = std::getenv(name); value != nullptr) env.push_back(std::string{name} + "=" + value);
  }
  return env;
}

}  // namespace

result<std::unique_ptr<openssh_shell>> openssh_shell::create(openssh_config config, const allow_list& allowed) {
  auto ssh = allowed.select("ssh_command", config.ssh_command, "ssh");
  if (!ssh) return ssh.error();
  if (!config.scp_command.empty()) {
    if (auto scp = allowed.select("scp_command", config.scp_command, "scp"); !scp) return scp.error();
  }
  auto args = openssh::ssh_arguments(config);
  if (!args) return args.error();

  const fs::path& record = config.known_hosts.record;
  if (!record.empty() && record.has_parent_path()) {
    std::error_code ec;
    // ssh creates the file but not its directory; rio's data/ssh may not exist yet.
    if (!fs::exists(record.parent_path(), ec) && fs::create_directories(record.parent_path(), ec)) {
      fs::permissions(record.parent_path(), fs::perms::owner_all, ec);
    }
    if (ec) {
      return ssh::fail(ssh::errc::bad_option,
                       "known_hosts record directory " + record.parent_path().string() + ": " + ec.message());
    }
  }

  std::unique_ptr<openssh_shell> shell{new openssh_shell()};
  shell->ssh_ = std::move(*ssh);
  shell->args_ = std::move(*args);
  shell->env_ = fixed_environment();
  shell->host_ = ssh::display_name(config.target);
  shell->config_ = std::move(config);
  return shell;
}

result<std::unique_ptr<child_process>> openssh_shell::start(boost::asio::any_io_executor executor,
                                                            std::string remote_command, bool stdin_stream) const {
  spawn_request request;
  request.executable = ssh_;
  request.args = args_;
  // One argv element after "--" and the host: ssh sends it to the server unchanged.
  request.args.push_back(std::move(remote_command));
  request.env = env_;
  request.stdin_stream = stdin_stream;
  auto child = child_process::spawn(executor, request);
  if (!child) return ssh::fail(ssh::errc::channel_failed, host_ + ": " + child.error().message);
  return child;
}

std::chrono::milliseconds openssh_shell::client_deadline(std::chrono::milliseconds remote_timeout) const noexcept {
  // The remote deadline starts only once ssh has connected, which may take up to connect_timeout.
  return remote_timeout + config_.connect_timeout + config_.client_grace;
}

}  // namespace rio::kernel::openssh
