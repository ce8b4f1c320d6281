#pragma once
// The registry as JSON, in the shape of `GET /api/remote/modules`: {"modules":[...]}, each item
// with the original's keys (id, name, notes, tags, install_steps, config_sync, detect_steps)
// plus rio's additions (version, options, and per step its id, check and timeout).

#include <rio/kernel/module_registry.hpp>
#include <rio/sdk/module_spec.hpp>

#include <boost/json/object.hpp>

namespace rio::kernel {

/** One module; commands are shown rendered with the option defaults. */
boost::json::object module_to_json(const loaded_module& module);

/** {"modules":[...]} in registry order. */
boost::json::object registry_to_json(const module_registry& registry);

}  // namespace rio::kernel
