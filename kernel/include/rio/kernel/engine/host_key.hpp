#pragma once
// Which files belong to a host. The original turned every run of characters outside
// [A-Za-z0-9_.-] into '_', so `a b`, `a/b` and `a_b` shared one manifest, and user and port were
// ignored. Here the token is an injective escape: [A-Za-z0-9.-] stay, every other byte
// (including '_') becomes `_xx` (two lower-case hex digits), and a port other than 22 adds
// `_p<port>`, which no escape can produce. No token contains '/', and none is "." or "..".
// Records and locks are keyed on the canonical spelling of the host (ssh::canonical_host).

#include <cstdint>
#include <string>
#include <string_view>

namespace rio::kernel::engine {

/** The file-name token for host (as given, trimmed) and port. Never empty. */
std::string host_token(std::string_view host, std::uint16_t port = 22);

/**
 * The host part of a record's identity: an inventory alias stays as it is, while a name that only
 * spells the address (`h`, `h:port`, `[v6]:port`, in any spelling of that address) becomes the
 * canonical host (ssh::canonical_host), so `rio status h:2222` finds what `rio install H:2222`
 * wrote, `127.1` and `127.0.0.1` share one record, and the port goes into the token once.
 */
std::string record_host(std::string_view name, std::string_view host, std::uint16_t port);

/** The manifest's and the log's token: host_token(record_host(name, host, port), port). */
std::string record_token(std::string_view name, std::string_view host, std::uint16_t port);

/**
 * The token rio used before host names were canonical (the name as typed). Only for finding a
 * manifest written then: a run moves it to record_token's name, `rio status` reads it there.
 */
std::string legacy_record_token(std::string_view name, std::string_view host, std::uint16_t port);

/**
 * Whether a manifest's `address` (`user@host:port`, IPv6 in brackets) names `host`:`port` in any
 * spelling. A legacy token can also be an alias's token (aliases keep their case), so a legacy
 * manifest is taken for a host only when its address says it is that host's.
 */
bool address_names(std::string_view address, std::string_view host, std::uint16_t port);

/**
 * The run lock's token: the canonical address and port, whatever alias or spelling names the
 * host, so one machine is never installed by two runs at once through two of its names.
 */
std::string lock_token(std::string_view host, std::uint16_t port);

}  // namespace rio::kernel::engine
