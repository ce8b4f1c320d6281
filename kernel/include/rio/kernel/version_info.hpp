#pragma once

#include <string>

namespace rio::kernel {

/** rio's version (from CMake's project version). */
const char* rio_version() noexcept;

/** Lines for `rio --version`: rio, SDK ABI and header hash, Boost, libssh2, libsodium. */
std::string version_report();

}  // namespace rio::kernel
