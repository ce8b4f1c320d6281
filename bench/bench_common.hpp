#pragma once
// What rio_bench_ssh and rio_bench_plan share besides the sshd helper: CPU and rusage arithmetic,
// the machine's busy time, a bounded wait for a client process group, spawning a client,
// medians and formatting, and stopping cleanly on a signal or at the time limit.

#include <sys/resource.h>
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace rio::bench {

/** user + sys seconds of a rusage. */
double cpu_of(const rusage& r);
/** getrusage(RUSAGE_SELF). */
rusage self_usage();
/** Voluntary + involuntary context switches. */
double switches_of(const rusage& r);

/** CPU seconds of the whole machine (all cores), from /proc/stat: a disturbance indicator. */
struct machine_cpu {
  double busy = 0;     ///< user nice system irq softirq
  double softirq = 0;  ///< part of busy: on loopback, much of TCP's work runs here, charged to no process
};
machine_cpu machine_cpu_now();
double machine_busy_seconds();

/** Busy share of all cores (0..1) over the next `seconds`, sampled from /proc/stat. */
double machine_busy_fraction(double seconds);

/** Online cores. */
long cores_online();

/** The 1-minute load average, or -1. */
double loadavg_1m();

/** "2026-11-27T12:13:00Z". */
std::string now_utc();

double median(std::vector<double> v);
/** A whole command-line value >= 0, or nullopt (each bench reports it with its own usage text). */
std::optional<int> non_negative_int(const std::string& s);
std::string fmt(int decimals, double v);

/** Raises RLIMIT_NOFILE's soft limit to the hard limit; returns the soft limit now in force. */
rlim_t raise_nofile_limit();

/** How a client process is started (posix_spawn, no shell). */
struct spawn_spec {
  std::vector<std::string> argv;       ///< argv[0] is the program's path
  std::vector<std::string> env;        ///< NAME=VALUE; empty: this process's environment
  std::filesystem::path stdin_file;    ///< empty: /dev/null
  std::filesystem::path stdout_file;   ///< empty: /dev/null; else created or truncated
  std::filesystem::path stderr_file;   ///< empty: /dev/null; else created or truncated
  bool own_process_group = true;       ///< so a timeout can kill the whole subtree
};

/** Starts the client; throws when it cannot start. */
pid_t spawn_client(const spawn_spec& spec);

/**
 * Waits for `pid` at most `seconds`, then kills its process group; returns the rusage that
 * wait4() reports (the process plus every descendant it reaped).
 */
rusage wait_bounded(pid_t pid, double seconds, int& status, bool& killed);

/**
 * Starts clients from a small helper process, forked when this process is still small, and
 * reports each client's wall time and rusage.
 *
 * Why: Linux keeps the high-water RSS of the memory a process had *before* execve in the
 * rusage it reports (exec_mmap records the old mm's hiwater in signal->maxrss). posix_spawn runs
 * the child on the parent's memory until it execs, so a client spawned by this benchmark would
 * report at least the benchmark's own peak RSS (tens of MiB after parsing rio's JSON for 500
 * hosts) as its ru_maxrss. The helper stays at the few MiB it had when it was forked, so its
 * children's ru_maxrss is their own.
 */
struct launch_outcome {
  pid_t pid = -1;
  int status = 0;        ///< as from wait4
  bool killed = false;   ///< the time limit was reached and the process group was killed
  rusage usage{};        ///< the client plus every descendant it reaped
  double wall_s = 0;     ///< posix_spawn to wait4, measured in the helper
};

/** Forks the helper. Call first thing in main(): before threads, signal handlers and big allocations. */
void start_launcher();
/** The helper's pid (to leave out of "is anything still running" checks), or -1. */
pid_t launcher_pid();
/** Ends the helper and reaps it (it also dies with this process). Idempotent. */
void stop_launcher() noexcept;
/** Runs one client through the helper and waits for it (at most limit_s, then kills its group). */
launch_outcome launch(const spawn_spec& spec, double limit_s);

/**
 * SIGINT, SIGTERM, SIGHUP and the time limit (SIGALRM after `time_limit_s`) stop the benchmark:
 * every registered sshd and the current client's process group are killed and the scratch
 * directory is removed. `bench_name` prefixes the message.
 */
void install_signal_handlers(const char* bench_name, int time_limit_s);

/** The process group that a fatal signal kills (0: none). */
void set_client_group(pid_t group);

/**
 * Long-lived children besides the sshd listeners (rio_soak: `rio serve` and wrk), each the leader
 * of its own process group: a fatal signal SIGKILLs every registered group. At most 8 at once.
 */
void register_child_group(pid_t group);
void unregister_child_group(pid_t group);

}  // namespace rio::bench
