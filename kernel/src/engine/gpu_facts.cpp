#include "gpu_facts.hpp"

#include <charconv>
#include <cstdio>
#include <vector>

namespace rio::kernel::engine {
namespace {

constexpr std::size_t max_vendors = 8;
constexpr std::size_t max_devices = 16;

std::string vendor_name(std::string_view pci_id) {
  if (pci_id == "10de") return "nvidia";
  if (pci_id == "1002") return "amd";
  if (pci_id == "8086") return "intel";
  return std::string{pci_id};
}

gpu_fact* gpu_of(host_facts& f, const std::string& vendor) {
  if (auto* g = find_gpu(f, vendor)) return g;
  if (f.gpus.size() >= max_vendors) return nullptr;
  gpu_fact g;
  g.vendor = vendor;
  f.gpus.push_back(std::move(g));
  return &f.gpus.back();
}

std::string_view trimmed(std::string_view v) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  return v;
}

std::vector<std::string_view> split(std::string_view v, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    const auto at = v.find(sep);
    out.push_back(trimmed(v.substr(0, at)));
    if (at == std::string_view::npos) return out;
    v.remove_prefix(at + 1);
  }
}

std::optional<std::uint64_t> number(std::string_view v) {
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc{} || end != v.data() + v.size()) return std::nullopt;
  return n;
}

// "8.9", "12.0": a compute capability; "[N/A]" and the like are not.
bool is_compute_capability(std::string_view v) {
  const auto dot = v.find('.');
  return dot != std::string_view::npos && number(v.substr(0, dot)) && number(v.substr(dot + 1));
}

// A version made of digits and dots ("550.54.15", "6.8.5"); anything else is no version.
bool is_dotted_version(std::string_view v) {
  if (v.empty() || v.size() > 32 || v.front() == '.' || v.back() == '.') return false;
  for (char c : v) {
    if ((c < '0' || c > '9') && c != '.') return false;
  }
  return true;
}

// nvidia-smi --query-gpu=name,driver_version,memory.total[,compute_cap] (noheader, nounits):
// "NVIDIA GeForce RTX 4090, 550.54.15, 24564, 8.9". Read from the right: a name may hold commas.
void read_nvidia_gpu(gpu_fact& g, std::string_view line) {
  auto fields = split(line, ',');
  if (fields.size() < 3) return;
  gpu_device d;
  if (fields.size() >= 4 && is_compute_capability(fields.back())) {
    d.compute = std::string{fields.back()};
    fields.pop_back();
  }
  d.vram_mib = number(fields.back());
  fields.pop_back();
  const std::string_view driver = fields.back();
  fields.pop_back();
  if (!is_dotted_version(driver)) return;
  for (const auto& part : fields) d.name += (d.name.empty() ? "" : ", ") + std::string{part};
  if (g.driver.empty()) g.driver = std::string{driver};
  if (g.devices.size() < max_devices) g.devices.push_back(std::move(d));
}

// "| NVIDIA-SMI 550.54.15   Driver Version: 550.54.15   CUDA Version: 12.4 |", or the newer
// "CUDA UMD Version: 13.3": the CUDA version the driver supports.
std::string banner_cuda(std::string_view line) {
  for (std::string_view label : {"CUDA UMD Version:", "CUDA Version:"}) {
    const auto at = line.find(label);
    if (at == std::string_view::npos) continue;
    std::string_view rest = trimmed(line.substr(at + label.size()));
    rest = rest.substr(0, rest.find(' '));
    return is_dotted_version(rest) ? std::string{rest} : std::string{};
  }
  return {};
}

// "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug 19 ..." -> "535.104.05"
std::string nvidia_module_version(std::string_view line) {
  const auto at = line.find("Kernel Module");
  if (at == std::string_view::npos) return {};
  std::string_view rest = trimmed(line.substr(at + 13));
  // "Kernel Module for x86_64  550.144.03" (the open modules) has two words before the version.
  for (int word = 0; word < 4 && !rest.empty(); ++word) {
    const std::string_view token = rest.substr(0, rest.find(' '));
    if (is_dotted_version(token)) return std::string{token};
    rest = trimmed(rest.substr(token.size()));
  }
  return {};
}

