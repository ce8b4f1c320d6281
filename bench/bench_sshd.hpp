#pragma once
// Loopback sshd instances for the SSH benchmark. Adapted from the test fixture
// (tests/support/sshd_server.*), which links GoogleTest and drains sshd's log through a thread of
// the test process; here nothing of sshd may run inside the benchmark process, because the
// benchmark measures its own CPU with getrusage(RUSAGE_SELF). So:
//   * sshd logs to a file (-E), read only while waiting for "Server listening on";
//   * sshd runs in its own process group and gets SIGTERM if the benchmark dies (PR_SET_PDEATHSIG);
//   * the server's CPU is read from /proc (the listener's own time plus its reaped children's).
// Loopback only: every address must be 127.x.y.z.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace rio::bench {

/** A directory under /tmp, removed with everything in it (also by remove_scratch_from_signal). */
class scratch_dir {
 public:
  scratch_dir();
  ~scratch_dir();
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

/** Runs a program (no shell) and waits; throws when it cannot start or exits non-zero. */
void run_program(const std::vector<std::string>& argv);

/** Keys shared by every sshd instance of one benchmark run. */
struct bench_keys {
  std::filesystem::path user_key;         ///< ed25519, no passphrase, authorised everywhere
  std::filesystem::path authorized_keys;  ///< holds user_key.pub
  static bench_keys generate(const std::filesystem::path& dir);
};

struct sshd_settings {
  std::string listen_address;          ///< 127.x.y.z
  std::filesystem::path dir;           ///< this instance's own directory (created)
  std::filesystem::path authorized_keys;
  /**
   * sshd runs every command through the account's login shell; bash then reads ~/.bashrc when
   * it thinks sshd started it and SHLVL < 2. `SetEnv SHLVL=1` in sshd_config skips that for
   * every client alike. false keeps the account's ~/.bashrc in every login.
   */
  bool skip_login_rc = true;
};

class bench_sshd {
 public:
  explicit bench_sshd(sshd_settings settings);
  ~bench_sshd();
  bench_sshd(const bench_sshd&) = delete;
  bench_sshd& operator=(const bench_sshd&) = delete;

  const std::string& address() const noexcept { return settings_.listen_address; }
  std::uint16_t port() const noexcept { return port_; }
  pid_t pid() const noexcept { return pid_; }

  /** "[addr]:port ssh-ed25519 AAAA..." */
  std::string known_hosts_line() const;

  /** CPU seconds of the listener plus every child it has reaped (all sessions that ended). */
  double cpu_seconds() const;

  /** Stops the listener and every process below it, by PID, and reaps the listener. Idempotent. */
  void stop() noexcept;

 private:
  void write_config();
  void start();

  sshd_settings settings_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
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

/** For signal handlers: removes the scratch directory (keys, configs) with `rm -rf`, waiting briefly. */
void remove_scratch_from_signal() noexcept;

}  // namespace rio::bench
