// Hardware-aware installs end to end: loopback hosts whose PATH holds stand-in nvidia-smi,
// rocm-smi and lspci that replay recorded outputs of real machines (tests/fixtures/gpu), one
// scenario per host. The plan must show each host's PyTorch decision and why; an install must run
// the exact pip / uv command lines for it (recorded by the stand-in python and uv in the host's
// ~/.rio-fixture/calls.log), keep torch under the guard, and reinstall torch when the host's GPU
// facts change.
#include "engine_test_support.hpp"

#include <boost/json/serialize.hpp>

#include <fstream>
#include <iostream>
#include <unistd.h>
#include <sstream>

namespace rio::test {
namespace {

namespace json = boost::json;

const fs::path gpu_fixtures = fs::path{RIO_TEST_SOURCE_DIR} / "tests/fixtures/gpu";

// Puts the scenario's tools (those its `cases` file answers for) into the host's ~/.local/bin,
// which the throwaway host's PATH holds before /usr/bin. Any earlier scenario's tools go first.
void give_gpu_scenario(kernel::sandbox::throwaway_host& h, const std::string& scenario) {
  const fs::path bin = h.home() / ".local/bin";
  fs::create_directories(bin);
  for (const char* tool : {"lspci", "nvidia-smi", "rocm-smi"}) fs::remove(bin / tool);
  std::ifstream cases{gpu_fixtures / scenario / "cases"};
  std::string line;
  while (std::getline(cases, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::string tool = line.substr(0, line.find('\t'));
    const fs::path standin = bin / tool;
    if (fs::exists(standin)) continue;
    std::ofstream{standin} << "#!/bin/sh\nexec sh '" << (gpu_fixtures / "standin.sh").string() << "' '"
                           << (gpu_fixtures / scenario).string() << "' " << tool << " \"$@\"\n";
    fs::permissions(standin, fs::perms::owner_all);
  }
}

std::string calls_of(kernel::sandbox::throwaway_host& h) { return read_file(h.home() / ".rio-fixture/calls.log"); }

const json::object* plan_of(const json::object& host, const std::string& module) {
  for (const auto& p : host.at("plan").as_array()) {
    if (p.at("module").as_string() == module) return &p.as_object();
  }
  return nullptr;
}

// "cu124" from the plan's hardware choices, or "" when there is none.
std::string choice(const json::object& plan, const std::string& name, std::string* why = nullptr) {
  for (const auto& h : plan.at("hardware").as_array()) {
    if (h.at("choice").as_string() == name) {
      if (why != nullptr) *why = std::string{h.at("why").as_string()};
      return std::string{h.at("value").as_string()};
    }
  }
  return "";
}

struct scenario_case {
  const char* scenario;
  const char* action;  // the plan's action for comfyui
  const char* torch;   // the decision, "" when blocked
  const char* why;     // a piece of the reason
};

const std::vector<scenario_case> fleet{
    {"nvidia-current", "install", "cu124", "NVIDIA driver 550.54.14 supports CUDA 12.4; 2 GPUs, 24.0 GiB each (NVIDIA GeForce RTX 4090)"},
    {"nvidia-470", "install", "cu118", "NVIDIA driver 470.57.02 supports CUDA 11.4"},
    {"nvidia-nodriver", "blocked", "", "nvidia-smi exit 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver"},
    {"nvidia-nodevices", "blocked", "", "nvidia-smi exit 6: No devices were found"},
    {"amd-rocm", "install", "rocm6.4", "AMD ROCm (rocm-smi driver 6.8.5)"},
    {"cpu-only", "install", "cpu", "no NVIDIA, AMD or Apple GPU: the CPU build"},
    {"mixed", "install", "cu121", "NVIDIA driver 535.104.05 supports CUDA 12.2; 1 GPU, 12.0 GiB (NVIDIA GeForce RTX 3060)"},
};

TEST(EngineHardware, EachHostOfAMixedFleetGetsTheTorchBuildItsGpuAndDriverSupport) {
  REQUIRE_SSHD();
  engine_world w;
  std::vector<std::size_t> all;
  for (std::size_t i = 0; i < fleet.size(); ++i) {
    give_gpu_scenario(w.add_host(), fleet[i].scenario);
    all.push_back(i);
  }
  auto plan = w.run(engine_world::with(w.args("plan", {"-i", w.inventory(all).string()}, "comfyui"), {"--json"}));
  auto r = parse_object(plan.out);
  ASSERT_TRUE(r.contains("hosts")) << plan.err << plan.out;
  const auto& hosts = r["hosts"].as_array();
  ASSERT_EQ(hosts.size(), fleet.size());
  for (std::size_t i = 0; i < fleet.size(); ++i) {
    SCOPED_TRACE(fleet[i].scenario);
    const auto* p = plan_of(hosts[i].as_object(), "comfyui");
    ASSERT_NE(p, nullptr) << plan.out;
    EXPECT_EQ(p->at("action").as_string(), fleet[i].action) << json::serialize(*p);
    std::string why;
    EXPECT_EQ(choice(*p, "torch", &why), fleet[i].torch);
    const std::string said = std::string{fleet[i].torch}.empty() ? std::string{p->at("reason").as_string()} : why;
    EXPECT_NE(said.find(fleet[i].why), std::string::npos) << said;
    EXPECT_EQ(choice(*p, "installer"), std::string{fleet[i].torch}.empty() ? "pip" : "pip");
  }
  // The facts say what the tools said, parsed: never a failing tool's text as a driver version.
  const auto& nodriver = hosts[2].at("facts").at("gpus").as_array()[0].as_object();
  EXPECT_TRUE(nodriver.at("driver").is_null()) << json::serialize(nodriver);
  EXPECT_EQ(nodriver.at("pci_devices").as_int64(), 3);
  const auto& amd = hosts[4].at("facts").at("gpus").as_array()[0].as_object();
  EXPECT_EQ(amd.at("driver").as_string(), "6.8.5");
  EXPECT_EQ(amd.at("devices").as_array()[0].at("compute").as_string(), "gfx1030");
  const auto& current = hosts[0].at("facts").at("gpus").as_array()[0].as_object();
  EXPECT_EQ(current.at("cuda").as_string(), "12.4");
  EXPECT_EQ(current.at("devices").as_array().size(), 2u);
  EXPECT_EQ(current.at("devices").as_array()[0].at("vram_mib").as_int64(), 24564);

  // The text plan says it too, in a person's words (printed: the whole fleet as an operator sees it).
  auto fleet_text = w.run(w.args("plan", {"-i", w.inventory(all).string()}, "comfyui,ollama"));
  std::cout << "[ user sees ]\n" << fleet_text.out;
  auto text = w.run(w.args("plan", {"-i", w.inventory({0, 2}).string()}, "comfyui"));
  EXPECT_NE(text.out.find("torch: cu124 (NVIDIA driver 550.54.14 supports CUDA 12.4"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("torch: no PyTorch build fits"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("driver NVIDIA-SMI"), std::string::npos) << "a failing tool's text is no driver version\n" << text.out;

  // Installed as planned: each host ran its own line's pip command; a blocked host ran no pip.
  auto installed = w.run(w.args("install", {"-i", w.inventory(all).string()}, "comfyui"));
  EXPECT_EQ(installed.code, 1) << "two hosts are blocked\n" << installed.out;
  for (std::size_t i = 0; i < fleet.size(); ++i) {
    SCOPED_TRACE(fleet[i].scenario);
    const std::string calls = calls_of(w.host(i));
    const std::string torch{fleet[i].torch};
    if (torch.empty()) {
      EXPECT_EQ(calls.find("pip "), std::string::npos) << calls;
      continue;
    }
    const std::string line = "pip install torch torchvision torchaudio --index-url https://download.pytorch.org/whl/" + torch + "\n";
    EXPECT_NE(calls.find(line + "pip install -r requirements.txt -c venv/.rio-torch-constraints.txt\n"), std::string::npos) << calls;
    EXPECT_EQ(read_file(w.host(i).home() / "ComfyUI/venv/.rio-torch-constraints.txt").substr(0, 14 + torch.size()),
              "torch==2.5.1+" + torch + "\n");
  }
}

TEST(EngineHardware, AnInstallRunsThePipLinesOfTheDecisionUnderTheTorchGuard) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  give_gpu_scenario(h, "nvidia-current");
  auto first = w.run(w.args("install", {"-i", w.inventory({0}).string()}, "comfyui"));
  ASSERT_EQ(first.code, 0) << first.err << first.out;
  const std::string venv = (h.home() / "ComfyUI/venv").string();
  const std::string sudo = ::geteuid() == 0 ? "" : "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update -q\n";
  const std::string sudo2 = ::geteuid() == 0 ? "" : "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends git python3-venv python3-pip\n";
  EXPECT_EQ(calls_of(h), sudo + "apt-get update -q\n" + sudo2 +
                         "apt-get install -y -q --no-install-recommends git python3-venv python3-pip\n"
                         "python3 -m venv " + venv + "\n"
                         "pip install torch torchvision torchaudio --index-url https://download.pytorch.org/whl/cu124\n"
                         "pip install -r requirements.txt -c venv/.rio-torch-constraints.txt\n");
  EXPECT_EQ(read_file(h.home() / "ComfyUI/venv/.rio-torch-constraints.txt"),
            "torch==2.5.1+cu124\ntorchaudio==2.5.1+cu124\ntorchvision==0.20.1+cu124\n");

  // The same facts again: nothing to do.
  auto again = w.run(engine_world::with(w.args("plan", {"-i", w.inventory({0}).string()}, "comfyui"), {"--json"}));
  auto again_json = parse_object(again.out);  // one host: its object alone
  ASSERT_TRUE(again_json.contains("plan")) << again.out << again.err;
  EXPECT_EQ(plan_of(again_json, "comfyui")->at("action").as_string(), "noop") << again.out;

  // The driver was upgraded... no: the GPU was swapped for an older one with a 470 driver. The
  // recorded decision differs, so the torch step runs again with the new line; nothing else does.
  give_gpu_scenario(h, "nvidia-470");
  auto swapped = w.run(w.args("plan", {"-i", w.inventory({0}).string()}, "comfyui"));
  EXPECT_NE(swapped.out.find("options changed: torch cu124 -> cu118"), std::string::npos) << swapped.out;
  fs::remove(h.home() / ".rio-fixture/calls.log");
  auto second = w.run(w.args("install", {"-i", w.inventory({0}).string()}, "comfyui"));
  ASSERT_EQ(second.code, 0) << second.err << second.out;
  EXPECT_EQ(calls_of(h), "pip install torch torchvision torchaudio --index-url https://download.pytorch.org/whl/cu118\n");

  // A requirements.txt that pins another torch fails under the guard, saying why; torch stays.
  { std::ofstream{h.home() / "ComfyUI/requirements.txt", std::ios::app} << "torch==2.3.0\n"; }
  fs::remove(h.home() / ".config/comfyvn/remote/comfyui.installed");
  auto guarded = w.run(w.args("install", {"-i", w.inventory({0}).string()}, "comfyui"));
  EXPECT_EQ(guarded.code, 1) << guarded.out;
  EXPECT_NE(guarded.out.find("rio: torch guard: requirements.txt asks for a torch"), std::string::npos) << guarded.out << guarded.err;
  EXPECT_EQ(read_file(h.home() / "ComfyUI/venv/.stub-torch").substr(0, 19), "torch==2.5.1+cu118\n");
}

TEST(EngineHardware, UvOnTheHostInstallsWithUvAndAllowCpuLetsADriverlessHostThrough) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  give_gpu_scenario(h, "nvidia-nodriver");
  fs::copy_file(w.fixtures().uv_stub, h.home() / ".local/bin/uv");
  auto refused = w.run(engine_world::with(w.args("install", {"-i", w.inventory({0}).string()}, "comfyui"), {"--json"}));
  EXPECT_EQ(refused.code, 1) << refused.out;
  EXPECT_NE(refused.out.find("set comfyui.allow_cpu=true for the CPU build"), std::string::npos) << refused.out;

  auto plan = w.run(engine_world::with(w.args("plan", {"-i", w.inventory({0}).string()}, "comfyui"),
                                       {"--set", "comfyui.allow_cpu=true"}));
  EXPECT_NE(plan.out.find("torch: cpu (NVIDIA GPU whose driver does not answer"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("installer: uv (uv is on the host)"), std::string::npos) << plan.out;
  auto run = w.run(engine_world::with(w.args("install", {"-i", w.inventory({0}).string()}, "comfyui"),
                                      {"--set", "comfyui.allow_cpu=true"}));
  ASSERT_EQ(run.code, 0) << run.err << run.out;
  const std::string venv = (h.home() / "ComfyUI/venv").string();
  const std::string python = w.fixtures().options.at("comfyui").at("python");
  std::string calls = calls_of(h);
  calls = calls.substr(calls.find("uv venv"));
  EXPECT_EQ(calls, "uv venv --seed --python " + python + " " + venv + "\n"
                   "uv pip install torch torchvision torchaudio --index-url https://download.pytorch.org/whl/cpu --python " + venv + "/bin/python\n"
                   "uv pip freeze --python " + venv + "/bin/python\n"
                   "uv pip install -r requirements.txt -c venv/.rio-torch-constraints.txt --python " + venv + "/bin/python\n");
}

}  // namespace
}  // namespace rio::test
