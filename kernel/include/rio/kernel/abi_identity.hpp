#pragma once
// What a module must match to be loaded: the kernel's own build identity.

#include <rio/kernel/error.hpp>
#include <rio/sdk/module.hpp>

#include <cstdint>
#include <string>

namespace rio::kernel {

struct abi_identity {
  std::uint32_t abi_major;
  std::uint32_t abi_minor;
  std::uint32_t boost_version;
  std::uint32_t gxx_abi_version;
  std::uint32_t glibcxx_cxx11_abi;
  std::string sdk_header_hash;
};

/** The identity this rio binary was built with. */
abi_identity kernel_abi() noexcept;

/** "1.81.0" from 108100. */
std::string boost_version_text(std::uint32_t boost_version);

/** A descriptor's C string, read up to `limit` bytes at most; "" for null. */
std::string bounded_text(const char* text, std::size_t limit);

/**
 * Compares a module's descriptor with `expected`; the first difference becomes an error whose
 * message names both values (errc::abi_mismatch, boost_mismatch, compiler_abi_mismatch,
 * header_hash_mismatch).
 */
result<void> check_handshake(const sdk::module_descriptor& descriptor, const abi_identity& expected);

}  // namespace rio::kernel
