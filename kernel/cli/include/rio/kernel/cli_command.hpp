#pragma once
// One `rio` subcommand. Commands live in their own files (cli_<name>.cpp) and are listed once in
// cli_commands.cpp; the dispatcher and `rio --help` read that table.

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

struct cli_command {
  std::string_view name;
  std::string_view synopsis;  ///< e.g. "modules [--json]"
  std::string_view summary;   ///< one line for `rio --help`
  std::string_view help;      ///< full text for `rio help <name>`
  int (*run)(const cli_args& args, const cli_io& io);
};

/** Every command, in the order `rio --help` lists them. */
std::span<const cli_command> cli_commands();

/** Prints "rio: <message>" and the --help hint; returns exit_usage. */
int usage_error(const cli_io& io, const std::string& message);

/** Resolves settings from the global options, printing the error if that fails. */
std::optional<settings> settings_or_report(const cli_args& args, const cli_io& io);

/**
 * Loads the plugin directory, printing one line per skipped plugin on stderr, and the error (with
 * where the directory came from) when it cannot be loaded at all.
 */
std::optional<module_registry> registry_or_report(const settings& cfg, const cli_io& io);

// The commands.
int cli_modules(const cli_args& args, const cli_io& io);
int cli_vault(const cli_args& args, const cli_io& io);
int cli_plan(const cli_args& args, const cli_io& io);
int cli_install(const cli_args& args, const cli_io& io);
int cli_status(const cli_args& args, const cli_io& io);
int cli_demo(const cli_args& args, const cli_io& io);
int cli_serve(const cli_args& args, const cli_io& io);

}  // namespace rio::kernel
