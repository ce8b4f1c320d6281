#pragma once
// A throwaway SSH host on loopback for `rio demo` and the integration tests: rio's own sshd
// (generated host and user keys, a free port on 127.x), logins land in an isolated $HOME inside
// the sandbox directory, and PATH starts with the sandbox's stub directory. Loopback only.

#include <rio/kernel/error.hpp>
#include <rio/kernel/ssh/target.hpp>

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace rio::kernel::sandbox {

struct host_options {
  /** Must be inside 127.0.0.0/8; anything else is refused. */
  std::string listen_address = "127.0.0.1";
  int max_startups = 300;
  /** Extra directory put first on the remote PATH (e.g. fixture stubs); empty for none. */
  std::filesystem::path stub_dir;
};

class throwaway_host {
 public:
  /**
   * Creates dir (which must not exist or be empty), generates keys with ssh-keygen, writes an
   * sshd_config and starts `/usr/sbin/sshd -D -e` as a child; returns once sshd reports it is
   * listening. Errors: errc::bad_config naming what is missing (sshd, ssh-keygen) or what failed.
   */
  static result<std::unique_ptr<throwaway_host>> start(const std::filesystem::path& dir, host_options options = {});

  ~throwaway_host();  ///< stop()
  throwaway_host(const throwaway_host&) = delete;
  throwaway_host& operator=(const throwaway_host&) = delete;

  /** address, port and the current user (who logs in). */
  ssh::target target() const;
  /** The authorised ed25519 private key (no passphrase). */
  std::filesystem::path user_key() const;
  /** A known_hosts file holding this host's key line. */
  std::filesystem::path known_hosts_file() const;
  /** The remote $HOME of every login: <dir>/home. */
  std::filesystem::path home() const;
  pid_t pid() const noexcept;

  /** Stops sshd and everything its sessions left behind (SIGTERM, or SIGKILL when hard). Idempotent. */
  void stop(bool hard = false);
  /** Starts sshd again on the same port with the same keys (after stop()). */
  result<void> restart();

  struct state;

 private:
  explicit throwaway_host(std::unique_ptr<state> s);
  std::unique_ptr<state> state_;
};

}  // namespace rio::kernel::sandbox
