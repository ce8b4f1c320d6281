#pragma once
// `rio vault`'s subcommands, each with its own option table (parsed and documented like a command).

#include <rio/kernel/cli_command.hpp>

#include <span>

namespace rio::kernel::cli_detail {

std::span<const cli_command> vault_subcommands();

}  // namespace rio::kernel::cli_detail
