#pragma once
// Choices made per host from the preflight's hardware facts: which PyTorch wheel line a
// torch_build option gets, which Python installer a python_installer option gets, and whether a
// module's GPU runtime (Ollama, llama.cpp) will use the GPU. Each choice carries the reason the
// plan shows ("cu124: NVIDIA driver 550.54.15 supports CUDA 12.4; ..."). Options the operator set
// to anything but `auto` are left alone. docs/modules.md has the decision table.

#include <rio/kernel/engine/host_detect.hpp>
#include <rio/kernel/engine/preflight.hpp>
#include <rio/kernel/engine/status_manifest.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rio::kernel::engine {

/** One choice as the plan shows it: `torch: cu124 (why)`. */
struct hardware_note {
  std::string choice;  ///< the option's name (torch, installer), or "gpu" for a runtime's verdict
  std::string value;   ///< cu124, uv, "GPU (CUDA)", ...
  std::string why;
};

/** A CUDA wheel line and the CUDA release it carries. */
struct cuda_line {
  std::string line;  ///< cu130, cu128, cu126, cu124, cu121, cu118
  std::string cuda;  ///< 13.0, 12.8, ...
};

/**
 * The newest CUDA wheel line that an NVIDIA driver of this version supports ("550.54.15" ->
 * cu124). nullopt when the version is unparsable or older than every line (before 450.80.02).
 */
std::optional<cuda_line> cuda_line_for_driver(std::string_view driver);

/** What a torch_build option set to `auto` becomes on one host. */
struct torch_choice {
  std::string build;    ///< the wheel line; "" when refused
  std::string why;      ///< the facts behind it, one clause each
  std::string refused;  ///< why no line fits (an NVIDIA GPU without a working driver), "" when chosen
};

/** The decision table (docs/modules.md). `allow_cpu`: a GPU that cannot be used gets cpu instead of a refusal. */
torch_choice choose_torch(const host_facts& facts, bool allow_cpu);

/** Whether Ollama ("ollama") or llama.cpp ("llama.cpp") will use this host's GPU, and why. */
hardware_note gpu_runtime_note(std::string_view runtime, const host_facts& facts);

/**
 * Detection runs before the facts are known, so the module's step checks see each `auto`
 * hardware option as the value the last install recorded (when the record has one): an
 * unchanged host then reads as installed.
 */
void use_recorded_hardware(module_request& request, const module_record* previous);

/** What resolve_hardware decided for one module on one host. */
struct hardware_resolution {
  std::vector<hardware_note> notes;
  std::vector<preflight_issue> issues;  ///< check "torch": no wheel line fits and CPU is not allowed
};

/**
 * Replaces each `auto` torch_build and python_installer option of `request` by this host's
 * choice, and describes the module's GPU runtime. With unknown facts (no detection) nothing changes.
 */
hardware_resolution resolve_hardware(module_request& request, const host_facts& facts);

}  // namespace rio::kernel::engine
