#pragma once
// Helpers for the OpenSSH-client transport tests: a config that reaches one sshd_server with the
// user's own ssh configuration switched off (-F /dev/null), and small process probes.

#include "sshd_server.hpp"
#include "temp_dir.hpp"

#include <rio/kernel/openssh/openssh_shell.hpp>
#include <rio/sdk/testing/run_co.hpp>

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <iterator>
#include <regex>
#include <vector>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace rio::test {

namespace ossh = rio::kernel::openssh;

inline kernel::ssh::target shell_target(const sshd_server& server) {
  return {server.address(), server.port(), server.user()};
}

/** A config for `server` with its user key, trusting nothing yet; known_hosts lives in `record`. */
inline ossh::openssh_config openssh_config_for(const sshd_server& server, const std::filesystem::path& record,
                                               kernel::ssh::host_key_policy policy) {
  ossh::openssh_config c;
  c.target = shell_target(server);
  c.known_hosts.record = record;
  c.known_hosts.read = {record};
  c.known_hosts.policy = policy;
  c.identity_file = server.user_key();
  c.ssh_config_file = "/dev/null";  // the machine's ~/.ssh/config must not change what is tested
  c.connect_timeout = std::chrono::seconds{10};
  return c;
}

/** A config whose record file already holds the server's key, under the strict policy. */
inline ossh::openssh_config trusted_config(const sshd_server& server) {
  auto record = server.scratch() / "known_hosts_trusted";
  std::ofstream(record) << server.known_hosts_line() << "\n";
  return openssh_config_for(server, record, kernel::ssh::host_key_policy::strict);
}

inline ossh::allow_list default_allow_list() {
  auto allowed = ossh::allow_list::system_default();
  if (!allowed) throw std::runtime_error(allowed.error().message);
  return *allowed;
}

inline std::unique_ptr<ossh::openssh_shell> make_shell(ossh::openssh_config config) {
  auto shell = ossh::openssh_shell::create(std::move(config), default_allow_list());
  if (!shell) throw std::runtime_error(shell.error().describe());
  return std::move(*shell);
}

inline sdk::result<sdk::exec_result> run_exec(ossh::openssh_shell& shell, sdk::exec_request request) {
  return sdk::testing::run_co([&] { return shell.exec(std::move(request)); });
}

inline sdk::result<sdk::upload_result> run_upload(ossh::openssh_shell& shell, sdk::upload_request request) {
  return sdk::testing::run_co([&] { return shell.upload(std::move(request)); });
}

/** Digits unique to this test process and call, to mark command lines for pgrep. */
inline std::string unique_marker() {
  static std::atomic<int> counter{0};
  return std::to_string(::getpid()) + std::to_string(100 + counter++);
}

/**
 * Processes whose command line (arguments joined by spaces) matches `pattern`, like pgrep -f but
 * read from /proc directly, so the tests need no procps. Zombies have no command line and never
 * match. Callers write "[s]leep" so a shell that carries the pattern in its own text cannot match.
 */
inline std::vector<pid_t> matching_processes(const std::string& pattern) {
  const std::regex re{pattern, std::regex::extended};
  std::vector<pid_t> pids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string cmdline{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
    if (cmdline.empty()) continue;
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    std::replace(cmdline.begin(), cmdline.end(), '\n', ' ');
    if (std::regex_search(cmdline, re)) pids.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return pids;
}

inline bool process_running(const std::string& pattern) { return !matching_processes(pattern).empty(); }

inline void kill_processes(const std::string& pattern) {
  for (pid_t pid : matching_processes(pattern)) ::kill(pid, SIGKILL);
}

/**
 * POSIX sh text for a "remote" command (the fixture's host is this machine) that prints the
 * pids whose command line matches the extended regex `pattern`; needs only tr and grep.
 */
inline std::string sh_find_processes(const std::string& pattern) {
  // Newlines become spaces too: wrapped commands span lines, and the pattern must see one line.
  return "for rio_c in /proc/[0-9]*/cmdline; do if tr '\\0\\n' '  ' < \"$rio_c\" 2>/dev/null | grep -aEq -- '" + pattern +
         "'; then rio_p=${rio_c#/proc/}; echo \"${rio_p%/cmdline}\"; fi; done";
}

/** Records everything a sink receives. */
struct counting_sink final : sdk::output_sink {
  std::uint64_t out_bytes = 0;
  std::uint64_t err_bytes = 0;
  std::size_t chunks = 0;
  void on_output(sdk::output_stream stream, std::string_view chunk) override {
    (stream == sdk::output_stream::out ? out_bytes : err_bytes) += chunk.size();
    ++chunks;
  }
};

// Both transports' supports define it; a test may include both.
#ifndef RIO_REQUIRE_SSHD
#define RIO_REQUIRE_SSHD()                                                            \
  do {                                                                                \
    if (!::rio::test::sshd_server::available()) GTEST_SKIP() << "openssh-server is not installed"; \
  } while (0)
#endif

}  // namespace rio::test
