#pragma once
// The command line of `rio plan` and `rio install`, turned into validated host requests: hosts
// from arguments or an inventory, modules, option overrides, credentials (flags, inventory, and
// the vault when --secrets names a provider), remote env, and run settings.

#include <rio/kernel/cli.hpp>
#include <rio/kernel/engine/host_run.hpp>
#include <rio/kernel/module_registry.hpp>
#include <rio/vault/event_listener.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace rio::kernel::cli_detail {

struct run_request {
  std::vector<engine::host_request> hosts;
  engine::run_settings settings;
  std::unique_ptr<engine::redactor> redact;  ///< settings.redact points here
  std::size_t parallel = 256;
  bool json = false;
  bool progress = true;
  bool verbose = false;  ///< -v: the negotiated SSH algorithms per host
};

/**
 * Parses the arguments after `rio plan|install|update|rollback|repair|uninstall`. `apply` (every
 * command but plan) also accepts --wait and --dry-run, and each verb its own switches. On a usage
 * problem prints it and returns nullopt with `exit_code` set (2 for bad input).
 */
std::optional<run_request> parse_run_request(const std::vector<std::string>& args, const settings& cfg,
                                             const module_registry& registry, const cli_io& io, bool apply,
                                             engine::run_verb verb, int& exit_code,
                                             vault::event_listener* vault_events = nullptr);

}  // namespace rio::kernel::cli_detail
