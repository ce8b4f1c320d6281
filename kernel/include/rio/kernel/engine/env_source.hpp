#pragma once
// Where a run's remote environment comes from on rio's side. `--env NAME=VALUE` puts the value in
// rio's own command line (the local process list); these keep it out: the value of NAME in rio's
// environment, or NAME=VALUE lines in a file.

#include <rio/kernel/settings.hpp>
#include <rio/kernel/ssh/remote_command.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rio::kernel::engine {

using env_assignment = std::pair<std::string, std::string>;

using ssh::valid_env_name;

/**
 * One `--env` argument: `NAME=VALUE`, or `NAME` alone for the value NAME has in `env` (rio's own
 * environment). Errors: errc::bad_usage for a bad name or an unset variable (naming it, never a
 * value).
 */
result<env_assignment> env_from_argument(std::string_view argument, const env_lookup& env);

/**
 * `--env-file FILE`: one `NAME=VALUE` per line, the value taken verbatim to the end of the line
 * (a CR before the newline is dropped); blank lines and lines starting with `#` are skipped.
 * Errors: errc::bad_usage naming the file and the line number (never a value), errc::io_error.
 */
result<std::vector<env_assignment>> env_from_file(const std::filesystem::path& file);

}  // namespace rio::kernel::engine