// rocm-smi --showproductname --showmeminfo vram --csv: the header names the columns.
void read_amd_csv_row(gpu_fact& g, std::string_view header, std::string_view row) {
  const auto names = split(header, ',');
  const auto cells = split(row, ',');
  gpu_device d;
  for (std::size_t i = 0; i < names.size() && i < cells.size(); ++i) {
    if (names[i] == "VRAM Total Memory (B)") {
      if (auto bytes = number(cells[i])) d.vram_mib = *bytes / (1024 * 1024);
    } else if (names[i] == "Card Series" || names[i] == "Card series") {
      d.name = std::string{cells[i]};
    } else if (names[i] == "GFX Version" && cells[i].starts_with("gfx")) {
      d.compute = std::string{cells[i]};
    }
  }
  if (g.devices.size() < max_devices) g.devices.push_back(std::move(d));
}

std::string describe_device(const gpu_device& d) {
  std::string out = d.name.empty() ? std::string{"unnamed"} : d.name;
  if (d.vram_mib) out += " " + format_gib(*d.vram_mib);
  if (!d.compute.empty()) out += d.compute.starts_with("gfx") ? " " + d.compute : " compute " + d.compute;
  return out;
}

}  // namespace

std::string describe_gpu(const gpu_fact& g) {
  std::vector<std::string> parts;
  if (!g.driver.empty()) parts.push_back("driver " + g.driver);
  if (!g.cuda.empty()) parts.push_back("CUDA " + g.cuda);
  if (!g.rocm.empty()) parts.push_back("ROCm " + g.rocm);
  // Only NVIDIA's and AMD's drivers are asked about: for other vendors, silence is no verdict.
  if (!g.tool_error.empty()) parts.push_back(g.tool_error);
  else if (g.driver.empty() && (g.vendor == "nvidia" || g.vendor == "amd")) parts.push_back("no driver");
  // Identical GPUs are listed once with a count: "2x NVIDIA GeForce RTX 4090 24.0 GiB compute 8.9".
  std::vector<std::pair<std::string, unsigned>> kinds;
  for (const auto& d : g.devices) {
    const std::string text = describe_device(d);
    if (!kinds.empty() && kinds.back().first == text) ++kinds.back().second;
    else kinds.emplace_back(text, 1);
  }
  for (const auto& [text, n] : kinds) parts.push_back(n > 1 ? std::to_string(n) + "x " + text : text);
  std::string out = g.vendor;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i == 0 ? " (" : ", ") + parts[i];
  return parts.empty() ? out : out + ")";
}

namespace detail {

bool gpu_reader::read(host_facts& f, std::string_view key, const std::string& value) {
  if (key == "gpu") {
    if (auto* g = gpu_of(f, vendor_name(value)); g != nullptr && g->pci_devices < 64) ++g->pci_devices;
  } else if (key == "nvidia_gpu") {
    if (auto* g = gpu_of(f, "nvidia")) read_nvidia_gpu(*g, value);
  } else if (key == "nvidia_banner") {
    if (auto* g = find_gpu(f, "nvidia")) g->cuda = banner_cuda(value);
  } else if (key == "nvidia_error") {
    // nvidia-smi can be installed where no NVIDIA GPU is: only a GPU the bus shows is affected.
    if (auto* g = gpu_of(f, "nvidia")) g->tool_error = value;
  } else if (key == "nvidia_module") {
    if (auto v = nvidia_module_version(value); !v.empty()) {
      if (auto* g = gpu_of(f, "nvidia")) g->driver = v;
    }
  } else if (key == "amd_driver") {
    const std::string_view v = trimmed(value);
    if (auto* g = gpu_of(f, "amd"); g != nullptr && is_dotted_version(v.substr(0, v.find('-')))) {
      g->driver = std::string{v};
      g->rocm_tools = true;
    }
  } else if (key == "amd_csv") {
    if (value.starts_with("device,")) amd_csv_header = value;
    else if (auto* g = find_gpu(f, "amd"); g != nullptr && !amd_csv_header.empty()) read_amd_csv_row(*g, amd_csv_header, value);
  } else if (key == "amd_error") {
    if (auto* g = find_gpu(f, "amd")) g->tool_error = value;
  } else if (key == "rocm_version") {
    const std::string_view v = trimmed(value);
    if (auto* g = find_gpu(f, "amd"); g != nullptr && is_dotted_version(v.substr(0, v.find('-')))) g->rocm = std::string{v.substr(0, v.find('-'))};
  } else if (key == "amd_kernel_driver") {
    // Only worth saying when there is an AMD GPU; the amdgpu module alone is no GPU.
    if (auto* g = find_gpu(f, "amd"); g != nullptr && g->driver.empty()) g->driver = value;
  } else {
    return false;
  }
  return true;
}

}  // namespace detail
}  // namespace rio::kernel::engine
