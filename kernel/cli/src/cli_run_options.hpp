#pragma once
// The option tables of `rio plan` and `rio install`: install's table is plan's plus --dry-run and
// --wait, which come last so plan's table is a prefix of it.

#include <rio/kernel/cli_command.hpp>
#include <rio/kernel/engine/lifecycle.hpp>

#include <span>

namespace rio::kernel::cli_detail {

std::span<const cli_option> plan_options();
std::span<const cli_option> install_options();
/** install's table, plus the verb's own switches (update: --to, --force, --no-rollback, --unpin; ...). */
std::span<const cli_option> verb_options(engine::run_verb verb);

}  // namespace rio::kernel::cli_detail
