#pragma once
// SSH transport errors (category "rio.ssh"), shared by the libssh2 transport and the one that
// runs the system OpenSSH client.

#include <rio/kernel/error.hpp>

namespace rio::kernel::ssh {

enum class errc {
  invalid_target = 1,   ///< host, user or port failed validation; nothing was sent
  resolve_failed,       ///< the host name did not resolve
  connect_failed,       ///< TCP connect refused or unreachable
  connect_timed_out,    ///< resolve + connect + handshake + auth exceeded connect_timeout
  handshake_failed,     ///< the SSH handshake failed (protocol, algorithms)
  host_key_unknown,     ///< no known_hosts entry and the policy is strict
  host_key_changed,     ///< the host offered a different key than known_hosts records
  auth_failed,          ///< every authentication method was refused
  channel_failed,       ///< a channel could not be opened or a command not started
  connection_lost,      ///< the connection dropped while in use
  upload_failed,        ///< the remote side refused or failed an upload
  not_allowed,          ///< an executable or option is not on the server's allow-list
  bad_option,           ///< an SSH option (timeout, env name...) is invalid
};

const boost::system::error_category& ssh_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), ssh_category()}; }

inline sdk::error fail(errc e, std::string message) { return sdk::error{make_error_code(e), std::move(message)}; }

}  // namespace rio::kernel::ssh

template <>
struct boost::system::is_error_code_enum<rio::kernel::ssh::errc> : std::true_type {};
