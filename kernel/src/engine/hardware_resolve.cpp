// Applying the hardware choices to a module's options for one host (hardware_choice.hpp), and
// what a module's GPU runtime will do there.
#include <rio/kernel/engine/hardware_choice.hpp>

#include <charconv>

namespace rio::kernel::engine {
namespace {

unsigned major_of(std::string_view version) {
  unsigned n = 0;
  std::from_chars(version.data(), version.data() + version.size(), n);
  return n;
}

// Ollama's GPU support (docs.ollama.com/gpu): NVIDIA from driver 531 and compute capability 5.0,
// AMD through the ROCm libraries its installer brings (an amdgpu kernel driver suffices), Apple Metal.
hardware_note ollama_note(const host_facts& f) {
  if (f.system == "macos") return {"gpu", "GPU (Metal)", "Apple GPU"};
  const gpu_fact* nvidia = find_gpu(f, "nvidia");
  if (nvidia != nullptr && !nvidia->driver.empty()) {
    if (major_of(nvidia->driver) < 531) {
      return {"gpu", "CPU", "NVIDIA driver " + nvidia->driver + " is older than the 531 Ollama's CUDA build needs"};
    }
    return {"gpu", "GPU (CUDA)", "NVIDIA driver " + nvidia->driver + ", " + std::to_string(std::max<std::size_t>(nvidia->devices.size(), nvidia->pci_devices)) + " GPU(s)"};
  }
  if (nvidia != nullptr && nvidia->pci_devices > 0) return {"gpu", "CPU", "the NVIDIA GPU has no working driver"};
  const gpu_fact* amd = find_gpu(f, "amd");
  if (amd != nullptr && !amd->driver.empty()) return {"gpu", "GPU (ROCm)", "AMD GPU with driver " + amd->driver};
  return {"gpu", "CPU", "no GPU that Ollama supports"};
}

// LM Studio's llama.cpp engines: CUDA 12 on NVIDIA (driver 525.60.13 or newer), ROCm or Vulkan
// on AMD, Vulkan on Intel and older NVIDIA drivers, Metal/MLX on Apple silicon, else the CPU.
hardware_note llama_cpp_note(const host_facts& f) {
  if (f.system == "macos") return {"gpu", "Metal (MLX or llama.cpp)", "Apple GPU"};
  const gpu_fact* nvidia = find_gpu(f, "nvidia");
  if (nvidia != nullptr && !nvidia->driver.empty()) {
    auto line = cuda_line_for_driver(nvidia->driver);
    if (line && line->line != "cu118") return {"gpu", "llama.cpp CUDA 12", "NVIDIA driver " + nvidia->driver};
    return {"gpu", "llama.cpp Vulkan", "NVIDIA driver " + nvidia->driver + " is too old for the CUDA 12 engine"};
  }
  const gpu_fact* amd = find_gpu(f, "amd");
  if (amd != nullptr && amd->rocm_tools) return {"gpu", "llama.cpp ROCm", "AMD GPU with ROCm (driver " + amd->driver + ")"};
  if (amd != nullptr || find_gpu(f, "intel") != nullptr) return {"gpu", "llama.cpp Vulkan", "AMD or Intel GPU"};
  return {"gpu", "llama.cpp CPU", "no usable GPU"};
}

bool option_true(const module_request& r, const std::string& name) {
  auto it = r.options.find(name);
  return !name.empty() && it != r.options.end() && it->second == "true";
}

void resolve_torch(module_request& r, const sdk::option_spec& o, const host_facts& f, hardware_resolution& out) {
  auto& value = r.options[o.name];
  if (value != "auto") {
    out.notes.push_back({o.name, value, "set by the operator"});
    return;
  }
  const auto& fallback = r.spec().requirements.cpu_fallback_option;
  const torch_choice c = choose_torch(f, option_true(r, fallback));
  if (!c.refused.empty()) {
    const std::string& id = r.spec().id;
    std::string how = fallback.empty() ? "" : ", set " + id + "." + fallback + "=true for the CPU build";
    out.issues.push_back({"torch", "no PyTorch build fits: " + c.refused + how + ", or force a line with " + id + "." +
                                       o.name + "=LINE (cpu, cu118, ...)"});
    return;
  }
  value = c.build;
  out.notes.push_back({o.name, c.build, c.why});
}

void resolve_installer(module_request& r, const sdk::option_spec& o, const host_facts& f, hardware_resolution& out) {
  auto& value = r.options[o.name];
  if (value == "uv") out.notes.push_back({o.name, "uv", f.uv ? "set by the operator; uv is on the host" : "set by the operator; fetched with uv's official installer"});
  else if (value == "pip") out.notes.push_back({o.name, "pip", "set by the operator"});
  else if (f.uv) out.notes.push_back({o.name, value = "uv", "uv is on the host"});
  else out.notes.push_back({o.name, value = "pip", "uv is not on the host (set " + o.name + "=uv to fetch it)"});
}

}  // namespace

hardware_note gpu_runtime_note(std::string_view runtime, const host_facts& facts) {
  if (runtime == "ollama") return ollama_note(facts);
  if (runtime == "llama.cpp") return llama_cpp_note(facts);
  return {"gpu", "unknown", "unknown GPU runtime '" + std::string{runtime} + "'"};
}

void use_recorded_hardware(module_request& request, const module_record* previous) {
  if (previous == nullptr) return;
  for (const auto& o : request.spec().options) {
    if (o.type != sdk::option_type::torch_build || !o.defines_state) continue;
    auto& value = request.options[o.name];
    auto recorded = previous->state_options.find(o.name);
    if (value == "auto" && recorded != previous->state_options.end()) value = recorded->second;
  }
}

hardware_resolution resolve_hardware(module_request& request, const host_facts& facts) {
  hardware_resolution out;
  if (!facts.known) return out;
  for (const auto& o : request.spec().options) {
    if (o.type == sdk::option_type::torch_build) resolve_torch(request, o, facts, out);
    else if (o.type == sdk::option_type::python_installer) resolve_installer(request, o, facts, out);
  }
  if (const auto& runtime = request.spec().requirements.gpu_runtime; !runtime.empty()) {
    out.notes.push_back(gpu_runtime_note(runtime, facts));
  }
  return out;
}

}  // namespace rio::kernel::engine
