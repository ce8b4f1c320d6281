#include <rio/kernel/engine/hardware_choice.hpp>

#include <array>
#include <charconv>
#include <cstdio>

namespace rio::kernel::engine {
namespace {

// The one table of NVIDIA driver floors per CUDA wheel line, newest line first. Sources (see
// docs/research/torch-wheels.md): NVIDIA CUDA Toolkit Release Notes, Table 3 (the driver each
// toolkit needs natively) and the minor-version compatibility rules (CUDA 12.x runs from driver
// 525.60.13, 11.x from 450.80.02); the lines PyTorch publishes, from
// pytorch.org/get-started/previous-versions (cu118/cu121/cu124 for torch 2.4-2.5, cu126/cu128/
// cu130 for 2.9 onwards). Native floors where a line has one, so no wheel needs a newer driver's
// PTX JIT; the compatibility floors only below the oldest native line of each CUDA major.
struct driver_floor {
  std::array<unsigned, 3> version;
  const char* line;
  const char* cuda;
};
constexpr std::array<driver_floor, 6> cuda_lines{{
    {{580, 65, 6}, "cu130", "13.0"},
    {{570, 26, 0}, "cu128", "12.8"},
    {{560, 28, 3}, "cu126", "12.6"},
    {{550, 54, 14}, "cu124", "12.4"},
    {{525, 60, 13}, "cu121", "12.1"},  // 12.1 natively from 530.30.02; 12.x compatibility from 525.60.13
    {{450, 80, 2}, "cu118", "11.8"},   // 11.8 natively from 520.61.05; 11.x compatibility from 450.80.02
}};

// GPU generations the newest lines dropped (PyTorch dev-discuss, 2025-07-14: cu128 and later
// carry no Maxwell or Pascal; CUDA 13 drops Volta), and the oldest any current line carries.
constexpr unsigned min_compute_x10 = 50;
constexpr std::array<std::pair<unsigned, const char*>, 2> compute_caps{{{70, "cu126"}, {75, "cu128"}}};

std::optional<std::array<unsigned, 3>> parse_version(std::string_view v) {
  std::array<unsigned, 3> out{0, 0, 0};
  for (std::size_t i = 0; i < out.size() && !v.empty(); ++i) {
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out[i]);
    if (ec != std::errc{}) return std::nullopt;
    v.remove_prefix(static_cast<std::size_t>(end - v.data()));
    if (!v.empty() && v.front() != '.') return std::nullopt;
    if (!v.empty()) v.remove_prefix(1);
  }
  return out;
}

// "8.9" -> 89; 0 when unknown.
unsigned compute_x10(std::string_view cc) {
  auto v = parse_version(cc);
  return v ? (*v)[0] * 10 + (*v)[1] : 0;
}

std::size_t line_index(std::string_view line) {
  for (std::size_t i = 0; i < cuda_lines.size(); ++i) {
    if (line == cuda_lines[i].line) return i;
  }
  return cuda_lines.size();
}

// "2 GPUs, 24.0 GiB each (NVIDIA GeForce RTX 4090)" or "2 GPUs: A 12.0 GiB, B 8.0 GiB".
std::string devices_text(const gpu_fact& g) {
  if (g.devices.empty()) return std::to_string(g.pci_devices) + " on the PCI bus";
  bool same = true;
  for (const auto& d : g.devices) same = same && d.name == g.devices.front().name && d.vram_mib == g.devices.front().vram_mib;
  const std::size_t n = g.devices.size();
  const auto& first = g.devices.front();
  if (same) {
    std::string out = std::to_string(n) + (n == 1 ? " GPU" : " GPUs");
    if (first.vram_mib) out += ", " + format_gib(*first.vram_mib) + (n == 1 ? "" : " each");
    return out + " (" + first.name + ")";
  }
  std::string out = std::to_string(n) + " GPUs:";
  for (std::size_t i = 0; i < n; ++i) {
    out += (i == 0 ? " " : ", ") + g.devices[i].name + (g.devices[i].vram_mib ? " " + format_gib(*g.devices[i].vram_mib) : "");
  }
  return out;
}

bool nvidia_usable(const gpu_fact* g) { return g != nullptr && !g->driver.empty(); }
bool nvidia_present(const gpu_fact* g) { return g != nullptr && (g->pci_devices > 0 || !g->driver.empty()); }
bool amd_usable(const gpu_fact* g) { return g != nullptr && g->rocm_tools; }

// Refused (or CPU when allowed): the GPU is there, but no CUDA line can use it.
torch_choice unusable_gpu(const std::string& what, bool allow_cpu) {
  if (allow_cpu) return {"cpu", what + "; the CPU build, since allow_cpu is true", ""};
  return {"", "", what + ": install or repair the NVIDIA driver"};
}

torch_choice nvidia_choice(const gpu_fact& g, bool allow_cpu) {
  const std::string lead = "NVIDIA driver " + g.driver;
  auto line = cuda_line_for_driver(g.driver);
  if (!line) return unusable_gpu(lead + " is older than every CUDA wheel line (450.80.02 or newer needed)", allow_cpu);
  unsigned lowest = 0;
  for (const auto& d : g.devices) {
    const unsigned cc = compute_x10(d.compute);
    if (cc != 0 && (lowest == 0 || cc < lowest)) lowest = cc;
  }
  std::string why = lead + " supports CUDA " + (g.cuda.empty() ? line->cuda : g.cuda);
  if (lowest != 0 && lowest < min_compute_x10) {
    return unusable_gpu(lead + ": compute capability " + std::to_string(lowest / 10) + "." + std::to_string(lowest % 10) +
                            " is older than any current CUDA wheel supports (5.0)", allow_cpu);
  }
  for (const auto& [below, cap] : compute_caps) {
    if (lowest != 0 && lowest < below && line_index(line->line) < line_index(cap)) {
      why += "; compute capability " + std::to_string(lowest / 10) + "." + std::to_string(lowest % 10) + " is not in " +
             line->line + " and newer, so " + cap;
      line = cuda_line{cap, cuda_lines[line_index(cap)].cuda};
    }
  }
  return {line->line, why + "; " + devices_text(g), ""};
}

// The newest ROCm wheel line not newer than the host's ROCm; rocm6.4 when it is unknown (the
// line of torch 2.8-2.9, with the widest list of gfx targets among recent lines).
std::string rocm_line(std::string_view installed) {
  static constexpr std::array<std::pair<std::array<unsigned, 3>, const char*>, 7> lines{{
      {{7, 1, 0}, "rocm7.1"}, {{6, 4, 0}, "rocm6.4"}, {{6, 3, 0}, "rocm6.3"}, {{6, 2, 0}, "rocm6.2"},
      {{6, 1, 0}, "rocm6.1"}, {{6, 0, 0}, "rocm6.0"}, {{5, 7, 0}, "rocm5.7"}}};
  auto v = installed.empty() ? std::nullopt : parse_version(installed);
  if (!v) return "rocm6.4";
  for (const auto& [floor, line] : lines) {
    if ((*v)[0] > floor[0] || ((*v)[0] == floor[0] && (*v)[1] >= floor[1])) return line;
  }
  return "rocm5.7";
}

torch_choice amd_choice(const gpu_fact& g) {
  std::string why = "AMD ROCm (rocm-smi driver " + g.driver + (g.rocm.empty() ? "" : ", ROCm " + g.rocm) + "); " + devices_text(g);
  for (const auto& d : g.devices) {
    if (!d.compute.empty() && d.compute != "gfx900" && d.compute != "gfx906" && d.compute != "gfx908" &&
        d.compute != "gfx90a" && d.compute != "gfx942" && d.compute != "gfx1030" && !d.compute.starts_with("gfx110") &&
        !d.compute.starts_with("gfx120")) {
      why += "; " + d.compute + " is not among the wheels' targets (ComfyUI's README: set HSA_OVERRIDE_GFX_VERSION)";
      break;
    }
  }
  return {rocm_line(g.rocm), why, ""};
}

}  // namespace

