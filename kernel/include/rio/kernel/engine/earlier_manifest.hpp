#pragma once
// Manifests that an earlier writer left under another file name, found so that a host's history
// is not lost when the naming changed. Two writers came before today's record_token:
//   - rio before host names were canonical: the name as typed (legacy_record_token); taken only
//     when its `address` names this host and port (an alias's token can look the same);
//   - the Python original: runs of characters outside [A-Za-z0-9_.-] turned into one '_', user
//     and port ignored (original_record_token); its manifests carry no `address`, so one is taken
//     when its `host` is the host as given.
// A run moves what it finds to record_token's name; `rio status` and the API read it in place.

#include <rio/kernel/engine/run_paths.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace rio::kernel::engine {

/** The original's token: trimmed host, runs outside [A-Za-z0-9_.-] as one '_', else "remote". */
std::string original_record_token(std::string_view host);

/**
 * The earlier manifest that belongs to host `name` (connecting to `host`:`port`), or nullopt when
 * record_token's own file exists or no earlier one applies.
 */
std::optional<std::filesystem::path> earlier_manifest(const run_paths& paths, std::string_view name, std::string_view host,
                                                      std::uint16_t port);

}  // namespace rio::kernel::engine
