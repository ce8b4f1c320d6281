#pragma once
// One `rio` subcommand. Commands live in their own files (cli_<name>.cpp) and are listed once in
// cli_commands.cpp. Each declares its options in a table (cli_option) that the one parser
// (cli_options.hpp) consumes and that also writes the command's help, the bash completion and the
// man page, so none of those can disagree with what the command accepts. kernel/cli/README.md
// says how to add a command.

#include <rio/kernel/cli.hpp>
#include <rio/kernel/module_registry.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rio::kernel {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failed = 1;
inline constexpr int exit_usage = 2;
/** Another run holds a host (rio install without --wait). */
inline constexpr int exit_busy = 3;

/** The command line after the global options were taken out. */
struct cli_args {
  std::optional<std::filesystem::path> root;        ///< --root
  std::optional<std::filesystem::path> plugin_dir;  ///< --plugin-dir
  std::vector<std::string> rest;                    ///< the command's own arguments
};

/** What an option's value is; completion offers files for `file`, directories for `dir`. */
enum class value_kind {
  none,      ///< a flag: --json
  text,      ///< --limit PATTERN, --limit=PATTERN
  file,      ///< a local file
  dir,       ///< a local directory
  module,    ///< module ids (completion offers the loaded ones)
  optional,  ///< only --wait or --wait=SECONDS: a following argument is never taken as the value
};

/** One option of a command, or (positional = true) one operand documented beside them. */
struct cli_option {
  // Every member has a default so a designated initialiser names only what it sets.
  std::string_view long_name = {};  ///< "--modules"; empty for a short-only option or an operand
  char short_name = 0;          ///< 'm' for -m
  std::string_view value_name = {};  ///< "LIST"; empty for a flag; the operand's name when positional
  std::string_view help = {};
  bool repeatable = false;      ///< may be given more than once, each adding a value
  value_kind kind = value_kind::none;
  std::string_view section = {};  ///< a heading ("Connection") shown when it changes; else "Options"
  bool positional = false;
};

struct cli_command {
  std::string_view name = {};
  std::string_view operands = {};     ///< the usage line's operands: "HOST... | -i INVENTORY -m MODULES"
  std::string_view summary = {};      ///< one line for `rio --help`
  std::string_view description = {};  ///< paragraphs between the usage line and the options
  std::span<const cli_option> options = {};
  std::string_view epilogue = {};  ///< paragraphs after the options (exit status, notes)
  int (*run)(const cli_args& args, const cli_io& io) = nullptr;
  std::span<const cli_command> subcommands = {};  ///< `rio vault <subcommand>`
};

/** Every command, in the order `rio --help` lists them. */
std::span<const cli_command> cli_commands();

/** The command named `name` (a subcommand when `parent` is given), or nullptr. */
const cli_command* find_command(std::string_view name, const cli_command* parent = nullptr);

/** The global options (--root, --plugin-dir, --help, --version). */
std::span<const cli_option> global_options();

/**
 * Prints "rio: <command>: <message>" and "Try 'rio help <command>'." (the global "rio --help" hint
 * when `command` is empty); returns exit_usage. `command` may name a subcommand: "vault set".
 */
int usage_error(const cli_io& io, std::string_view command, const std::string& message);

/** Resolves settings from the global options, printing the error if that fails. */
std::optional<settings> settings_or_report(const cli_args& args, const cli_io& io);

/**
 * Loads the plugin directory, printing one line per skipped plugin on stderr, and the error (with
 * where the directory came from) when it cannot be loaded at all.
 */
std::optional<module_registry> registry_or_report(const settings& cfg, const cli_io& io);

/** The width help and tables wrap to: $COLUMNS, else the terminal's, else 100. */
std::size_t output_width(const cli_io& io);

// The commands.
int cli_modules(const cli_args& args, const cli_io& io);
int cli_vault(const cli_args& args, const cli_io& io);
int cli_plan(const cli_args& args, const cli_io& io);
int cli_install(const cli_args& args, const cli_io& io);
int cli_update(const cli_args& args, const cli_io& io);
int cli_rollback(const cli_args& args, const cli_io& io);
int cli_repair(const cli_args& args, const cli_io& io);
int cli_uninstall(const cli_args& args, const cli_io& io);
int cli_status(const cli_args& args, const cli_io& io);
int cli_inventory(const cli_args& args, const cli_io& io);
int cli_paths(const cli_args& args, const cli_io& io);
int cli_demo(const cli_args& args, const cli_io& io);
int cli_serve(const cli_args& args, const cli_io& io);
int cli_completion(const cli_args& args, const cli_io& io);

}  // namespace rio::kernel
