#pragma once
// rio's one way to run a private OpenSSH server on loopback: the throwaway host of `rio demo` and
// the integration tests, the SSH test fixture (tests/support/sshd_server) and the benchmarks'
// fleets (bench/bench_sshd) all start sshd here. The launcher writes sshd_config from the
// settings, picks free ports, starts `sshd -D`, returns once sshd logs that it listens on every
// address (its own log line, never a fixed sleep), retries a port that another program took in
// between, and stops sshd together with everything its sessions started.
//
// Loopback only: every listen address must be inside 127.0.0.0/8.

#include <rio/kernel/error.hpp>

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace rio::kernel::sandbox {

/** sshd's MAX_LISTEN_SOCKS: one sshd listens on at most this many (address, port) pairs. */
inline constexpr std::size_t max_listen_addresses = 16;

/** Where sshd's log goes. */
enum class sshd_log {
  /**
   * `sshd -e`: stderr through a pipe that a thread of this process copies into log_file (or
   * discards when log_file is empty), so sshd never blocks on a full pipe.
   */
  pipe,
  /**
   * `sshd -E log_file`: sshd writes the file itself and nothing of it runs in this process (the
   * benchmarks measure their own CPU with getrusage).
   */
  file,
};

struct sshd_settings {
  // sshd_config

  /** 127.x.y.z each, distinct, 1..max_listen_addresses; each gets a free port of its own. */
  std::vector<std::string> listen_addresses{"127.0.0.1"};
  /** An existing directory for sshd_config and sshd.pid. */
  std::filesystem::path dir;
  std::filesystem::path host_key;  ///< the private host key (its .pub beside it)
  std::filesystem::path authorized_keys;
  int max_startups = 300;  ///< sshd's default 10 would refuse concurrent connections
  int max_sessions = 100;
  /**
   * true: the server offers only curve25519-sha256, ssh-ed25519, aes128-ctr and hmac-sha2-256, so
   * every client negotiates the same (a client that cannot fails instead). false: sshd's defaults.
   */
  bool pin_algorithms = false;
  /**
   * Debian's bash reads ~/.bashrc for ssh commands unless SHLVL is set; `SetEnv SHLVL=1` skips a
   * heavy rc file (pyenv and the like) for every client alike. false keeps it.
   */
  bool skip_login_rc = true;
  /**
   * More NAME=value pairs for every session's environment (sshd's SetEnv). No spaces or quotes.
   * With `homes`, "{HOME}" in a value stands for that address's home (e.g. PATH=...:{HOME}/bin).
   */
  std::vector<std::string> session_env;
  /**
   * Empty: sessions get the account's home. Otherwise one directory per listen address, set with
   * `Match LocalAddress` + `SetEnv HOME=<dir>`, so each address is a simulated host of its own.
   */
  std::vector<std::filesystem::path> homes;
  /** More global sshd_config lines, written before any Match block (e.g. ForceCommand). */
  std::vector<std::string> extra_config;
  std::string log_level = "INFO";  ///< DEBUG1 also logs the negotiated algorithms

  // The process

  std::filesystem::path program = "/usr/sbin/sshd";
  sshd_log log = sshd_log::pipe;
  std::filesystem::path log_file;  ///< appended to; required with sshd_log::file
  /**
   * "NAME=value" put into sshd's environment; stop() also ends every process that carries it
   * (detached jobs reparented away from sshd). Empty: the launcher makes a random one.
   */
  std::string marker;
  /** More NAME=value pairs for sshd's own environment (e.g. nss_wrapper's). */
  std::vector<std::string> process_env;
  /**
   * false: sshd stays in this process's group, so a Ctrl-C that ends rio ends sshd too.
   * true: a group of its own, so the caller's signals to its own group do not reach it.
   */
  bool own_process_group = false;
  /** sshd gets SIGTERM when the thread that started it dies (PR_SET_PDEATHSIG). */
  bool die_with_parent = false;
  std::chrono::seconds ready_timeout{20};
};

/** One listening socket: an address and its port. */
struct sshd_endpoint {
  std::string address;
  std::uint16_t port = 0;
};

namespace detail {
class sshd_process;
}

class sshd_launcher {
 public:
  /**
   * Checks the settings, writes sshd_config and starts sshd; returns once it listens on every
   * address. A port taken between choosing and binding is retried with new ones (5 attempts).
   * Errors: errc::bad_config for an address outside 127.0.0.0/8, settings that do not fit
   * together, a missing program, or sshd's own complaint (the tail of its log) when it did not
   * start.
   */
  static result<std::unique_ptr<sshd_launcher>> start(sshd_settings settings);

  ~sshd_launcher();  ///< stop()
  sshd_launcher(const sshd_launcher&) = delete;
  sshd_launcher& operator=(const sshd_launcher&) = delete;

  /** Every (address, port), in the order of listen_addresses. */
  const std::vector<sshd_endpoint>& endpoints() const noexcept { return endpoints_; }
  /** sshd's pid while it runs, else -1. */
  pid_t pid() const noexcept;
  bool running() const noexcept;
  const sshd_settings& settings() const noexcept { return settings_; }
  std::filesystem::path config_file() const { return settings_.dir / "sshd_config"; }

  /** "[address]:port <type> <key>" for a known_hosts file, one per endpoint. */
  std::vector<std::string> known_hosts_lines() const;

  /**
   * Ends sshd and every process that descends from it or carries the marker: SIGTERM (SIGKILL
   * when `hard`; survivors get SIGKILL after 5 s), reaps sshd and waits until the others have
   * exited. Idempotent. Blocks the caller.
   */
  void stop(bool hard = false);

  /**
   * Starts sshd again on the same ports (after stop()); a no-op while it runs. Errors:
   * errc::bad_config with sshd's complaint (e.g. a port was taken meanwhile).
   */
  result<void> restart();

 private:
  explicit sshd_launcher(sshd_settings settings);
  /** Writes the config for endpoints_ and starts sshd; `port_taken` reports a bind race. */
  result<void> launch(bool& port_taken);

  sshd_settings settings_;
  std::vector<sshd_endpoint> endpoints_;
  std::unique_ptr<detail::sshd_process> sshd_;
};

}  // namespace rio::kernel::sandbox
