#pragma once
// Reading the preflight's GPU lines (lspci or /sys, nvidia-smi, rocm-smi) into gpu_fact values.
// Untrusted text from the host: every number is parsed, anything malformed is dropped.

#include <rio/kernel/engine/preflight.hpp>

#include <string>
#include <string_view>

namespace rio::kernel::engine::detail {

/** Carries what one line tells to the next (rocm-smi's CSV header names the columns of its rows). */
struct gpu_reader {
  std::string amd_csv_header;
  /** Takes one `rio-fact` line whose key is a GPU key; false when `key` is not one. */
  bool read(host_facts& f, std::string_view key, const std::string& value);
};

}  // namespace rio::kernel::engine::detail
