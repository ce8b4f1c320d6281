#pragma once
// Help text written from the command table: `rio --help`, `rio help CMD`, `rio CMD --help`,
// `rio vault help SUB`. The option lines come from each command's option table, so help cannot
// disagree with the parser; only the prose paragraphs are written by hand.

#include <rio/kernel/cli_command.hpp>

#include <string>
#include <string_view>

namespace rio::kernel::cli_detail {

/** "modules [ID] [--json]": the name, the operands, and the options (or "[options]" when many). */
std::string synopsis(const cli_command& c);

/** The whole help of `rio --help`. */
std::string main_help(std::size_t width);

/**
 * One command's help. `parent` is the command a subcommand belongs to ("vault"), else null; a
 * subcommand's help starts with "rio vault <name>".
 */
std::string command_help(const cli_command& c, const cli_command* parent, std::size_t width);

/**
 * Prints the help for `topic` ("" for the main help) and, for a command with subcommands, `sub`.
 * Unknown names are usage errors with a did-you-mean.
 */
int show_help(const cli_io& io, std::string_view topic, std::string_view sub = {});

/** `rio help [COMMAND [SUBCOMMAND]] [--man]`. */
int cli_help(const cli_args& args, const cli_io& io);
/** `rio version`. */
int cli_version(const cli_args& args, const cli_io& io);

/** The manual page rio(1) in roff (cli_man.cpp). */
std::string man_page();

}  // namespace rio::kernel::cli_detail