std::optional<cuda_line> cuda_line_for_driver(std::string_view driver) {
  auto v = parse_version(driver);
  if (!v || (*v)[0] == 0) return std::nullopt;
  for (const auto& f : cuda_lines) {
    if (*v >= f.version) return cuda_line{f.line, f.cuda};
  }
  return std::nullopt;
}

torch_choice choose_torch(const host_facts& f, bool allow_cpu) {
  if (f.system == "macos") {
    if (f.arch == "arm64" || f.arch == "aarch64") return {"default", "Apple silicon: PyPI's wheels use the GPU through Metal (MPS)", ""};
    return {"default", "macOS on Intel: PyPI's wheels (CPU)", ""};
  }
  const gpu_fact* nvidia = find_gpu(f, "nvidia");
  const gpu_fact* amd = find_gpu(f, "amd");
  if (nvidia_usable(nvidia)) return nvidia_choice(*nvidia, allow_cpu);
  if (nvidia_present(nvidia)) {
    const std::string what = nvidia->tool_error.empty() ? "NVIDIA GPU without a driver (nvidia-smi not found)"
                                                        : "NVIDIA GPU whose driver does not answer (" + nvidia->tool_error + ")";
    return unusable_gpu(what, allow_cpu);
  }
  if (amd_usable(amd)) return amd_choice(*amd);
  if (amd != nullptr && amd->pci_devices > 0) {
    return {"cpu", "AMD GPU without ROCm (" + (amd->tool_error.empty() ? std::string{"rocm-smi not found"} : amd->tool_error) +
                       "): the CPU build; install ROCm, or set torch to a ROCm line", ""};
  }
  if (find_gpu(f, "intel") != nullptr) return {"cpu", "Intel graphics only: the CPU build (set torch=xpu for an Arc GPU)", ""};
  return {"cpu", f.gpus.empty() ? "no GPU found: the CPU build" : "no NVIDIA, AMD or Apple GPU: the CPU build", ""};
}

}  // namespace rio::kernel::engine
