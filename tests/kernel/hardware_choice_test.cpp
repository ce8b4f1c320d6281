// The torch decision table and its inputs: the driver floors at their exact boundaries, the
// compute-capability caps, every kind of host, and the preflight lines a GPU tool's output becomes
// (parsed to values; a tool that failed is reported as failed, never as a version).
#include <rio/kernel/engine/hardware_choice.hpp>
#include <rio/kernel/engine/preflight.hpp>

#include <gtest/gtest.h>

namespace rio::kernel::engine {
namespace {

std::string line_for(std::string_view driver) {
  auto l = cuda_line_for_driver(driver);
  return l ? l->line : "none";
}

TEST(CudaLineForDriver, EachFloorIsInclusiveAndTheVersionJustBelowGetsTheLineBefore) {
  EXPECT_EQ(line_for("450.80.01"), "none");
  EXPECT_EQ(line_for("450.80.02"), "cu118");
  EXPECT_EQ(line_for("470.182.03"), "cu118");
  EXPECT_EQ(line_for("525.60.12"), "cu118");
  EXPECT_EQ(line_for("525.60.13"), "cu121");
  EXPECT_EQ(line_for("535.104.05"), "cu121");
  EXPECT_EQ(line_for("550.54.13"), "cu121");
  EXPECT_EQ(line_for("550.54.14"), "cu124");
  EXPECT_EQ(line_for("560.28.02"), "cu124");
  EXPECT_EQ(line_for("560.28.03"), "cu126");
  EXPECT_EQ(line_for("570.25.99"), "cu126");
  EXPECT_EQ(line_for("570.26"), "cu128");
  EXPECT_EQ(line_for("575.57.08"), "cu128");
  EXPECT_EQ(line_for("580.65.05"), "cu128");
  EXPECT_EQ(line_for("580.65.06"), "cu130");
  EXPECT_EQ(line_for("610.88"), "cu130");
  EXPECT_EQ(cuda_line_for_driver("550.54.14")->cuda, "12.4");
}

TEST(CudaLineForDriver, TextThatIsNoVersionHasNoLine) {
  for (const char* bad : {"", "No devices were found", "550.x", "-1", "550..54", "NVIDIA-SMI has failed"}) {
    EXPECT_EQ(line_for(bad), "none") << bad;
  }
}

host_facts linux_facts() {
  host_facts f;
  f.known = true;
  f.system = "linux";
  f.arch = "x86_64";
  return f;
}

gpu_fact nvidia(const std::string& driver, std::vector<std::string> computes = {}) {
  gpu_fact g;
  g.vendor = "nvidia";
  g.driver = driver;
  g.pci_devices = static_cast<unsigned>(std::max<std::size_t>(computes.size(), 1));
  for (auto& c : computes) g.devices.push_back({"GPU", 8192, c});
  return g;
}

TEST(ChooseTorch, OldGpuGenerationsCapTheLineBelowWhatTheDriverAllows) {
  auto f = linux_facts();
  f.gpus = {nvidia("580.82.09", {"8.9"})};
  EXPECT_EQ(choose_torch(f, false).build, "cu130");
  f.gpus = {nvidia("580.82.09", {"7.0"})};  // Volta: not in CUDA 13
  EXPECT_EQ(choose_torch(f, false).build, "cu128");
  f.gpus = {nvidia("580.82.09", {"8.6", "6.1"})};  // one Pascal among them decides
  auto pascal = choose_torch(f, false);
  EXPECT_EQ(pascal.build, "cu126");
  EXPECT_NE(pascal.why.find("compute capability 6.1 is not in"), std::string::npos) << pascal.why;
  f.gpus = {nvidia("470.182.03", {"3.7"})};  // Kepler: no current line
  EXPECT_EQ(choose_torch(f, false).build, "");
  EXPECT_NE(choose_torch(f, false).refused.find("compute capability 3.7"), std::string::npos);
  EXPECT_EQ(choose_torch(f, true).build, "cpu");
}

TEST(ChooseTorch, EveryKindOfHostGetsItsLineOrAReason) {
  auto f = linux_facts();
  EXPECT_EQ(choose_torch(f, false).build, "cpu");
  f.system = "macos";
  f.arch = "arm64";
  EXPECT_EQ(choose_torch(f, false).build, "default");
  EXPECT_NE(choose_torch(f, false).why.find("MPS"), std::string::npos);
  f = linux_facts();
  gpu_fact broken = nvidia("");
  broken.tool_error = "nvidia-smi exit 9: NVIDIA-SMI has failed";
  f.gpus = {broken};
  EXPECT_EQ(choose_torch(f, false).build, "");
  EXPECT_NE(choose_torch(f, false).refused.find("nvidia-smi exit 9"), std::string::npos);
  // nvidia-smi failing where the bus shows no NVIDIA GPU is no GPU at all.
  f.gpus[0].pci_devices = 0;
  EXPECT_EQ(choose_torch(f, false).build, "cpu");
  gpu_fact amd;
  amd.vendor = "amd";
  amd.driver = "6.8.5";
  amd.rocm_tools = true;
  amd.pci_devices = 1;
  f.gpus = {amd};
  EXPECT_EQ(choose_torch(f, false).build, "rocm6.4");
  f.gpus[0].rocm = "6.2.4";
  EXPECT_EQ(choose_torch(f, false).build, "rocm6.2");
  f.gpus[0].rocm = "7.2.0";
  EXPECT_EQ(choose_torch(f, false).build, "rocm7.1");
  f.gpus[0].rocm_tools = false;
  EXPECT_EQ(choose_torch(f, false).build, "cpu");
  EXPECT_NE(choose_torch(f, false).why.find("without ROCm"), std::string::npos);
  // NVIDIA with a driver wins over another vendor in the same host.
  f.gpus.push_back(nvidia("535.104.05", {"8.6"}));
  EXPECT_EQ(choose_torch(f, false).build, "cu121");
}

TEST(GpuRuntimeNote, OllamaAndLlamaCppSayWhetherTheGpuIsUsed) {
  auto f = linux_facts();
  f.gpus = {nvidia("550.54.14", {"8.9"})};
  EXPECT_EQ(gpu_runtime_note("ollama", f).value, "GPU (CUDA)");
  EXPECT_EQ(gpu_runtime_note("llama.cpp", f).value, "llama.cpp CUDA 12");
  f.gpus = {nvidia("470.57.02")};
  EXPECT_EQ(gpu_runtime_note("ollama", f).value, "CPU");
  EXPECT_NE(gpu_runtime_note("ollama", f).why.find("531"), std::string::npos);
  EXPECT_EQ(gpu_runtime_note("llama.cpp", f).value, "llama.cpp Vulkan");
  f.gpus.clear();
  EXPECT_EQ(gpu_runtime_note("ollama", f).value, "CPU");
  EXPECT_EQ(gpu_runtime_note("llama.cpp", f).value, "llama.cpp CPU");
}

host_facts parsed(const std::string& lines) { return parse_host_facts(lines, {}, 0); }

TEST(GpuFacts, ToolOutputBecomesValuesAndAFailingToolIsReportedAsFailed) {
  auto f = parsed("rio-fact gpu 10de\nrio-fact gpu 10de\n"
                  "rio-fact nvidia_gpu NVIDIA GeForce RTX 4090, 550.54.14, 24564, 8.9\n"
                  "rio-fact nvidia_gpu NVIDIA GeForce RTX 4090, 550.54.14, 24564, 8.9\n"
                  "rio-fact nvidia_banner | NVIDIA-SMI 550.54.14   Driver Version: 550.54.14   CUDA Version: 12.4     |\n");
  ASSERT_EQ(f.gpus.size(), 1u);
  EXPECT_EQ(f.gpus[0].driver, "550.54.14");
  EXPECT_EQ(f.gpus[0].cuda, "12.4");
  EXPECT_EQ(f.gpus[0].pci_devices, 2u);
  ASSERT_EQ(f.gpus[0].devices.size(), 2u);
  EXPECT_EQ(f.gpus[0].devices[0].vram_mib, 24564u);
  EXPECT_EQ(describe_gpu(f.gpus[0]), "nvidia (driver 550.54.14, CUDA 12.4, 2x NVIDIA GeForce RTX 4090 24.0 GiB compute 8.9)");

  auto old = parsed("rio-fact gpu 10de\nrio-fact nvidia_gpu NVIDIA GeForce GTX 1080, 470.57.02, 8192\n");
  EXPECT_EQ(old.gpus[0].driver, "470.57.02");
  EXPECT_EQ(old.gpus[0].devices[0].compute, "");

  auto failed = parsed("rio-fact gpu 10de\nrio-fact nvidia_error nvidia-smi exit 6: No devices were found\n");
  EXPECT_EQ(failed.gpus[0].driver, "");
  EXPECT_EQ(describe_gpu(failed.gpus[0]), "nvidia (nvidia-smi exit 6: No devices were found)");
  // A query line whose driver field is no version (an error printed with exit status 0) is dropped.
  auto odd = parsed("rio-fact gpu 10de\nrio-fact nvidia_gpu Failed to initialize NVML, Driver/library version mismatch, 0\n");
  EXPECT_EQ(odd.gpus[0].driver, "");

  auto amd = parsed("rio-fact gpu 1002\nrio-fact amd_driver  6.8.5\n"
                    "rio-fact amd_csv device,Unique ID,VRAM Total Memory (B),VRAM Total Used Memory (B),Card Series,GFX Version\n"
                    "rio-fact amd_csv card0,0x9246,17163091968,692142080,Navi 21 [Radeon RX 6800/6800 XT / 6900 XT],gfx1030\n");
  EXPECT_EQ(amd.gpus[0].driver, "6.8.5");
  EXPECT_TRUE(amd.gpus[0].rocm_tools);
  ASSERT_EQ(amd.gpus[0].devices.size(), 1u);
  EXPECT_EQ(amd.gpus[0].devices[0].compute, "gfx1030");
  EXPECT_EQ(amd.gpus[0].devices[0].vram_mib, 16368u);
  // The old parser's "Driver version: 6.8.5" as a driver: a label is no version.
  EXPECT_EQ(parsed("rio-fact gpu 1002\nrio-fact amd_driver Driver version\n").gpus[0].driver, "");
}

}  // namespace
}  // namespace rio::kernel::engine
