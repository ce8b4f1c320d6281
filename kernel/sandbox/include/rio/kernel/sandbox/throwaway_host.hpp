#pragma once
// A throwaway SSH host on loopback for `rio demo` and the integration tests: rio's own sshd
// (generated host and user keys, a free port on 127.x), logins land in an isolated $HOME inside
// the sandbox directory, and PATH starts with the sandbox's stub directory. Loopback only.
//
// Layout of the sandbox directory:
//   sshd/     sshd_config, host key, authorized_keys, session.sh, sshd.pid, sshd.log
//   client/   user_ed25519 (the login key) and known_hosts
//   home/     $HOME (and the working directory) of every login
//   tmp/      $TMPDIR of every login (mktemp lands here, not in the machine's /tmp)
//
// How a login is isolated (checked against OpenSSH 9.2, Debian 12): sshd_config `SetEnv` sets
// HOME, PATH, TMPDIR, SHLVL=1 (so bash reads no ~/.bashrc) and a per-host token for every
// session; `ForceCommand session.sh` then changes to $HOME, because sshd itself always starts
// sessions in the account's real home directory, and runs the client's command with the login
// shell. Uploads are exec sessions too, so they land in the same $HOME (so do scp and sftp by
// hand: the SFTP server runs through the same forced command). `AllowUsers` admits the current
// user only (AuthorizedKeysFile is absolute and would otherwise admit every account). Without PAM,
// sshd refuses a locked account ("!" in /etc/shadow) even for keys: start() says so up front.
//
// The only thing outside the directory that may be touched: /run/sshd, sshd's compiled-in
// privilege-separation directory, is created (empty, 0755) when rio runs as root and it is missing.

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
  /**
   * The account's login shell on this host: "" keeps the real one; "dash", "busybox" (busybox
   * sh) or "bash-posix" (bash in POSIX mode) make sshd start every session with that shell, via
   * nss_wrapper (login_shell.hpp; needs Debian's libnss-wrapper).
   */
  std::string login_shell;
};

class throwaway_host {
 public:
  /**
   * Creates dir (which must not exist or be empty), generates keys with ssh-keygen, writes an
   * sshd_config and starts `/usr/sbin/sshd -D -e` as a child; returns once sshd reports it is
   * listening (its log line, never a sleep). A port that another process takes between choosing
   * and binding is retried with a new one. Errors: errc::bad_config naming what is missing (sshd,
   * ssh-keygen), a listen address outside 127.0.0.0/8, an unusable directory, or sshd's own
   * complaint when it did not start.
   */
  static result<std::unique_ptr<throwaway_host>> start(const std::filesystem::path& dir, host_options options = {});

  ~throwaway_host();  ///< stop()
  throwaway_host(const throwaway_host&) = delete;
  throwaway_host& operator=(const throwaway_host&) = delete;

  /** address, port and the current user (who logs in). */
  ssh::target target() const;
  /** The authorised ed25519 private key (no passphrase). */
  std::filesystem::path user_key() const;
  /** A known_hosts file holding this host's key line ("[127.0.0.1]:port ssh-ed25519 AAAA..."). */
  std::filesystem::path known_hosts_file() const;
  /** The remote $HOME of every login: <dir>/home. */
  std::filesystem::path home() const;
  /** sshd's pid while it runs, else -1. */
  pid_t pid() const noexcept;

  /** The sandbox directory (absolute). */
  std::filesystem::path dir() const;
  /** sshd's log (its stderr, `-e`): connections, authentication, errors. */
  std::filesystem::path log_file() const;
  /** Whether sshd runs (between start()/restart() and stop()). */
  bool running() const noexcept;

  /**
   * Stops sshd and everything its sessions left behind (SIGTERM, or SIGKILL when hard; processes
   * still alive 5 s after SIGTERM get SIGKILL). "Everything" is every descendant of sshd plus
   * every process whose environment carries this host's token, which finds detached background
   * jobs that were reparented away from sshd (unless they cleared their environment). sshd is
   * reaped; the others are waited for until they have exited. Idempotent. Blocks the caller.
   */
  void stop(bool hard = false);
  /**
   * Starts sshd again on the same port with the same keys (after stop()); a no-op while it runs.
   * Errors: errc::bad_config with sshd's complaint (e.g. the port was taken meanwhile).
   */
  result<void> restart();

  struct state;

 private:
  explicit throwaway_host(std::unique_ptr<state> s);
  std::unique_ptr<state> state_;
};

}  // namespace rio::kernel::sandbox
