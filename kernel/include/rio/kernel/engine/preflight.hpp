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

struct gpu_fact {
  std::string vendor;  ///< nvidia, amd, intel, or the PCI vendor id
  std::string driver;  ///< version, "amdgpu (in-kernel)", or "" when no driver answered
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
};

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

/** The check names, in the order they are applied: platform, disk, sudo, package_manager, tools, gpu_driver. */
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
 * malformed lines are ignored, values are cut to 200 bytes and stripped of control characters,
 * disk indices beyond `disk_count` and tools not in `tools` are dropped.
 */
host_facts parse_host_facts(std::string_view output, const std::vector<std::string>& tools, std::size_t disk_count);

/** "6.0 GiB": how plans and preflight messages show an amount of MiB. */
std::string format_gib(std::uint64_t mib);

/** The disk a module's install needs after the overrides, in MiB (0: no check). */
std::uint64_t disk_need_mib(const sdk::module_spec& spec, const preflight_overrides& overrides);

/** What the preflight says about one module that would be installed (none for a noop or unknown facts). */
std::vector<preflight_issue> check_module(const module_request& request, const module_detection& found,
                                          const host_facts& facts, std::optional<std::size_t> disk_index,
                                          const preflight_overrides& overrides);

}  // namespace rio::kernel::engine
