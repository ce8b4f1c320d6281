#pragma once
// A real OpenSSH server for one test: its own host key, user key, authorized_keys and config in
// a temporary directory, listening on 127.0.0.1 (or another 127.x address) on a free port.
// Started by rio's one sshd launcher (rio/kernel/sandbox/sshd_launcher.hpp), which returns once
// sshd itself logs "Server listening on" (no sleeps); sshd's log is scratch()/sshd.log. Stopped
// in the destructor. Loopback only: nothing here reaches another machine.

#include "temp_dir.hpp"

#include <rio/kernel/sandbox/sshd_launcher.hpp>

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace rio::test {

struct sshd_options {
  std::string listen_address = "127.0.0.1";
  int max_startups = 300;  ///< raised above sshd's default 10 for concurrency tests
  int max_sessions = 100;
};

class sshd_server {
 public:
  explicit sshd_server(sshd_options options = {});
  /** With `extra_config`: sshd_config lines after the launcher's own (e.g. "Ciphers 3des-cbc"). */
  sshd_server(sshd_options options, std::vector<std::string> extra_config);
  ~sshd_server();
  sshd_server(const sshd_server&) = delete;
  sshd_server& operator=(const sshd_server&) = delete;

  /** Whether /usr/sbin/sshd and ssh-keygen exist; tests GTEST_SKIP() without them. */
  static bool available();

  const std::string& address() const noexcept { return options_.listen_address; }
  std::uint16_t port() const noexcept { return port_; }
  pid_t pid() const noexcept { return sshd_ ? sshd_->pid() : -1; }
  /** The account tests log in as (the current user; root in CI). */
  const std::string& user() const noexcept { return user_; }

  /** An ed25519 user key authorised on this server (OpenSSH private key format, no passphrase). */
  std::filesystem::path user_key() const { return dir_.path() / "user_ed25519"; }
  /** A second key pair that is NOT authorised. */
  std::filesystem::path stranger_key() const { return dir_.path() / "stranger_ed25519"; }
  /** A passphrase-protected key that is authorised; its passphrase is key_passphrase(). */
  std::filesystem::path encrypted_user_key() const { return dir_.path() / "user_enc_ed25519"; }
  static const char* key_passphrase() noexcept { return "correct horse battery staple"; }

  /**
   * Generates a key pair of `type` ("ecdsa", "rsa", "ed25519"), authorises it on this server
   * (sshd reads authorized_keys at every login) and returns the private key's path.
   */
  std::filesystem::path authorize_new_key(const std::string& type, const std::string& passphrase = "");

  /** "[addr]:port ssh-ed25519 AAAA..." for a known_hosts file. */
  std::string known_hosts_line() const;
  /** The same host with a different (wrong) key, to simulate a changed host key. */
  std::string wrong_known_hosts_line() const;
  /** The server key's "SHA256:..." fingerprint as ssh-keygen prints it. */
  std::string host_key_fingerprint() const;

  /** Scratch space that lives as long as the server (for known_hosts files and such). */
  const std::filesystem::path& scratch() const noexcept { return dir_.path(); }

  /** Stops sshd and its session processes with SIGTERM (or SIGKILL) and reaps it. Idempotent. */
  void stop(bool hard = false);

 private:
  void generate_keys();
  void start();

  sshd_options options_;
  std::vector<std::string> extra_config_;
  temp_dir dir_;
  std::string user_;
  std::uint16_t port_ = 0;
  std::unique_ptr<kernel::sandbox::sshd_launcher> sshd_;
};

/** Runs a local command line with /bin/sh, returning its stdout; throws when it exits non-zero. */
std::string run_local(const std::string& command_line);

}  // namespace rio::test
