#pragma once
// The preflight: facts about a host gathered inside the detect command (no extra connection),
// and the checks that turn them into reasons to refuse a module before anything runs. A module
// that cannot succeed on a host (too little disk, no passwordless sudo where a step needs root,
// a tool no step installs, an unsupported platform, an installer that would install GPU drivers)
// is marked `blocked` in the plan; an apply refuses it with that reason instead of failing
// halfway. docs/platforms.md lists the checks and how each is overridden.

#include <rio/kernel/engine/host_detect.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace rio::kernel::engine {

/** One GPU as its vendor's tool describes it (nvidia-smi, rocm-smi); fields unknown are empty. */
struct gpu_device {
  std::string name;                   ///< "NVIDIA GeForce RTX 4090", "Navi 21 [Radeon RX 6800/6800 XT / 6900 XT]"
  std::optional<std::uint64_t> vram_mib;
  std::string compute;                ///< NVIDIA compute capability ("8.9") or AMD gfx target ("gfx1030")
};

/**
 * One GPU vendor found on the host. A fact comes only from a tool that succeeded, parsed to its
 * value: a tool that failed leaves `driver` empty and says so in `tool_error`.
 */
struct gpu_fact {
  std::string vendor;   ///< nvidia, amd, intel, or the PCI vendor id
  std::string driver;   ///< driver version ("550.54.15", "6.8.5"), "amdgpu (in-kernel)", or "" when none answered
  std::string tool_error;  ///< "nvidia-smi exit 9: NVIDIA-SMI has failed because ..." when the vendor's tool failed
  std::string cuda;     ///< NVIDIA: the newest CUDA the driver supports (nvidia-smi's banner), "" when unknown
  std::string rocm;     ///< AMD: the ROCm release installed (${ROCM_PATH:-/opt/rocm}/.info/version), "" when unknown
  bool rocm_tools = false;  ///< AMD: rocm-smi ran and succeeded
  unsigned pci_devices = 0;  ///< display devices of this vendor on the PCI bus (lspci or /sys)
  std::vector<gpu_device> devices;  ///< from the vendor's tool, when it answered
};

/** What the preflight found. Every field is "" / empty / nullopt when it could not be read. */
struct host_facts {
  bool known = false;        ///< false when the detect command did not run or printed no facts
  std::string system;        ///< linux, macos, windows (MSYS2, Git Bash, Cygwin), or other:<uname -s>
  std::string os_id;         ///< /etc/os-release ID (debian, ubuntu, rocky...), or uname -s elsewhere
  std::string os_like;       ///< /etc/os-release ID_LIKE
  std::string os_version;    ///< VERSION_ID, or uname -r / sw_vers where there is no os-release
  std::string os_name;       ///< PRETTY_NAME
  std::string arch;          ///< uname -m
  std::string sudo;          ///< root, passwordless, password (sudo asks for one), absent
  std::string pkg_manager;   ///< apt-get, dnf or none: what package steps will use
  bool systemd = false;      ///< /run/systemd/system exists (systemd is PID 1)
  std::map<std::string, bool> tools;               ///< command -v result per tool asked about
  std::vector<std::optional<std::uint64_t>> disk;  ///< free MiB per batch disk path, in order
  std::vector<gpu_fact> gpus;                      ///< one per vendor found
  bool uv = false;  ///< uv is on PATH or in ~/.local/bin (where its official installer puts it)
};

/** "nvidia (driver 550.54.15, CUDA 12.4, 2 GPUs: NVIDIA GeForce RTX 4090 24.0 GiB compute 8.9 x2)": how plans show a GPU. */
std::string describe_gpu(const gpu_fact& g);

/** Per-run overrides of the checks (CLI flags, the API's `preflight` object). */
struct preflight_overrides {
  std::optional<std::uint64_t> disk_mib;                ///< replaces every module's disk need
  std::map<std::string, std::uint64_t> module_disk_mib;  ///< per module; wins over disk_mib
  std::set<std::string> skip;                           ///< check names not applied
};

/**
 * Adds one disk override: "GIB" for every module or "MODULE=GIB" for one (GiB, decimals allowed,
 * 0 turns the check off). `module_known` says whether MODULE is loaded. Errors:
 * errc::bad_request naming the value and what is wrong with it.
 */
result<void> add_disk_override(preflight_overrides& o, std::string_view text,
                               const std::function<bool(const std::string&)>& module_known);

/** Adds a check to skip. Errors: errc::bad_request naming the check and listing the valid ones. */
result<void> add_skipped_check(preflight_overrides& o, std::string_view name);

/** The check names, in the order they are applied: platform, disk, sudo, package_manager, tools, gpu_driver, torch. */
const std::vector<std::string>& preflight_check_names();

/** One reason to refuse a module. */
struct preflight_issue {
  std::string check;    ///< one of preflight_check_names()
  std::string message;  ///< one sentence for people, naming what is missing and how to fix or override it
};

/**
 * The POSIX sh fragment that prints `rio-fact <key> <value>` lines: platform, sudo, package
 * manager, systemd, each of `tools`, free space on each of `disk_paths` (shell words, already
 * quoted; the nearest existing ancestor is measured), GPUs and their drivers. Reads only.
 */
std::string preflight_script(const std::vector<std::string>& tools, const std::vector<std::string>& disk_paths);

/** The tools every preflight reports, beside those the requested modules' steps name. */
const std::vector<std::string>& standard_tools();

/**
 * Reads the `rio-fact` lines of a detect command's output. Untrusted text: unknown keys and
 * malformed lines are ignored, values are cut to 200 bytes (rocm-smi's CSV lines to 400) and stripped of control characters,
 * disk indices beyond `disk_count` and tools not in `tools` are dropped.
 */
host_facts parse_host_facts(std::string_view output, const std::vector<std::string>& tools, std::size_t disk_count);

/** "6.0 GiB": how plans and preflight messages show an amount of MiB. */
std::string format_gib(std::uint64_t mib);

/** The host's GPU entry of `vendor` (nvidia, amd, intel), or null. */
const gpu_fact* find_gpu(const host_facts& f, std::string_view vendor);
gpu_fact* find_gpu(host_facts& f, std::string_view vendor);

/** The disk a module's install needs after the overrides, in MiB (0: no check). */
std::uint64_t disk_need_mib(const sdk::module_spec& spec, const preflight_overrides& overrides);

/** What the preflight says about one module that would be installed (none for a noop or unknown facts). */
std::vector<preflight_issue> check_module(const module_request& request, const module_detection& found,
                                          const host_facts& facts, std::optional<std::size_t> disk_index,
                                          const preflight_overrides& overrides);

}  // namespace rio::kernel::engine
