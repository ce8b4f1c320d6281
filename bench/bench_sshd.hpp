#pragma once
// Loopback sshd instances for the benchmarks (rio_bench_ssh, rio_bench_plan, rio_soak), started by
// rio's one sshd launcher (rio/kernel/sandbox/sshd_launcher.hpp) with the options the benchmarks
// need. Nothing of sshd may run inside the benchmark process, because the benchmark measures its
// own CPU with getrusage(RUSAGE_SELF). So:
//   * sshd logs to a file (-E, sshd_log::file), read only while waiting for "Server listening on";
//   * sshd runs in its own process group and gets SIGTERM if the benchmark dies (PR_SET_PDEATHSIG);
//   * the server's CPU is read from /proc (the listener's own time plus its reaped children's).
// Loopback only: every address must be 127.x.y.z. One instance may listen on several addresses
// (up to 16, sshd's MAX_LISTEN_SOCKS), each on its own port: each (address, port) is one
// simulated host.

#include <rio/kernel/sandbox/sshd_launcher.hpp>

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace rio::bench {

/**
 * A directory under $TMPDIR (else /tmp), or under `parent`, removed with everything in it (also by
 * remove_scratch_from_signal; at most two exist at once).
 */
class scratch_dir {
 public:
  scratch_dir();
  explicit scratch_dir(const std::filesystem::path& parent);
  ~scratch_dir();
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  const std::filesystem::path& path() const noexcept { return path_; }
  /** Leaves the directory in place at exit (for looking at what a run did). */
  void keep() noexcept { keep_ = true; }

 private:
  std::filesystem::path path_;
  bool keep_ = false;
  int slot_ = -1;  // which signal-handler buffer holds the path
};

/** Runs a program (no shell) and waits; throws when it cannot start or exits non-zero. */
void run_program(const std::vector<std::string>& argv);

/** Keys shared by every sshd instance of one benchmark run. */
struct bench_keys {
  std::filesystem::path user_key;         ///< ed25519, no passphrase, authorised everywhere
  std::filesystem::path authorized_keys;  ///< holds user_key.pub
  static bench_keys generate(const std::filesystem::path& dir);
};

/** sshd's MAX_LISTEN_SOCKS: one instance listens on at most this many (address, port) pairs. */
using kernel::sandbox::max_listen_addresses;

struct sshd_settings {
  std::vector<std::string> listen_addresses;  ///< 127.x.y.z each, distinct, 1..max_listen_addresses
  std::filesystem::path dir;                  ///< this instance's own directory (created)
  std::filesystem::path authorized_keys;
  /**
   * sshd runs every command through the account's login shell; bash then reads ~/.bashrc when
   * it thinks sshd started it and SHLVL < 2. `SetEnv SHLVL=1` in sshd_config skips that for
   * every client alike. false keeps the account's ~/.bashrc in every login.
   */
  bool skip_login_rc = true;
  /**
   * true: the server offers only curve25519-sha256, ssh-ed25519, aes128-ctr and hmac-sha2-256
   * (rio_bench_ssh). false: sshd's default algorithm lists (rio_bench_plan).
   */
  bool pin_algorithms = true;
  /**
   * Empty: sessions get the account's home. Otherwise one directory per listen address, set with
   * `Match LocalAddress <address>` + `SetEnv HOME=<dir>`, so each simulated host has a home of its
   * own (its ~/.config, its sentinels) while the login account stays the same.
   */
  std::vector<std::filesystem::path> homes;
  /**
   * More NAME=value pairs for every session's environment (sshd's SetEnv), e.g. a PATH that starts
   * with the fixture upstreams' stub directory (rio_soak). No spaces or quotes in them. With
   * `homes`, "{HOME}" in a value stands for the address's home (e.g. PATH=...:{HOME}/.local/bin).
   */
  std::vector<std::string> extra_env;
  /** sshd's LogLevel; DEBUG1 makes it log the negotiated algorithms ("kex: algorithm: ..."). */
  std::string log_level = "INFO";
};

/** One simulated host: an address and the port the instance listens on there. */
using kernel::sandbox::sshd_endpoint;

class bench_sshd {
 public:
  explicit bench_sshd(sshd_settings settings);
  ~bench_sshd();
  bench_sshd(const bench_sshd&) = delete;
  bench_sshd& operator=(const bench_sshd&) = delete;

  /** The first endpoint's address and port. */
  const std::string& address() const noexcept { return endpoints().front().address; }
  std::uint16_t port() const noexcept { return endpoints().front().port; }
  /** Every (address, port) the instance listens on, in the order of listen_addresses. */
  const std::vector<sshd_endpoint>& endpoints() const noexcept { return sshd_->endpoints(); }
  pid_t pid() const noexcept { return pid_; }
  const std::filesystem::path& log_file() const noexcept { return log_; }

  /** "[addr]:port ssh-ed25519 AAAA..." for the first endpoint. */
  std::string known_hosts_line() const;
  /** The same line for every endpoint. */
  std::vector<std::string> known_hosts_lines() const;

  /** CPU seconds of the listener plus every child it has reaped (all sessions that ended). */
  double cpu_seconds() const;

  /** Stops the listener and every process below it, by PID, and reaps the listener. Idempotent. */
  void stop() noexcept;

 private:
  std::filesystem::path log_;
  std::unique_ptr<kernel::sandbox::sshd_launcher> sshd_;
  pid_t pid_ = -1;  // registered for kill_registered_sshd_from_signal until stop()
};

/** Every process below `root`, from /proc's parent links. */
std::vector<pid_t> descendants_of(pid_t root);

/**
 * Makes this process the reaper of orphans from below it (PR_SET_CHILD_SUBREAPER). Commands that
 * sshd's sessions leave running in the background (rio's exec wrapper leaves a watchdog that ends
 * when the channel closes) then come back here instead of to init, so their CPU is still counted
 * as server CPU, and a phase is over only when they ended.
 */
void become_subreaper();

/**
 * Waits (at most `seconds`) until nothing runs below this process except the listeners: every
 * sshd session ended and every orphan was reaped. Adds the orphans' CPU seconds to `orphan_cpu`.
 * Returns false on timeout.
 */
bool wait_until_idle(const std::vector<pid_t>& listeners, double seconds, double& orphan_cpu);

/**
 * For signal handlers: SIGTERM to every registered sshd listener's process group, so an
 * interrupted benchmark leaves no sshd behind. Async-signal-safe.
 */
void kill_registered_sshd_from_signal() noexcept;

/** For signal handlers: removes the scratch directories (keys, configs) with `rm -rf`, waiting for it. */
void remove_scratch_from_signal() noexcept;

}  // namespace rio::bench
