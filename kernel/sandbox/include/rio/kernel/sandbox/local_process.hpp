#pragma once
// Small local helpers shared by the throwaway host and the fixture upstreams: run a local program
// to completion (posix_spawn, no shell), find a program, and prepare the sandbox directory.
// Synchronous on purpose: they run while a sandbox is set up, before any io_context work.

#include <rio/kernel/error.hpp>

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace rio::kernel::sandbox::detail {

/** What a local program did. */
struct local_run {
  int exit_code = -1;  ///< -1 when a signal ended it
  std::string output;  ///< stdout and stderr, merged
};

/**
 * posix_spawn with stdin from /dev/null, stdout and stderr to `out_fd`, no inherited descriptors
 * beyond those (Asio's sockets are not close-on-exec), and default signal handling. Returns
 * posix_spawn's error number (0 on success); `pid` is set on success.
 */
int spawn_with_output(const std::string& exe, char* const* argv, char* const* envp, int out_fd, pid_t& pid);

/** What spawn_child starts, and how. */
struct child_spec {
  const char* exe;
  char* const* argv;
  char* const* envp;
  int out_fd = -1;  ///< the child's stdout and stderr; -1 for /dev/null (stdin is always /dev/null)
  bool own_process_group = false;  ///< else the child stays in this process's group
  bool die_with_parent = false;    ///< SIGTERM when the thread that started it dies (PR_SET_PDEATHSIG)
};

/**
 * fork + execve for a long-lived child (sshd): default signal handling, no inherited descriptors
 * beyond stdin, stdout and stderr. Returns the pid (left unreaped for the caller), or -1 with
 * `error` set to fork's or execve's errno (a child whose execve failed is reaped here).
 */
pid_t spawn_child(const child_spec& spec, int& error);

/**
 * Runs `program` (an absolute path) with `args`, stdin from /dev/null, and waits for it.
 * `env` is the complete environment ("NAME=value"); empty means rio's own environment.
 * Errors: errc::bad_config when the program cannot be started. A non-zero exit is not an error.
 */
result<local_run> run_local(const std::filesystem::path& program, const std::vector<std::string>& args,
                            const std::vector<std::string>& env = {});

/** run_local that also fails (errc::bad_config, naming `what` and the output) on a non-zero exit. */
result<std::string> run_checked(const std::string& what, const std::filesystem::path& program,
                                const std::vector<std::string>& args, const std::vector<std::string>& env = {});

/**
 * The absolute path of executable `name`, looked up in rio's $PATH and then in /usr/local/bin,
 * /usr/bin, /bin, /usr/sbin and /sbin; empty when none has it.
 */
std::filesystem::path find_program(std::string_view name);

/**
 * Makes `dir` ready to hold a sandbox: absolute, free of characters that would need quoting in
 * sshd_config, PATH, shell stubs or file:// URLs ([A-Za-z0-9._/+@,=-] only), and either absent
 * (created, mode 0700) or an empty directory. Returns the absolute path.
 * Errors: errc::bad_config naming the directory and the problem.
 */
result<std::filesystem::path> prepare_directory(const std::filesystem::path& dir, std::string_view what);

/** Whether `path` uses only the characters prepare_directory() accepts. */
bool is_safe_path(const std::filesystem::path& path);

/** 24 random hex digits (getrandom; pid and time if that fails): marks one sandbox's processes. */
std::string random_token();

/** Writes `text` to `file` (replacing it) with permission bits `mode`. Errors: errc::bad_config. */
result<void> write_file(const std::filesystem::path& file, std::string_view text, unsigned mode = 0644);

/**
 * The live processes (zombies excluded) that descend from `root` or whose environment holds the
 * entry `marker` ("NAME=value"); never rio's own process.
 */
std::vector<pid_t> sandbox_processes(pid_t root, std::string_view marker);

/**
 * Ends `root` (a child of rio, left unreaped for the caller) and every sandbox_processes(root,
 * marker): SIGTERM (SIGKILL when `hard`), waiting up to `grace` for them to exit, then SIGKILL for
 * whatever survived or appeared meanwhile, until none is left. Waits on pidfds, never sleeps.
 */
void end_processes(pid_t root, std::string_view marker, bool hard,
                   std::chrono::milliseconds grace = std::chrono::seconds{5});

}  // namespace rio::kernel::sandbox::detail
