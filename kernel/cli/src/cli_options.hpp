#pragma once
// The one option parser: argv against a command's option table (cli_option). Accepts
// `--opt VALUE`, `--opt=VALUE`, `-o VALUE`, `-oVALUE`, repeatable options, and `--`, after which
// everything is an operand.

#include <rio/kernel/cli_command.hpp>
#include <rio/kernel/settings.hpp>

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rio::kernel::cli_detail {

struct parsed_options {
  std::vector<std::string> positional;
  /** By the option's long name (or "-x" for a short-only one); a flag maps to one "". */
  std::map<std::string, std::vector<std::string>, std::less<>> values;

  bool has(std::string_view name) const { return values.contains(name); }
  /** The option's value, or "" when absent. */
  std::string value(std::string_view name) const;
  /** Every value of a repeatable option, in command-line order. */
  std::vector<std::string> all(std::string_view name) const;
};

/**
 * Errors (errc::bad_usage), each naming the option: an unknown option (with the nearest known one
 * as "did you mean"), a missing value, a value given to a flag, a non-repeatable option twice.
 */
result<parsed_options> parse_options(std::span<const cli_option> table, std::span<const std::string> args);

/** "-m, --modules LIST", "--wait[=SECONDS]", "HOST": how help and the man page show an option. */
std::string option_label(const cli_option& o);

/** The key parse_options files an option's values under. */
std::string option_key(const cli_option& o);

/** True when `arg` asks for help (-h or --help) before any `--`. */
bool asks_help(std::span<const std::string> args);

}  // namespace rio::kernel::cli_detail
