#pragma once
// The exact text sent to the host for one command, and the upload receiver. Shared by both
// transports so quoting, environment and the remote deadline are written once.

#include <rio/kernel/ssh/error.hpp>
#include <rio/sdk/remote_shell.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rio::kernel::ssh {

/** An environment variable name the remote shell takes: [A-Za-z_][A-Za-z0-9_]*. */
bool valid_env_name(std::string_view name);

/** A wrapped command and what must reach its stdin first. */
struct wrapped_command {
  /**
   * What the host's login shell runs: a short constant bootstrap, `/bin/sh -c '<read the program
   * from stdin up to a marker; eval it>'` (under 400 bytes whatever the command: Dropbear drops
   * the connection when an exec string exceeds 9,000 bytes).
   */
  std::string line;
  /**
   * The program (the wrapper holding the command), its end marker, then the environment (one
   * `NAME='value'; export NAME` line each, then `rio-env-end`, when there is any): the caller
   * writes it to the command's stdin before anything else (an upload's payload follows it). Never
   * empty. It holds the command and the values, so it is wiped on destruction.
   */
  std::string stdin_preamble;

  wrapped_command() = default;
  wrapped_command(wrapped_command&&) noexcept = default;
  wrapped_command& operator=(wrapped_command&&) noexcept = default;
  wrapped_command(const wrapped_command&) = delete;
  wrapped_command& operator=(const wrapped_command&) = delete;
  ~wrapped_command();
};

/**
 * Wraps a POSIX sh command for the remote login shell, whatever it is. The line is a bootstrap
 * that reads the rest from stdin (stdin_preamble) one byte at a time, so it takes exactly its
 * part and leaves what follows (payload, the watchdog's EOF) on stdin:
 *   1. the program, then its end marker, which the bootstrap evaluates; it
 *   2. reads the environment's assignments and exports them, then
 *   3. runs `timeout -k <grace> <secs> /bin/sh -c '<eval the command from $rio_s>'`, the command
 *      travelling in an exported variable that the inner shell unsets before evaluating it.
 * Neither the command nor the environment ever appears in a command line (every user of the host
 * can read those in /proc/<pid>/cmdline for as long as the command runs): only the processes'
 * environments hold them, which /proc shows to their owner alone. The environment is never set on
 * the SSH channel either (sshd filters that, and it would bypass quoting). A stdin that ends
 * before the program or the environment did stops the command before it starts (exit 125).
 * GNU `timeout` runs the command in its own process group and kills the whole group at the
 * deadline, so a timed-out command leaves no process behind; hosts without `timeout` run the
 * command directly and rely on the channel being closed.
 *
 * With `watch_stdin`, the command runs with stdin from /dev/null and a watchdog reads the
 * channel's stdin (after the preamble) instead: when it ends (the client sends EOF to cancel, or
 * the connection drops and sshd closes it) the watchdog stops the command's process group. The
 * caller must then keep stdin open for as long as the command should run.
 * Errors: errc::bad_option for an environment name that is not [A-Za-z_][A-Za-z0-9_]* or a value
 * containing a NUL byte (which no environment can hold); the message names the variable only.
 */
result<wrapped_command> wrap_command(const std::string& command,
                                     const std::vector<std::pair<std::string, std::string>>& env,
                                     std::chrono::milliseconds timeout, bool watch_stdin = false);

/** Exit status of a wrapped command whose stdin ended before its program or environment arrived. */
inline constexpr int env_missing_exit_status = 125;

/** Exit status GNU timeout reports when it stopped the command. */
inline constexpr int timeout_exit_status = 124;
/** ...and when the command ignored TERM, so `-k` ended it with KILL 5 s later (128 + SIGKILL). */
inline constexpr int timeout_killed_exit_status = 137;

/**
 * Whether a command that exited with `exit_code` after running for `ran` was stopped by the
 * remote `timeout` at `limit`: 124 after TERM, or 137 after the KILL that follows when TERM is
 * ignored (reported as "exit code 137" before). A command may exit 124 or 137 by itself, but not
 * after lasting the whole limit, which the remote `timeout` does not let it outlive.
 */
inline bool stopped_by_timeout(int exit_code, std::chrono::milliseconds ran, std::chrono::milliseconds limit) noexcept {
  return (exit_code == timeout_exit_status || exit_code == timeout_killed_exit_status) && ran >= limit;
}

/** How long after the remote deadline the client gives up on a command. */
inline constexpr std::chrono::seconds client_grace{10};

/**
 * The receiver for an upload over an exec stream. It prints exactly one line before reading
 * stdin: "rio-upload: exists" (no_clobber and the destination is present: it exits 0 and reads
 * nothing) or "rio-upload: ready". A file is written to "<dest>.rio-part.<pid>" and renamed into
 * place; a directory arrives as a ustar stream unpacked into a temporary directory that is renamed
 * into place, and is never uploaded over an existing destination. A leading `~` in `remote_path`
 * expands on the host. A file must arrive with exactly `file_bytes` bytes before it is renamed:
 * when a connection drops, sshd closes stdin and `cat` ends normally, so the count is what tells
 * a truncated upload from a complete one (a truncated tar stream already fails in tar).
 */
result<std::string> upload_receiver(const std::string& remote_path, bool is_directory, bool no_clobber,
                                    std::uint64_t file_bytes);

inline constexpr std::string_view upload_ready_line = "rio-upload: ready";
inline constexpr std::string_view upload_exists_line = "rio-upload: exists";

}  // namespace rio::kernel::ssh
