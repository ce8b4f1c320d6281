#pragma once
// Option values, their validation against a module's schema, and command rendering.

#include <rio/sdk/error.hpp>
#include <rio/sdk/module_spec.hpp>

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace rio::sdk {

/** Option name to value. Ordered so that rendering and listings are deterministic. */
using option_values = std::map<std::string, std::string, std::less<>>;

/**
 * The schema's defaults with `overrides` on top, each value validated against its type.
 * Errors: errc::unknown_option (names the option), errc::invalid_option (names the option
 * and what is wrong with the value).
 */
result<option_values> resolve_options(const module_spec& spec, const option_values& overrides);

/** The type's name as modules, the CLI and the API spell it ("identifier", "port", ...). */
const char* to_string(option_type type) noexcept;

/** Checks one value against one option's type; the error message names the option. */
result<void> validate_option(const option_spec& option, std::string_view value);

/**
 * Replaces every {{name}} in `text` with the option's value quoted for POSIX sh by type
 * (path values starting with `~/` become "$HOME"/'rest'), and every {{>name}} with the
 * module's snippet of that name, rendered the same way. Errors: errc::template_error when a
 * placeholder or snippet is unknown, a snippet references another, or a `{{` is unterminated.
 */
result<std::string> render_command(std::string_view text, const module_spec& spec,
                                   const option_values& values);

/** Like render_command, but inserts values unquoted: for remote paths handed to upload(). */
result<std::string> render_path(std::string_view text, const module_spec& spec,
                                const option_values& values);

}  // namespace rio::sdk
