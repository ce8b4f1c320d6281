#pragma once
// Telling ssh's own failures from the remote command's: ssh exits 255 both when it fails and when
// the remote command exits 255, so its stderr decides.

#include <rio/kernel/ssh/error.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace rio::kernel::openssh {

/**
 * The transport error an ssh exit status of 255 stands for, judged by the diagnostics OpenSSH
 * prints (host key, authentication, connect, handshake, connection loss) in the last 4 KiB of
 * stderr; nullopt when there are none, and the 255 is then taken to be the remote command's.
 * The message names `host` and the problem and ends with ssh's own words.
 * Codes: ssh::errc::host_key_changed, host_key_unknown, auth_failed, resolve_failed,
 * connect_failed, connect_timed_out, handshake_failed, connection_lost, bad_option.
 */
[[nodiscard]] std::optional<sdk::error> classify_ssh_failure(std::string_view stderr_tail, const std::string& host);

/**
 * The last lines of `text`, at most `max` bytes, joined with " | ", without blank lines, the
 * "@@@" banner lines of OpenSSH's host-key warning, or control characters: one line for a message.
 */
std::string condense(std::string_view text, std::size_t max = 1024);

/** "KILL" for SIGKILL: the spelling sdk::exec_result::signal uses. */
std::string signal_name(int sig);

}  // namespace rio::kernel::openssh
