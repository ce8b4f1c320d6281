#pragma once
// Loads one plugin file: pre-check, dlopen, handshake, create, validate.

#include <rio/kernel/abi_identity.hpp>
#include <rio/kernel/error.hpp>
#include <rio/kernel/loaded_module.hpp>

#include <filesystem>
#include <memory>

namespace rio::kernel {

/**
 * Loads `file` as an installer module. Every failure is an error value whose message says what
 * is wrong with the file; nothing a plugin throws escapes.
 */
result<std::unique_ptr<loaded_module>> load_module(const std::filesystem::path& file,
                                                   const abi_identity& expected = kernel_abi());

/**
 * The shared steps of every plugin kind: file pre-check, dlopen (RTLD_NODELETE), the descriptor
 * and the handshake. The descriptor lives in the plugin, which is never unloaded.
 */
result<const sdk::module_descriptor*> open_plugin(const std::filesystem::path& file,
                                                  const abi_identity& expected = kernel_abi());

}  // namespace rio::kernel
