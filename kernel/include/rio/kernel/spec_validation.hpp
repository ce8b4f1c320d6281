#pragma once
// Checks a module's declared data before the kernel accepts the module.

#include <rio/kernel/error.hpp>
#include <rio/sdk/module_spec.hpp>

namespace rio::kernel {

/**
 * id grammar, unique option/step/probe ids, valid option defaults, templates that reference
 * only declared options, one sentinel step and it last, positive timeouts.
 * Errors: errc::invalid_module, naming the field.
 */
result<void> validate_spec(const sdk::module_spec& spec);

}  // namespace rio::kernel
