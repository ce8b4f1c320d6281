#include <rio/kernel/engine/preflight.hpp>

#include <rio/kernel/engine/remote_text.hpp>

#include "gpu_facts.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace rio::kernel::engine {
namespace {

// Plain POSIX sh (dash, busybox sh, bash --posix). Builtins wherever a loop is involved: a fork
// per PCI device would cost more than the rest of the detect command together.
constexpr std::string_view facts_head = R"sh(rio_fact() { printf 'rio-fact %s %s\n' "$1" "$2"; }
# Linux answers uname -sm and id -u in /proc, read by the shell itself: two programs fewer to
# start on every host (/proc/sys/kernel/arch exists only on recent kernels). Elsewhere, or on older
# kernels, both programs in one command substitution.
rio_system= rio_arch= rio_uid=
if [ -r /proc/sys/kernel/arch ] && [ -r /proc/self/status ]; then
  read -r rio_system </proc/sys/kernel/ostype
  read -r rio_arch </proc/sys/kernel/arch
  # Uid: real effective saved fs; id -u prints the effective one.
  while read -r rio_k rio_real rio_uid rio_rest; do
    case $rio_k in Uid:) break ;; esac
    rio_uid=
  done </proc/self/status
fi
if [ -z "$rio_system" ] || [ -z "$rio_arch" ] || [ -z "$rio_uid" ]; then
  set -f
  set -- $(uname -sm 2>/dev/null || echo unknown unknown; id -u 2>/dev/null || echo unknown)
  set +f
  rio_system=${1:-unknown} rio_arch=${2:-unknown} rio_uid=${3:-unknown}
fi
case $rio_system in
  Linux) rio_fact system linux ;;
  Darwin) rio_fact system macos; rio_fact os_id macos; rio_fact os_version "$(sw_vers -productVersion 2>/dev/null)" ;;
  MINGW*|MSYS*|CYGWIN*) rio_fact system windows; rio_fact os_id "$rio_system"; rio_fact os_version "$(uname -r 2>/dev/null)" ;;
  *) rio_fact system "other:$rio_system" ;;
