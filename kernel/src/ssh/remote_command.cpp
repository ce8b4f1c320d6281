#include <rio/kernel/ssh/remote_command.hpp>

#include <rio/sdk/shell.hpp>

#include <algorithm>
#include <cstring>

namespace rio::kernel::ssh {

bool valid_env_name(std::string_view name) {
  if (name.empty() || (name.front() >= '0' && name.front() <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

namespace {

// One line per variable, so the reader can take them with `read`: a newline inside a value is
// spelled "$rio_nl" between quoted pieces.
std::string assignment_line(const std::string& name, const std::string& value) {
  std::string quoted;
  std::size_t start = 0;
  for (;;) {
    const auto nl = value.find('\n', start);
    quoted += sdk::shell_quote(value.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (nl == std::string::npos) break;
    quoted += "\"$rio_nl\"";
    start = nl + 1;
  }
  return name + "=" + quoted + "; export " + name + "\n";
}

// Reads the preamble's lines up to the end marker and evaluates each (rio wrote them, quoted).
// `read` takes one byte at a time from a pipe or socket, so nothing after the marker is consumed:
// the watchdog below still sees the channel's stdin. Missing marker: stdin ended early, and the
// command must not run without its environment.
constexpr std::string_view env_reader =
    "rio_nl='\n'\n"
    "rio_ok=\n"
    "while IFS= read -r rio_e; do if [ \"$rio_e\" = rio-env-end ]; then rio_ok=1; break; fi; eval \"$rio_e\"; done\n"
    "if [ -z \"$rio_ok\" ]; then echo 'rio: the command environment did not arrive on stdin' >&2; exit 125; fi\n"
    "unset rio_e rio_ok rio_nl\n";

// GNU timeout makes itself a process-group leader, so "kill -TERM -$rio_pid" reaches everything
// the command started. The signal goes to the whole group, not only to timeout to pass on:
// timeout exits without passing it when it arrives before timeout has noted its child's pid,
// which a loaded host makes likely (the child can print before its parent runs again). No "--"
// before the group: dash and busybox sh reject "kill -TERM -- -PID".
// The watchdog's output goes to /dev/null: sshd ends the channel only when nothing holds its
// stdout and stderr any more. It is stopped once the command ended, so it can never signal a
// process group id that was reused, and reaped before the wrapper exits: when the channel ends,
// nothing of the command's is left on the host, not even the watchdog. KILL, because a wait
// for a watchdog that ignores TERM (inherited dispositions) would hang.
// A non-interactive shell gives background jobs /dev/null as stdin, so the channel's stdin is
// kept on fd 3 and handed to the watchdog explicitly. rio sends nothing on it after the program
// and the environment but the EOF that cancels, so the shell's own read waits for it: no cat to
// start on every command.
std::string watched_run(const std::string& run, const std::string& limited) {
  return "exec 3<&0\n"
         "if command -v timeout >/dev/null 2>&1; then " + limited + " </dev/null 3<&- & else " + run +
         " </dev/null 3<&- & fi\n"
         "rio_pid=$!\n"
         "( while read -r rio_l; do :; done <&3; kill -TERM -$rio_pid 2>/dev/null || kill -TERM $rio_pid 2>/dev/null ) >/dev/null 2>&1 &\n"
         "rio_watch=$!\n"
         "exec 3<&-\n"
         "wait $rio_pid; rio_rc=$?\n"
         "kill -KILL $rio_watch 2>/dev/null; wait $rio_watch 2>/dev/null\n"
         "exit $rio_rc\n";
}

// The line the host's login shell runs: read the program from stdin up to `marker` and
// evaluate it. `read` takes one byte at a time from a pipe or socket (dash, busybox sh and bash
// alike), so it consumes exactly the program and the marker: the environment, an upload's payload
// or the watchdog's EOF that follow stay on stdin for the program. A stdin that ends before the
// marker stops everything before it starts (exit 125): a truncated program must not run. The
// line is constant but for the marker, and short (Dropbear drops the connection when an exec
// string exceeds 9,000 bytes; OpenSSH's limit is 256 KiB), whatever the command.
std::string bootstrap_line(const std::string& marker) {
  const std::string reader =
      "rio_p=; rio_ok=\n"
      "while IFS= read -r rio_l; do if [ \"$rio_l\" = " + marker + " ]; then rio_ok=1; break; fi; rio_p=\"$rio_p$rio_l\n"
      "\"; done\n"
      "if [ -z \"$rio_ok\" ]; then echo 'rio: the command did not arrive on stdin' >&2; exit 125; fi\n"
      "unset rio_l rio_ok; eval \"$rio_p\"";
  return "/bin/sh -c " + sdk::shell_quote(reader);
}

bool has_line(std::string_view text, std::string_view line) {
  std::size_t at = 0;
  while ((at = text.find(line, at)) != std::string_view::npos) {
    const bool starts = at == 0 || text[at - 1] == '\n';
    const bool ends = at + line.size() == text.size() || text[at + line.size()] == '\n';
    if (starts && ends) return true;
    ++at;
  }
  return false;
}

// A marker that is no line of the program, so the bootstrap cannot stop early: rio writes the
// program, so a deterministic choice suffices (no randomness to make tests flaky).
std::string program_marker(std::string_view program) {
  for (unsigned n = 0;; ++n) {
    std::string marker = "rio-program-end-" + std::to_string(n);
    if (!has_line(program, marker)) return marker;
  }
}

// The command reaches its shell through the exported variable rio_s, never through an argument:
// arguments are in /proc/<pid>/cmdline, readable by every user of the host for as long as the
// command runs, and the command may hold secrets. A process's environment is readable by its
// owner only. The child takes the text and unsets the variable before evaluating it, so nothing
// the command starts inherits it. (A 0600 temporary file would also work, but needs a writable
// directory and a cleanup that a KILL skips; the variable needs neither. Its limit is Linux's
// 128 KiB per argument or variable, which the old `sh -c '<command>'` had too.)
constexpr std::string_view run_from_variable = "/bin/sh -c 'rio_c=$rio_s; unset rio_s; eval \"$rio_c\"'";

}  // namespace

wrapped_command::~wrapped_command() { ::explicit_bzero(stdin_preamble.data(), stdin_preamble.size()); }

result<wrapped_command> wrap_command(const std::string& command,
                                     const std::vector<std::pair<std::string, std::string>>& env,
                                     std::chrono::milliseconds timeout, bool watch_stdin) {
  std::string env_lines;
  for (const auto& [name, value] : env) {
    if (!valid_env_name(name)) {
      return fail(errc::bad_option, "env: '" + name + "' is not a valid variable name ([A-Za-z_][A-Za-z0-9_]*)");
    }
    if (value.find('\0') != std::string::npos) {
      return fail(errc::bad_option, "env: the value of " + name + " contains a NUL byte");
    }
    env_lines += assignment_line(name, value);
  }
  std::string program;
  if (!env.empty()) {
    env_lines += "rio-env-end\n";
    program += env_reader;
  }
  program += "rio_s=" + sdk::shell_quote(command) + "; export rio_s\n";
  // Whole seconds, rounded up, at least one: timeout(1) takes an integer portably.
  auto secs = std::max<long long>(1, (timeout.count() + 999) / 1000);
  const std::string run{run_from_variable};
  const std::string limited = "timeout -k 5 " + std::to_string(secs) + " " + run;
  program += watch_stdin ? watched_run(run, limited)
                         : "if command -v timeout >/dev/null 2>&1; then exec " + limited + "; else exec " + run + "; fi\n";
  const std::string marker = program_marker(program);
  wrapped_command out;
  out.line = bootstrap_line(marker);
  out.stdin_preamble = program + marker + "\n" + env_lines;
  ::explicit_bzero(env_lines.data(), env_lines.size());
  return out;
}

result<std::string> upload_receiver(const std::string& remote_path, bool is_directory, bool no_clobber,
                                    std::uint64_t file_bytes) {
  if (remote_path.empty()) return fail(errc::upload_failed, "upload destination is empty");
  auto dest = sdk::shell_quote_path(remote_path);
  if (!dest) return fail(errc::upload_failed, dest.error().message);
  std::string script = "rio_dest=" + *dest + "\n";
  // Directories are never replaced (that would mean deleting the operator's tree), so for them
  // an existing destination is always reported and left alone.
  if (no_clobber || is_directory) script += "if [ -e \"$rio_dest\" ]; then echo 'rio-upload: exists'; exit 0; fi\n";
  script +=
      "mkdir -p \"$(dirname \"$rio_dest\")\" || exit 1\n"
      "rio_tmp=\"$rio_dest.rio-part.$$\"\n"
      // The run stopped (its watchdog's TERM) or the client vanished (SIGPIPE) must not leave
      // the part file behind.
      + sdk::cleanup_on_exit("rm -rf \"$rio_tmp\"") +
      "echo 'rio-upload: ready'\n";
  if (is_directory) {
    script +=
        "mkdir \"$rio_tmp\" || exit 1\n"
        "tar -xf - -C \"$rio_tmp\" || exit 1\n";
  } else {
    const std::string n = std::to_string(file_bytes);
    script += "cat > \"$rio_tmp\" || exit 1\n"
              "rio_got=$(wc -c < \"$rio_tmp\" | tr -d ' ')\n"
              "if [ \"$rio_got\" != " + n + " ]; then echo \"rio-upload: incomplete: $rio_got of " + n +
              " bytes arrived\" >&2; exit 1; fi\n";
  }
  // Renamed into place only after every byte arrived.
  script += "mv -f \"$rio_tmp\" \"$rio_dest\"\n";
  return script;
}

}  // namespace rio::kernel::ssh
