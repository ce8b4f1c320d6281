#pragma once
// Where installed code may come from when a request (not the operator) chooses module options.
// A request may pick versions and refs; it may not point a module's URL options (git remotes,
// installer scripts, wheel indexes) anywhere but the module's own upstream or a source the operator
// listed in config/rio.json's "allowed_sources". Otherwise any web page or API client could make
// rio run a script of its choosing, as root, on every host.

#include <rio/kernel/error.hpp>
#include <rio/sdk/module_spec.hpp>
#include <rio/sdk/options.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace rio::kernel::engine {

/**
 * True when `url` is `prefix` or lies under it: the prefix must end at a path boundary ('/', '?'
 * or '#' next, or the prefix itself ends in '/'), so "https://mirror.lab" does not admit
 * "https://mirror.lab.evil.example/" nor "https://mirror.lab@evil.example/".
 */
bool url_under(std::string_view url, std::string_view prefix);

/**
 * Checks every URL-typed option in `requested` (option name -> value) of `spec`: each must equal
 * the option's default (the module's upstream) or lie under one of `allowed` (the operator's
 * prefixes, whatever their scheme). Errors: errc::bad_request naming "options.<module>.<option>",
 * the value's origin and how an operator allows it.
 */
result<void> check_requested_sources(const sdk::module_spec& spec, const sdk::option_values& requested,
                                     const std::vector<std::string>& allowed);

}  // namespace rio::kernel::engine