esac
rio_fact arch "$rio_arch"
(
  if [ -r /etc/os-release ]; then
    . /etc/os-release
    rio_fact os_id "${ID:-}"; rio_fact os_like "${ID_LIKE:-}"; rio_fact os_version "${VERSION_ID:-}"
    rio_fact os_name "${PRETTY_NAME:-}"
  fi
  case " ${ID:-} ${ID_LIKE:-} " in
    *" debian "*|*" ubuntu "*) rio_pm=apt-get ;;
    *" rhel "*|*" fedora "*|*" centos "*|*" rocky "*) rio_pm=dnf ;;
    *) rio_pm= ;;
  esac
  if [ -n "$rio_pm" ] && command -v "$rio_pm" >/dev/null 2>&1; then :
  elif command -v apt-get >/dev/null 2>&1; then rio_pm=apt-get
  elif command -v dnf >/dev/null 2>&1; then rio_pm=dnf
  else rio_pm=none; fi
  rio_fact pkg_manager "$rio_pm"
)
if [ "$rio_uid" = 0 ]; then rio_fact sudo root
elif ! command -v sudo >/dev/null 2>&1; then rio_fact sudo absent
elif sudo -n true </dev/null >/dev/null 2>&1; then rio_fact sudo passwordless
else rio_fact sudo password; fi
if [ -d /run/systemd/system ]; then rio_fact systemd yes; else rio_fact systemd no; fi
# Free space of each install location, measured on its nearest existing ancestor; one df for all.
rio_disks() {
  rio_n=$#
  for rio_d do
    while [ ! -e "$rio_d" ]; do
      case $rio_d in */*) rio_d=${rio_d%/*}; [ -n "$rio_d" ] || rio_d=/ ;; *) rio_d=. ;; esac
    done
    set -- "$@" "$rio_d"
  done
  shift "$rio_n"
  # Read by the shell itself, not awk (a program less to start). A df that skipped a path would
  # shift every line after it: then nothing is reported.
  rio_i=-1 rio_lines=
  while read -r rio_fs rio_size rio_used rio_free rio_rest; do
    [ "$rio_i" -lt 0 ] || rio_lines="${rio_lines}rio-fact disk $rio_i $rio_free
"
    rio_i=$((rio_i + 1))
  done <<rio_df_end
$(df -Pk -- "$@" 2>/dev/null)
rio_df_end
  [ "$rio_i" != "$#" ] || printf '%s' "$rio_lines"
}
if command -v lspci >/dev/null 2>&1; then
  lspci -n 2>/dev/null | while read -r rio_slot rio_class rio_id rio_rest; do
    case $rio_class in 03??:) rio_fact gpu "${rio_id%%:*}" ;; esac
  done
else
  for rio_p in /sys/bus/pci/devices/*; do
    [ -r "$rio_p/class" ] || continue
    read -r rio_c <"$rio_p/class" || continue
    case $rio_c in 0x03*) read -r rio_v <"$rio_p/vendor" && rio_fact gpu "${rio_v#0x}" ;; esac
  done
fi
# GPU facts come only from a tool that succeeded; a failing one is reported with its exit status
# and first line, never taken for a version. nvidia-smi before 510 rejects compute_cap: asked again without it.
rio_first_line() { printf '%s\n' "$1" | { IFS= read -r rio_l; printf '%s' "$rio_l"; }; }
if command -v nvidia-smi >/dev/null 2>&1; then
  rio_q=$(nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader,nounits 2>&1)
  rio_rc=$?
  if [ "$rio_rc" != 0 ]; then
    rio_q=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader,nounits 2>&1)
    rio_rc=$?
  fi
  if [ "$rio_rc" = 0 ]; then
    printf '%s\n' "$rio_q" | while IFS= read -r rio_l; do [ -z "$rio_l" ] || rio_fact nvidia_gpu "$rio_l"; done
    nvidia-smi 2>/dev/null | while IFS= read -r rio_l; do
      case $rio_l in *"CUDA Version:"*|*"CUDA UMD Version:"*) rio_fact nvidia_banner "$rio_l"; break ;; esac
    done
  else
    rio_fact nvidia_error "nvidia-smi exit $rio_rc: $(rio_first_line "$rio_q")"
  fi
elif [ -r /proc/driver/nvidia/version ]; then
  read -r rio_l </proc/driver/nvidia/version && rio_fact nvidia_module "$rio_l"
fi
if command -v rocm-smi >/dev/null 2>&1; then
  rio_q=$(rocm-smi --showdriverversion 2>&1)
  rio_rc=$?
  if [ "$rio_rc" = 0 ]; then
    printf '%s\n' "$rio_q" | while IFS= read -r rio_l; do
      case $rio_l in *"river version:"*) rio_fact amd_driver "${rio_l#*:}"; break ;; esac
    done
    rocm-smi --showproductname --showmeminfo vram --csv 2>/dev/null | while IFS= read -r rio_l; do
      [ -z "$rio_l" ] || rio_fact amd_csv "$rio_l"
    done
  else
    rio_fact amd_error "rocm-smi exit $rio_rc: $(rio_first_line "$rio_q")"
  fi
  if [ -r "${ROCM_PATH:-/opt/rocm}/.info/version" ]; then
    read -r rio_l <"${ROCM_PATH:-/opt/rocm}/.info/version" && rio_fact rocm_version "$rio_l"
  fi
elif [ -r /sys/module/amdgpu/version ]; then
  read -r rio_l </sys/module/amdgpu/version && rio_fact amd_kernel_driver "$rio_l"
elif [ -d /sys/module/amdgpu ]; then
  rio_fact amd_kernel_driver "amdgpu (in-kernel)"
fi
if command -v uv >/dev/null 2>&1 || [ -x "$HOME/.local/bin/uv" ]; then rio_fact uv yes; else rio_fact uv no; fi
)sh";

constexpr std::size_t max_value = 200;
constexpr std::size_t max_csv_value = 400;  // rocm-smi's CSV header alone is about 220

std::string clean(std::string_view v, std::size_t limit = max_value) { return printable_text(v, limit); }

bool listed(const std::vector<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

std::string joined(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& s : list) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

result<void> add_disk_override(preflight_overrides& o, std::string_view text,
                               const std::function<bool(const std::string&)>& module_known) {
  std::string module;
  std::string_view amount = text;
  if (const auto eq = text.find('='); eq != std::string_view::npos) {
    module = std::string{text.substr(0, eq)};
    amount = text.substr(eq + 1);
    if (!module_known(module)) {
      return fail(errc::bad_request, "min-disk '" + std::string{text.substr(0, 80)} + "': unknown module '" +
                                         module.substr(0, 64) + "'");
    }
  }
  double value = -1;
  const auto [end, ec] = std::from_chars(amount.data(), amount.data() + amount.size(), value);
  if (amount.empty() || ec != std::errc{} || end != amount.data() + amount.size() || !(value >= 0) || value > 1e6) {
    return fail(errc::bad_request, "min-disk '" + std::string{text.substr(0, 80)} +
                                       "': want GIB or MODULE=GIB with GIB a number from 0 to 1000000");
  }
  const auto mib = static_cast<std::uint64_t>(value * 1024.0 + 0.5);
  if (module.empty()) o.disk_mib = mib;
  else o.module_disk_mib[module] = mib;
  return {};
}

result<void> add_skipped_check(preflight_overrides& o, std::string_view name) {
  for (const auto& n : preflight_check_names()) {
    if (n == name) {
      o.skip.insert(n);
      return {};
    }
  }
  return fail(errc::bad_request, "skip-check '" + std::string{name.substr(0, 64)} + "': not a check; the checks are " +
                                     joined(preflight_check_names()));
}

const std::vector<std::string>& preflight_check_names() {
  static const std::vector<std::string> names{"platform", "disk", "sudo", "package_manager", "tools", "gpu_driver", "torch"};
  return names;
}

const std::vector<std::string>& standard_tools() {
  static const std::vector<std::string> tools{"git", "curl", "python3", "node", "npm", "systemctl"};
  return tools;
}

std::string preflight_script(const std::vector<std::string>& tools, const std::vector<std::string>& disk_paths) {
  std::string script{facts_head};
  script += "for rio_t in";
  for (const auto& t : tools) script += " " + t;  // validated words (spec validation)
  script += "; do\n  if command -v \"$rio_t\" >/dev/null 2>&1; then rio_fact tool \"$rio_t yes\"; "
            "else rio_fact tool \"$rio_t no\"; fi\ndone\n";
  if (!disk_paths.empty()) {
    script += "rio_disks";
    for (const auto& p : disk_paths) script += " " + p;  // already quoted shell words
    script += "\n";
  }
  return script;
}

host_facts parse_host_facts(std::string_view output, const std::vector<std::string>& tools, std::size_t disk_count) {
  host_facts f;
  detail::gpu_reader gpus;
  f.disk.resize(disk_count);
  while (!output.empty()) {
    const auto eol = output.find('\n');
    std::string_view line = output.substr(0, eol);
    output = eol == std::string_view::npos ? std::string_view{} : output.substr(eol + 1);
    if (!line.starts_with("rio-fact ")) continue;
    line.remove_prefix(9);
    const auto space = line.find(' ');
    if (space == std::string_view::npos) continue;
    const std::string_view key = line.substr(0, space);
    const std::string value = clean(line.substr(space + 1), key == "amd_csv" ? max_csv_value : max_value);
    f.known = true;
    if (key == "system") f.system = value;
    else if (key == "os_id") f.os_id = value;
    else if (key == "os_like") f.os_like = value;
    else if (key == "os_version") f.os_version = value;
    else if (key == "os_name") f.os_name = value;
    else if (key == "arch") f.arch = value;
    else if (key == "sudo") f.sudo = value;
    else if (key == "pkg_manager") f.pkg_manager = value == "apt-get" || value == "dnf" || value == "none" ? value : "";
    else if (key == "systemd") f.systemd = value == "yes";
    else if (key == "tool") {
      const auto sp = value.find(' ');
      if (sp == std::string::npos) continue;
      const std::string name = value.substr(0, sp);
      if (listed(tools, name)) f.tools[name] = value.substr(sp + 1) == "yes";
    } else if (key == "disk") {
      std::size_t index = 0;
      std::uint64_t kib = 0;
      const char* p = value.data();
      const char* end = value.data() + value.size();
      auto [p1, e1] = std::from_chars(p, end, index);
      if (e1 != std::errc{} || index >= disk_count || p1 == end || *p1 != ' ') continue;
      auto [p2, e2] = std::from_chars(p1 + 1, end, kib);
      if (e2 == std::errc{} && p2 == end) f.disk[index] = kib / 1024;
    } else if (key == "uv") {
      f.uv = value == "yes";
    } else {
      gpus.read(f, key, value);
    }
  }
  // A driver without a matching PCI display device (a container without /sys, say) still counts.
  return f;
}

const gpu_fact* find_gpu(const host_facts& f, std::string_view vendor) {
  for (const auto& g : f.gpus) {
    if (g.vendor == vendor) return &g;
  }
  return nullptr;
}

gpu_fact* find_gpu(host_facts& f, std::string_view vendor) {
  return const_cast<gpu_fact*>(find_gpu(static_cast<const host_facts&>(f), vendor));
}

std::string format_gib(std::uint64_t mib) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(mib) / 1024.0);
  return buf;
}

std::uint64_t disk_need_mib(const sdk::module_spec& spec, const preflight_overrides& overrides) {
  std::uint64_t need = spec.requirements.disk_mib;
  if (overrides.disk_mib) need = *overrides.disk_mib;
  if (auto it = overrides.module_disk_mib.find(spec.id); it != overrides.module_disk_mib.end()) need = it->second;
  return need;
}

namespace {

// One module's checks against one host's facts. Each issue names the override that skips it.
struct module_checks {
  const module_request& request;
  const host_facts& facts;
  const preflight_overrides& overrides;
  std::vector<preflight_issue> issues;

  const sdk::module_spec& spec() const { return request.spec(); }
  bool applies(const char* check) const { return overrides.skip.count(check) == 0; }
  void add(const char* check, std::string message) {
    issues.push_back({check, std::move(message) + " (override: skip check '" + check + "')"});
  }

  void platform() {
    const auto& req = spec().requirements;
    const std::string family = facts.system.starts_with("other:") ? facts.system.substr(6) : facts.system;
    if (!req.systems.empty() && !facts.system.empty() && !listed(req.systems, facts.system)) {
      add("platform", spec().name + " supports " + joined(req.systems) + "; this host runs " + family);
    } else if (!req.architectures.empty() && !facts.arch.empty() && !listed(req.architectures, facts.arch)) {
      add("platform", spec().name + " ships builds for " + joined(req.architectures) + "; this host is " + facts.arch);
    }
  }

  void disk(std::size_t disk_index) {
    const std::uint64_t need = disk_need_mib(spec(), overrides);
    const std::uint64_t have = *facts.disk[disk_index];
    if (need > 0 && have < need) {
      const auto& path = spec().requirements.install_path;
      const std::string where = path.empty() ? "the home directory" : path;
      add("disk", spec().name + " needs " + format_gib(need) + " free for " + where + "; the host has " + format_gib(have) +
                      " there (free space, or lower the need with --min-disk " + spec().id + "=GIB)");
    }
  }

  // Steps that would run, in order; what an earlier one installs counts as present for later ones.
  void steps(const module_detection& found) {
    std::set<std::string> provided;
    for (std::size_t i = 0; i < spec().install_steps.size() && i < found.steps.size(); ++i) {
      if (found.steps[i].satisfied == true) continue;
      const sdk::step_spec& s = spec().install_steps[i];
      step(s, provided);
      provided.insert(s.provides_tools.begin(), s.provides_tools.end());
    }
  }

  void step(const sdk::step_spec& s, const std::set<std::string>& provided) {
    if (s.needs_root && applies("sudo") && facts.sudo != "root" && facts.sudo != "passwordless" && !facts.sudo.empty()) {
      add("sudo", "step '" + s.id + "' (" + s.description + ") needs root, and " +
                      (facts.sudo == "absent" ? std::string{"sudo is not installed"}
                                              : std::string{"sudo asks for a password (sudo -n failed)"}) +
                      ": log in as root or grant passwordless sudo");
    }
    if (s.needs_package_manager && applies("package_manager") && facts.pkg_manager == "none") {
      add("package_manager", "step '" + s.id + "' needs apt-get or dnf; this host (" +
                                 (facts.os_name.empty() ? facts.system : facts.os_name) +
                                 ") has neither: unsupported platform for this step, install what it provides by hand");
    }
    if (!applies("tools")) return;
    for (const auto& tool : s.needs_tools) {
      auto it = facts.tools.find(tool);
      if (it != facts.tools.end() && !it->second && provided.count(tool) == 0) {
        add("tools", "step '" + s.id + "' needs " + tool + ", which the host lacks and no earlier step installs");
      }
    }
  }

  void gpu_driver() {
    const auto& option = spec().requirements.gpu_driver_option;
    auto opt = request.options.find(option);
    const bool allowed = opt != request.options.end() && opt->second == "true";
    for (const auto& g : facts.gpus) {
      // The bus shows an NVIDIA GPU that no driver answers for (nvidia-smi installed where no
      // NVIDIA GPU is, failing with "No devices were found", is no reason to refuse).
      if (g.vendor == "nvidia" && g.driver.empty() && g.pci_devices > 0 && !allowed) {
        add("gpu_driver", "this host has an NVIDIA GPU without a working driver, and " + spec().name +
                              "'s installer would install NVIDIA drivers; install the driver first, or set option " +
                              option + "=true");
      }
    }
  }
};

}  // namespace

std::vector<preflight_issue> check_module(const module_request& request, const module_detection& found,
                                          const host_facts& facts, std::optional<std::size_t> disk_index,
                                          const preflight_overrides& overrides) {
  if (!facts.known) return {};
  module_checks checks{request, facts, overrides, {}};
  if (checks.applies("platform")) checks.platform();
  if (checks.applies("disk") && disk_index && *disk_index < facts.disk.size() && facts.disk[*disk_index]) checks.disk(*disk_index);
  checks.steps(found);
  if (!request.spec().requirements.gpu_driver_option.empty() && checks.applies("gpu_driver")) checks.gpu_driver();
  return std::move(checks.issues);
}

}  // namespace rio::kernel::engine
