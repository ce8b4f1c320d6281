#pragma once
// One authenticated SSH connection over non-blocking libssh2, driven by Asio coroutines.
// libssh2 itself stays inside kernel/src/ssh: this header shows only what callers need.

#include <rio/kernel/ssh/target.hpp>
#include <rio/sdk/remote_shell.hpp>
#include <rio/vault/secret.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rio::kernel::ssh {

/** How to prove who we are. Methods are tried in this order; the error lists every one tried. */
struct auth_options {
  std::optional<vault::secret> private_key;            ///< key material from the vault, never written to disk
  std::vector<std::filesystem::path> identity_files;   ///< explicit identity files
  vault::secret passphrase;                            ///< for an encrypted private_key or identity file
  bool use_agent = true;                               ///< ssh-agent, when a socket is known
  std::optional<std::filesystem::path> agent_socket;   ///< default: $SSH_AUTH_SOCK of rio's own process
  bool default_identities = true;                      ///< ~/.ssh/id_ed25519, id_ecdsa, id_rsa when no explicit key
};

struct connect_options {
  target where;
  known_hosts hosts;
  auth_options auth;
  /** Bounds resolve + TCP connect + SSH handshake + authentication together. */
  std::chrono::milliseconds connect_timeout{std::chrono::seconds{10}};
  /** Interval of SSH keepalive messages on an idle connection; 0 disables them. */
  std::chrono::seconds keepalive{30};
};

/** What one connection's handshake agreed on; the names are the SSH protocol's. */
struct negotiated_algorithms {
  std::string kex;       ///< key exchange, e.g. curve25519-sha256
  std::string host_key;  ///< host-key signature algorithm, e.g. ssh-ed25519 or rsa-sha2-512
  std::string cipher;    ///< client to server (libssh2 uses the same list both ways)
  std::string mac;       ///< client to server; empty where the cipher authenticates itself
};

/**
 * An open session. exec() and upload() may be called from several coroutines at once: they are
 * serialised on the session (libssh2 allows one operation in flight), and parallelism comes from
 * more sessions. After a connection loss or a cancellation mid-operation the session is no
 * longer usable() and every call fails with errc::connection_lost.
 */
class session final : public sdk::remote_shell {
 public:
  /**
   * Validates the target, resolves (IPv4 and IPv6), connects, handshakes, checks the host key
   * against known_hosts (recording a new one under accept_new) and authenticates, all within
   * connect_timeout. Errors: errc::invalid_target, resolve_failed, connect_failed,
   * connect_timed_out, handshake_failed, host_key_unknown, host_key_changed, auth_failed;
   * sdk::errc::cancelled.
   */
  static boost::asio::awaitable<result<std::shared_ptr<session>>> connect(connect_options options);

  ~session() override;
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  boost::asio::awaitable<result<sdk::exec_result>> exec(sdk::exec_request request) override;
  boost::asio::awaitable<result<sdk::upload_result>> upload(sdk::upload_request request) override;

  /**
   * Sends an SSH keepalive when one is due and the session is idle (a busy session is already
   * talking). Returns the seconds until the next one is due; 0 when keepalives are off or the
   * session is unusable. Keepalives that could not be sent mark the session unusable.
   */
  boost::asio::awaitable<int> keepalive();
  /** Keepalive messages sent so far. */
  std::uint64_t keepalives_sent() const noexcept;

  /** Sends SSH_MSG_DISCONNECT and closes, giving up after `deadline`. Idempotent. */
  boost::asio::awaitable<void> disconnect(std::chrono::milliseconds deadline = std::chrono::seconds{2});

  bool usable() const noexcept;
  const target& where() const noexcept;
  /** "SHA256:..." of the host key the server presented. */
  const std::string& host_key_fingerprint() const noexcept;
  /** Whether this connection recorded the host key (accept_new on an unknown host). */
  bool host_key_recorded() const noexcept;
  /** Non-empty when accept-new let a host whose key type changed in (a possible downgrade). */
  const std::string& host_key_warning() const noexcept;
  /** The authentication method that succeeded, e.g. "publickey (agent)". */
  const std::string& auth_method() const noexcept;
  /** The algorithms the handshake agreed on (libssh2_session_methods), for -v and --json. */
  const negotiated_algorithms& algorithms() const noexcept;
  /** How often a wait found libssh2 blocked in no direction (the 1 ms fallback was used). */
  std::uint64_t directionless_waits() const noexcept;

  struct impl;

 private:
  explicit session(std::unique_ptr<impl> state);
  std::unique_ptr<impl> impl_;
};

}  // namespace rio::kernel::ssh
