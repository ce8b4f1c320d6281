#pragma once
// Where and as whom to connect, validated before any network use.

#include <rio/kernel/ssh/error.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace rio::kernel::ssh {

/** A host and the account on it. */
struct target {
  std::string host;  ///< DNS name, IPv4 literal or IPv6 literal (with or without [brackets])
  std::uint16_t port = 22;
  std::string user;
};

/** What to do with a host whose key no known_hosts file records. */
enum class host_key_policy {
  strict,      ///< refuse it
  accept_new,  ///< record it in rio's own known_hosts file and go on (OpenSSH's accept-new)
  /** Accept it for this connection only and record nothing: dry runs, which must create no
      files. A known host whose key changed is still refused. */
  accept_new_unrecorded,
};

/** Where host keys are looked up and recorded. */
struct known_hosts {
  std::vector<std::filesystem::path> read;  ///< e.g. ~/.ssh/known_hosts and rio's file
  std::filesystem::path record;             ///< rio's file (<root>/data/ssh/known_hosts), written by accept_new
  host_key_policy policy = host_key_policy::accept_new;
};

/**
 * The files a run uses: the user's ~/.ssh/known_hosts (from $HOME of rio's own process) and rio's
 * own <root>/data/ssh/known_hosts, which accept_new records into.
 */
known_hosts standard_known_hosts(const std::filesystem::path& root, host_key_policy policy = host_key_policy::accept_new);

/**
 * Checks host, user and port. A host is an IPv4 dotted quad, an IPv6 address (inet_pton; in
 * brackets or not) or a name as OpenSSH accepts one: anything printable ASCII up to 253
 * characters except shell metacharacters ('`"$\;&<>|(){}, and *?[]!#~), '@' and ':', so
 * ssh-config aliases and names such as `gpu_box` work. Nothing may start with '-' or contain
 * whitespace or control characters, so no value can be read as an option by any ssh. Users: [A-Za-z_][A-Za-z0-9_.-]*, at most 32
 * characters, optional trailing '$' (POSIX portable names plus the Samba convention).
 * Errors: errc::invalid_target naming the field and the problem.
 */
result<void> validate(const target& t);

/** "host" for port 22, else "[host]:port": the known_hosts spelling, also used in messages.
    The host is canonical_host(t.host). */
std::string display_name(const target& t);

/**
 * One spelling per host, so that locks, records and host keys cannot be told apart by how a
 * name was typed: IPv4 literals in every form inet_aton(3) accepts (127.1, 0x7f.0.0.1,
 * 2130706433), which is also how the resolver reads them, become dotted quads; IPv6 literals
 * (bracketed or not) become inet_ntop's compressed lower-case form, and an IPv4-mapped one
 * (::ffff:a.b.c.d) the IPv4 address it reaches; host names are lower-cased, as OpenSSH compares
 * them. Nothing is resolved, so a name and its address stay two spellings (and `gpu1.` stays
 * apart from `gpu1`, as in OpenSSH).
 */
std::string canonical_host(std::string_view host);

/** The host without IPv6 brackets. */
std::string bare_host(const std::string& host);

}  // namespace rio::kernel::ssh
