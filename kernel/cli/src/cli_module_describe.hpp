#pragma once
// One module described for `rio modules ID`: what it installs, with which options, steps, probes
// and config sync, and what it needs from a host.

#include <rio/kernel/loaded_module.hpp>

#include <boost/json/object.hpp>

#include <string>

namespace rio::kernel::cli_detail {

/** The text form, wrapped to `width`. */
std::string module_description(const loaded_module& module, std::size_t width);

/** module_to_json (the GET /api/remote/modules item) plus "file" and "requirements". */
boost::json::object module_description_json(const loaded_module& module);

}  // namespace rio::kernel::cli_detail
