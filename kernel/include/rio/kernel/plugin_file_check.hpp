#pragma once
// Checks a candidate plugin file before anything in it runs (no dlopen, no static initialisers).

#include <rio/kernel/error.hpp>

#include <filesystem>

namespace rio::kernel {

/**
 * Refuses what rio must not load: non-regular files, files writable by group or others or owned
 * by another user than root or rio's own user (anyone who can write it could run code as rio),
 * files in a directory (any on the way from /, following links) that is writable by group or
 * others without the sticky bit, or owned by another user (OpenSSH's StrictModes), non-ELF
 * files, and shared objects without the rio_module_v1 export. A file exporting another
 * ABI major version is named as such.
 */
result<void> check_plugin_file(const std::filesystem::path& file);

}  // namespace rio::kernel
