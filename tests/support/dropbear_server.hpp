#pragma once
// A real Dropbear server (2022.83 on Debian 12, dropbear-bin) for one test, next to the OpenSSH
// one in sshd_server.hpp: its own host key (ed25519, ECDSA or RSA), an authorised ed25519 user
// key and a home directory in a temporary directory, listening on 127.x on a free port.
//
// Dropbear has no option for the authorized_keys path: it reads ~/.ssh/authorized_keys of the
// login user as getpwnam() reports it. So the current account is given a passwd entry (through
// nss_wrapper, preloaded into dropbear) whose home is the temporary home and whose shell is
// /bin/sh. The key's forced command (session.sh) sets PATH (the fixture stubs first) and TMPDIR,
// as the throwaway OpenSSH host's SetEnv does, then runs the command with /bin/sh -c.
//
// Started with -F -E and its stderr on a pipe: the constructor returns once dropbear logs "Not
// backgrounding", which it writes only after its listening socket is bound (no sleeps). A port
// another process took in between is retried with a new one. Stopped by PID in the destructor.
// Loopback only: nothing here reaches another machine.

#include "temp_dir.hpp"

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

namespace rio::test {

struct dropbear_options {
  std::string host_key_type = "ed25519";  ///< "ed25519", "ecdsa" or "rsa"
  std::string listen_address = "127.0.0.1";
  std::filesystem::path stub_dir;  ///< put first in the sessions' PATH (offline fixtures)
};

class dropbear_server {
 public:
  explicit dropbear_server(dropbear_options options = {});
  ~dropbear_server();
  dropbear_server(const dropbear_server&) = delete;
  dropbear_server& operator=(const dropbear_server&) = delete;

  /** Whether dropbear, dropbearkey, ssh-keygen and libnss_wrapper exist; "" if so, else what is missing. */
  static std::string missing();

  const std::string& address() const noexcept { return options_.listen_address; }
  std::uint16_t port() const noexcept { return port_; }
  pid_t pid() const noexcept { return pid_; }
  const std::string& user() const noexcept { return user_; }
  /** user@address:port */
  std::string spec() const;
  std::filesystem::path home() const { return dir_.path() / "home"; }
  /** The authorised ed25519 user key (OpenSSH format, no passphrase). */
  std::filesystem::path user_key() const { return dir_.path() / "client" / "user_ed25519"; }
  /** "[addr]:port <type> AAAA..." for a known_hosts file. */
  std::string known_hosts_line() const;
  /** The same host with a freshly generated key of `type` (not the server's), for changed-key tests. */
  std::string other_known_hosts_line(const std::string& type) const;
  /** dropbear's log so far (its stderr). */
  std::string log() const;

  /** SIGTERM to dropbear (its own process group), then reaps it. Idempotent. */
  void stop();

 private:
  void write_files();
  bool start_once();
  void read_log(int fd);

  dropbear_options options_;
  temp_dir dir_;
  std::string user_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  std::thread reader_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::string log_;
  bool log_closed_ = false;
};

}  // namespace rio::test
