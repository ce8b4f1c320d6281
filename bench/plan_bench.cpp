// rio_bench_plan: `rio plan` over N loopback hosts with a mixed installed state, against the same
// detection done with the system OpenSSH client (`xargs -P 50 ssh`, one connection per host), in
// the same run, against the same sshd instances, with the same key and the same known_hosts file.
//
// rio is the real `rio` binary, started with posix_spawn; its wall time runs from spawn to wait4,
// its CPU and peak RSS come from the rusage wait4 returns. The OpenSSH side runs, per host, the
// very script rio runs: the bench builds it with rio::kernel::engine::build_detect_batch from the
// same plugins and the same per-host options. Both clients use each side's default key exchange.
// See bench/README.md.

#include "bench_common.hpp"
#include "bench_sshd.hpp"

#include <rio/kernel/engine/host_detect.hpp>
#include <rio/kernel/module_registry.hpp>
#include <rio/sdk/module_spec.hpp>
#include <rio/sdk/options.hpp>
#include <rio/sdk/shell.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <pwd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace rio::bench {
namespace {
namespace fs = std::filesystem;
namespace json = boost::json;
using clock = std::chrono::steady_clock;

constexpr const char* bench_name = "rio_bench_plan";

// Targets of issue #4 for this benchmark.
constexpr double target_wall_ratio = 1.0 / 3.0;  // rio / OpenSSH at N = 500
constexpr double target_cpu_ms_per_host = 3.0;   // rio
constexpr double target_kib_per_host = 200.0;    // rio, (peak RSS at N - peak RSS at 1) / N

// rio plan's own default for --parallel (kernel/cli/src/cli_run_request.hpp): hosts in flight at once.
constexpr int rio_default_parallel = 256;

// The PATH sshd gives a session (OpenSSH's _PATH_STDPATH for root; no PAM, no login rc here).
constexpr const char* session_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// ---------------------------------------------------------------------------------------------
// Options

struct options {
  std::vector<int> sizes{100, 500};
  int repeat = 3;
  int xargs_parallel = 50;
  int per_sshd = static_cast<int>(max_listen_addresses);
  std::string modules = "all";
  int installed_percent = 50;
  int rio_parallel = 0;  // 0: rio's default (no --parallel)
  fs::path rio;          // empty: `rio` beside this executable
  fs::path plugin_dir;   // empty: plugins/ beside rio
  bool skip_login_rc = true;
  bool keep_scratch = false;
  int retries = 2;  // a phase disturbed by other work is measured again, at most this many times
  int phase_limit_s = 900;  // a client still running after this is killed and its phase counts as failed
  int time_limit_s = 1800;
};

[[noreturn]] void usage(int code) {
  std::fprintf(code == 0 ? stdout : stderr,
               "usage: rio_bench_plan [--hosts 100,500] [--repeat 3] [--xargs-parallel 50] [--modules all]\n"
               "                      [--installed 50] [--rio-parallel 0] [--rio PATH] [--plugin-dir DIR]\n"
               "                      [--per-sshd 16] [--retries 2] [--keep-login-rc] [--keep-scratch]\n"
               "                      [--phase-limit 900] [--time-limit 1800]\n"
               "  --hosts LIST         numbers of hosts per round (distinct loopback address and port each)\n"
               "  --repeat R           rounds per N, alternating which client goes first; medians are reported\n"
               "  --xargs-parallel P   OpenSSH: xargs -P P (default 50)\n"
               "  --modules LIST       rio plan -m LIST (default all); the OpenSSH side runs the same script\n"
               "  --installed PCT      share of (host, module) pairs prepared as installed (default 50)\n"
               "  --rio-parallel K     rio plan --parallel K (0, the default: rio's own default)\n"
               "  --rio PATH           the rio binary (default: rio beside this executable)\n"
               "  --plugin-dir DIR     the modules, for both rio and the script (default: plugins/ beside rio)\n"
               "  --per-sshd M         hosts (listen addresses) per sshd instance, at most 16\n"
               "  --retries K          measure a phase again (at most K times) when other work on the machine\n"
               "                       disturbed it (other s above 1 s and 4%% of its busy CPU); the least\n"
               "                       disturbed attempt counts (default 2; 0: never)\n"
               "  --keep-login-rc      let bash read the account's ~/.bashrc on every login (both clients)\n"
               "  --keep-scratch       leave the scratch directory (inventories, rio's JSON, ssh output, the first\n"
               "                       host's detect-script.sh) at the end\n"
               "  --phase-limit S      a client still running after S seconds is killed; its hosts count as\n"
               "                       failed (default 900)\n"
               "  --time-limit S       the whole run stops after S seconds (default 1800)\n");
  std::exit(code);
}

int to_int(const std::string& s, const char* what) {
  if (auto v = non_negative_int(s)) return *v;
  std::fprintf(stderr, "%s: bad value for %s: '%s'\n", bench_name, what, s.c_str());
  usage(2);
}

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(2);
      return argv[++i];
    };
    if (a == "--hosts") {
      o.sizes.clear();
      std::stringstream list(value());
      for (std::string item; std::getline(list, item, ',');) {
        const int n = to_int(item, "--hosts");
        if (n <= 0 || n > 10000) usage(2);
        o.sizes.push_back(n);
      }
      if (o.sizes.empty()) usage(2);
    } else if (a == "--repeat") {
      o.repeat = std::max(1, to_int(value(), "--repeat"));
    } else if (a == "--xargs-parallel") {
      o.xargs_parallel = std::max(1, to_int(value(), "--xargs-parallel"));
    } else if (a == "--modules") {
      o.modules = value();
    } else if (a == "--installed") {
      o.installed_percent = std::min(100, to_int(value(), "--installed"));
    } else if (a == "--rio-parallel") {
      o.rio_parallel = to_int(value(), "--rio-parallel");
    } else if (a == "--rio") {
      o.rio = value();
    } else if (a == "--plugin-dir") {
      o.plugin_dir = value();
    } else if (a == "--per-sshd") {
      o.per_sshd = std::clamp(to_int(value(), "--per-sshd"), 1, static_cast<int>(max_listen_addresses));
    } else if (a == "--keep-login-rc") {
      o.skip_login_rc = false;
    } else if (a == "--keep-scratch") {
      o.keep_scratch = true;
    } else if (a == "--phase-limit") {
      o.phase_limit_s = std::max(10, to_int(value(), "--phase-limit"));
    } else if (a == "--retries") {
      o.retries = std::min(10, to_int(value(), "--retries"));
    } else if (a == "--time-limit") {
      o.time_limit_s = std::max(10, to_int(value(), "--time-limit"));
    } else if (a == "--help" || a == "-h") {
      usage(0);
    } else {
      std::fprintf(stderr, "%s: unknown argument '%s'\n", bench_name, a.c_str());
      usage(2);
    }
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// Hosts and their installed state

/** Host i listens on its own loopback address: 127.1.(i / 250).(i % 250 + 1). */
std::string host_address(int i) { return "127.1." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1); }

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

enum class host_state { installed, partial, absent };

const char* to_string(host_state s) {
  return s == host_state::installed ? "installed" : s == host_state::partial ? "partial" : "absent";
}

/**
 * The modules whose detection the bench controls per host. Every host has a home of its own (the
 * sshd's `Match LocalAddress` + `SetEnv HOME`), where the module's sentinel lives, and each of
 * these modules gets a path option of its own on every inventory line, under that home. About
 * half of the (host, module) pairs get the files that the module's detect probes test. A module
 * not listed here (ollama: `command -v ollama` is the same for every host) is "uncontrolled": it
 * must come out the same on every host.
 */
struct fixture {
  std::string module;
  std::string option;
  std::string path;  // relative to the host's home; {i} is the host index
  bool can_be_partial;
};

const std::vector<fixture>& fixtures() {
  static const std::vector<fixture> all{
      // probes: test -d {{install_dir}}/.git, test -x {{install_dir}}/venv/bin/python, the sentinel
      {"comfyui", "install_dir", "ComfyUI-h{i}", true},
      // probes: test -d {{install_dir}}/.git, test -d {{install_dir}}/node_modules, the sentinel
      {"sillytavern", "install_dir", "SillyTavern-h{i}", true},
      // probes: test -x {{lms_path}}, the sentinel
      {"lmstudio", "lms_path", "lmstudio-h{i}/bin/lms", false},
  };
  return all;
}

const fixture* fixture_for(const std::string& module) {
  for (const auto& f : fixtures()) {
    if (f.module == module) return &f;
  }
  return nullptr;
}

std::string fixture_path(const fixture& f, int host) {
  std::string p = f.path;
  p.replace(p.find("{i}"), 3, std::to_string(host));
  return p;
}

/** Deterministic: the same host has the same state in every N and every round. */
host_state state_of(int host, std::size_t module_index, int installed_percent, bool can_be_partial) {
  const std::uint64_t h = splitmix(static_cast<std::uint64_t>(host) * 64 + module_index + 1);
  if (static_cast<int>(h % 100) < installed_percent) return host_state::installed;
  return can_be_partial && ((h >> 32) & 1) ? host_state::partial : host_state::absent;
}

/**
 * Installed: every probe passes, the module's sentinel (~/.config/comfyvn/remote/<id>.installed)
 * included. Partial: only the checkout exists (the first probe passes). Executables are symlinks
 * to /bin/true, so a step check that runs them (comfyui's `venv/bin/python -m pip --version`)
 * succeeds at once.
 */
void prepare(const fs::path& home, const fixture& f, int host, host_state s) {
  if (s == host_state::absent) return;
  const fs::path base = home / fixture_path(f, host);
  if (s == host_state::installed) {
    const std::string sentinel = sdk::sentinel_path(f.module);  // "~/..."
    const fs::path file = home / sentinel.substr(2);
    fs::create_directories(file.parent_path());
    std::ofstream(file) << "2026-01-01T00:00:00Z\n";
  }
  if (f.module == "comfyui") {
    fs::create_directories(base / ".git");
    if (s == host_state::installed) {
      fs::create_directories(base / "venv" / "bin");
      fs::create_symlink("/bin/true", base / "venv" / "bin" / "python");
    }
  } else if (f.module == "sillytavern") {
    fs::create_directories(base / ".git");
    if (s == host_state::installed) fs::create_directories(base / "node_modules");
  } else if (f.module == "lmstudio") {
    fs::create_directories(base.parent_path());
    fs::create_symlink("/bin/true", base);
  }
}

/** Whether probe number `probe` (0-based, in the module's order) passes for this state. */
bool probe_passes(host_state s, std::size_t probe) {
  return s == host_state::installed || (s == host_state::partial && probe == 0);
}

// ---------------------------------------------------------------------------------------------
// The fleet: sshd instances, each listening on up to 16 addresses, one host per address

struct fleet {
  std::vector<std::unique_ptr<bench_sshd>> servers;
  std::vector<pid_t> listeners;
  std::vector<pid_t> resident;  // listeners and the launcher: what may run between phases
  std::vector<sshd_endpoint> hosts;      // host i
  std::vector<std::string> known_lines;  // host i's known_hosts line
  fs::path user_key;
  std::string user;
  fs::path homes;        // host i's HOME (SetEnv) is homes/h<i>; the fixtures live there
  fs::path client_home;  // HOME of rio and of ssh: empty, no ~/.ssh

  fs::path home_of(int host) const { return homes / ("h" + std::to_string(host)); }

  double server_cpu() const {
    double s = 0;
    for (const auto& srv : servers) s += srv->cpu_seconds();
    return s;
  }
};

// ---------------------------------------------------------------------------------------------
// One set of hosts ("case"): rio's root, inventory and known_hosts, OpenSSH's input, and what
// both must find

struct module_choice {
  const kernel::loaded_module* module;
  const fixture* fix;  // null: uncontrolled
};

struct check_ref {
  std::string module;
  std::string kind;  // probe, step, sync
  std::string id;    // probe or step id, or the sync entry's index
  std::size_t probe_index = 0;  // kind == probe: position among the module's probes
};

struct plan_case {
  std::string name;
  std::vector<int> hosts;
  fs::path dir, root, inventory, known_hosts, xargs_input, rio_out, rio_err, ssh_out, ssh_err;
  std::vector<check_ref> checks;            // the batch's checks, identical for every host
  std::vector<int> expected_passes;         // per check: -1 unknown (step, sync, uncontrolled probe)
  std::vector<std::vector<host_state>> state;  // [host position][module position]; absent for uncontrolled
  int expected_noop = 0;                    // controlled (host, module) pairs
  int expected_install = 0;
  std::size_t script_bytes = 0;             // the largest per-host script
  std::vector<std::string> scripts;         // per host, for measuring the script alone
};

std::vector<module_choice> choose_modules(const kernel::module_registry& registry, const std::string& list) {
  std::vector<module_choice> out;
  auto add = [&](const kernel::loaded_module* m) {
    for (const auto& c : out) {
      if (c.module == m) return;
    }
    out.push_back({m, fixture_for(m->id)});
  };
  std::stringstream in(list);
  for (std::string id; std::getline(in, id, ',');) {
    id.erase(0, id.find_first_not_of(" \t"));
    id.erase(id.find_last_not_of(" \t") + 1);
    std::transform(id.begin(), id.end(), id.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (id.empty()) continue;
    if (id == "all") {
      for (const auto& m : registry.modules()) add(m.get());
      continue;
    }
    const auto* m = registry.find(id);
    if (m == nullptr) throw std::runtime_error("module '" + id + "' is not in the plugin directory");
    add(m);
  }
  if (out.empty()) throw std::runtime_error("--modules names no module");
  return out;
}

std::vector<std::string> ssh_options(const fs::path& key, const fs::path& known_hosts) {
  // No algorithm options: OpenSSH negotiates its defaults (sntrup761x25519-sha512@openssh.com,
  // chacha20-poly1305 with OpenSSH 9.2 against this sshd). The rest as in rio_bench_ssh: a lean,
  // non-interactive client with exactly one identity and the run's known_hosts file.
  return {"/usr/bin/ssh", "-F", "/dev/null",
          "-i", key.string(),
          "-o", "IdentitiesOnly=yes",
          "-o", "IdentityAgent=none",
          "-o", "BatchMode=yes",
          "-o", "StrictHostKeyChecking=yes",
          "-o", "UserKnownHostsFile=" + known_hosts.string(),
          "-o", "GlobalKnownHostsFile=/dev/null",
          "-o", "UpdateHostKeys=no",
          "-o", "GSSAPIAuthentication=no",
          "-o", "PasswordAuthentication=no",
          "-o", "KbdInteractiveAuthentication=no",
          "-o", "ControlMaster=no",
          "-o", "ControlPath=none",
          "-o", "ConnectTimeout=60",
          "-o", "LogLevel=ERROR",
          "-T"};
}

plan_case make_case(const std::string& name, const std::vector<int>& hosts, const fleet& f, const fs::path& scratch,
                    const std::vector<module_choice>& modules, int installed_percent) {
  plan_case c;
  c.name = name;
  c.hosts = hosts;
  c.dir = scratch / ("case-" + name);
  c.root = c.dir / "root";
  c.inventory = c.dir / "inventory.txt";
  c.known_hosts = c.root / "data" / "ssh" / "known_hosts";
  c.xargs_input = c.dir / "xargs.in";
  c.rio_out = c.dir / "rio.json";
  c.rio_err = c.dir / "rio.err";
  c.ssh_out = c.dir / "ssh.out";
  c.ssh_err = c.dir / "ssh.err";
  fs::create_directories(c.known_hosts.parent_path());

  std::ofstream inventory(c.inventory);
  std::ofstream known(c.known_hosts);
  std::ofstream xargs_in(c.xargs_input, std::ios::binary);
  std::string first_layout;
  for (int i : hosts) {
    const auto& ep = f.hosts[static_cast<std::size_t>(i)];
    known << f.known_lines[static_cast<std::size_t>(i)] << "\n";
    inventory << f.user << "@" << ep.address << ":" << ep.port;

    std::vector<kernel::engine::module_request> requests;
    std::vector<host_state> states;
    for (std::size_t m = 0; m < modules.size(); ++m) {
      const auto& choice = modules[m];
      sdk::option_values overrides;
      if (choice.fix != nullptr) {
        const std::string value = "~/" + fixture_path(*choice.fix, i);
        overrides[choice.fix->option] = value;
        inventory << " " << choice.module->id << "." << choice.fix->option << "=" << value;
        states.push_back(state_of(i, m, installed_percent, choice.fix->can_be_partial));
      } else {
        states.push_back(host_state::absent);  // not used
      }
      // As `rio plan` resolves an inventory line's `<module>.<option>=value` (the per-check
      // comparison of the two clients after every phase would show any difference).
      auto resolved = sdk::resolve_options(choice.module->spec(), overrides);
      if (!resolved) throw std::runtime_error("module " + choice.module->id + ": " + resolved.error().message);
      requests.push_back({&choice.module->installer(), std::move(*resolved)});
    }
    inventory << "\n";
    c.state.push_back(states);

    auto batch = kernel::engine::build_detect_batch(requests, c.root);
    if (!batch) throw std::runtime_error("build_detect_batch: " + batch.error().message);
    std::string layout;
    for (const auto& chk : batch->checks) layout += chk.module_id + "/" + chk.probe_id + "\n";
    if (first_layout.empty()) {
      first_layout = layout;
      std::map<std::string, std::size_t> probes_seen;
      for (const auto& chk : batch->checks) {
        check_ref ref;
        ref.module = chk.module_id;
        const auto colon = chk.probe_id.find(':');
        ref.kind = chk.probe_id.substr(0, colon);
        ref.id = chk.probe_id.substr(colon + 1);
        if (ref.kind == "probe") ref.probe_index = probes_seen[ref.module]++;
        c.checks.push_back(ref);
      }
    } else if (layout != first_layout) {
      throw std::runtime_error("the detect batch differs in shape between hosts");
    }
    // The OpenSSH side runs the script under /bin/sh, as rio does (rio adds its wrapper around it).
    const std::string command = "/bin/sh -c " + sdk::shell_quote(batch->script);
    c.script_bytes = std::max(c.script_bytes, batch->script.size());
    c.scripts.push_back(batch->script);
    // The first host's script, for reading or profiling it by hand (kept with --keep-scratch).
    if (c.scripts.size() == 1) std::ofstream(c.dir / "detect-script.sh") << batch->script;
    const std::string dest = "ssh://" + f.user + "@" + ep.address + ":" + std::to_string(ep.port);
    xargs_in << dest << '\0' << command << '\0';
  }

  // What both clients must find: per check, how many hosts pass it (probes of controlled
  // modules only), and the controlled modules' plan actions.
  c.expected_passes.assign(c.checks.size(), -1);
  for (std::size_t j = 0; j < c.checks.size(); ++j) {
    const auto& chk = c.checks[j];
    if (chk.kind != "probe") continue;
    for (std::size_t m = 0; m < modules.size(); ++m) {
      if (modules[m].module->id != chk.module || modules[m].fix == nullptr) continue;
      int passes = 0;
      for (const auto& row : c.state) passes += probe_passes(row[m], chk.probe_index) ? 1 : 0;
      c.expected_passes[j] = passes;
    }
  }
  for (const auto& row : c.state) {
    for (std::size_t m = 0; m < modules.size(); ++m) {
      if (modules[m].fix == nullptr) continue;
      (row[m] == host_state::installed ? c.expected_noop : c.expected_install) += 1;
    }
  }
  return c;
}

// ---------------------------------------------------------------------------------------------
// Measurement

struct phase_result {
  double wall_s = 0;
  double client_cpu_s = 0;
  double client_switches = 0;
  long max_rss_kib = 0;  // rio: the rio process; OpenSSH: the largest single ssh (or xargs)
  double server_cpu_s = 0;
  double machine_busy_s = 0;
  double machine_softirq_s = 0;
  double orphan_cpu_s = 0;
  double bench_overhead_s = 0;
  int failures = 0;
  std::string first_error;
  int exit_status = 0;
  std::vector<int> passes;  // per check: hosts where it passed
  int noop = 0, install = 0;  // controlled modules (rio only: read from its JSON)

  double other_cpu_s() const { return std::max(0.0, machine_busy_s - client_cpu_s - server_cpu_s - bench_overhead_s); }
  void fail(std::string why, int count = 1) {
    failures += count;
    if (first_error.empty()) first_error = std::move(why);
  }
};

// Runs `measure` between two quiet points (no sshd session left), adding server and machine CPU.
template <class F>
phase_result measured_phase(const fleet& f, F measure) {
  double orphans_before = 0;  // belongs to the previous phase
  if (!wait_until_idle(f.resident, 60.0, orphans_before)) {
    std::fprintf(stderr, "warning: sshd sessions still running before a phase\n");
  }
  const double server0 = f.server_cpu();
  const machine_cpu machine0 = machine_cpu_now();
  const double self0 = cpu_of(self_usage());
  phase_result r = measure();
  double orphans = 0;
  if (!wait_until_idle(f.resident, 60.0, orphans)) {
    std::fprintf(stderr, "warning: sshd sessions still running after a phase\n");
  }
  r.server_cpu_s = f.server_cpu() - server0 + orphans;
  r.orphan_cpu_s = orphans;
  const machine_cpu machine1 = machine_cpu_now();
  // The client is a child process in both cases: everything this process spent is bookkeeping.
  r.bench_overhead_s = std::max(0.0, cpu_of(self_usage()) - self0);
  r.machine_busy_s = machine1.busy - machine0.busy;
  r.machine_softirq_s = machine1.softirq - machine0.softirq;
  return r;
}

struct run_context {
  fs::path rio;
  fs::path plugin_dir;
  std::string modules;
  int rio_parallel = 0;
  int xargs_parallel = 50;
  double phase_limit_s = 900;
  std::vector<std::string> env;  // for both clients
};

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string first_line(const std::string& text) { return text.substr(0, std::min(text.find('\n'), std::size_t{300})); }

const json::object* find_object(const json::object& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_object() ? &it->value().get_object() : nullptr;
}
const json::array* find_array(const json::object& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_array() ? &it->value().get_array() : nullptr;
}
std::string find_string(const json::object& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string{it->value().get_string()} : std::string{};
}
bool is_true(const json::object& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_bool() && it->value().get_bool();
}

/** Reads rio's --json output and checks it against the case. */
void check_rio_output(const plan_case& c, const fleet& f, const std::vector<module_choice>& modules, phase_result& r) {
  r.passes.assign(c.checks.size(), 0);
  json::value doc;
  try {
    doc = json::parse(read_text(c.rio_out));
  } catch (const std::exception& e) {
    r.fail(std::string{"rio's output is not JSON: "} + e.what() + "; stderr: " + first_line(read_text(c.rio_err)),
           static_cast<int>(c.hosts.size()));
    return;
  }
  std::vector<const json::object*> hosts;
  if (doc.is_object()) {
    if (const auto* arr = find_array(doc.get_object(), "hosts")) {
      for (const auto& h : *arr) {
        if (h.is_object()) hosts.push_back(&h.get_object());
      }
    } else {
      hosts.push_back(&doc.get_object());  // one host: host_result_json itself
    }
  }
  if (hosts.size() != c.hosts.size()) {
    r.fail("rio reported " + std::to_string(hosts.size()) + " of " + std::to_string(c.hosts.size()) + " hosts",
           static_cast<int>(c.hosts.size() - std::min(hosts.size(), c.hosts.size())));
  }
  std::map<std::string, std::string> uncontrolled_action;  // module -> the action every host must share
  for (std::size_t k = 0; k < hosts.size() && k < c.hosts.size(); ++k) {
    const json::object& h = *hosts[k];
    const auto& ep = f.hosts[static_cast<std::size_t>(c.hosts[k])];
    const std::string want_address = f.user + "@" + ep.address + ":" + std::to_string(ep.port);
    const std::string address = find_string(h, "address");
    if (address != want_address) {
      r.fail("host " + std::to_string(k) + ": address " + address + ", expected " + want_address);
      continue;
    }
    if (h.contains("failure")) {
      r.fail(address + ": " + find_string(h, "failure") + ": " + find_string(h, "error"));
      continue;
    }
    if (find_string(h, "status") != "dry_run") {
      r.fail(address + ": status " + find_string(h, "status") + ", expected dry_run");
      continue;
    }
    const json::array* plan = find_array(h, "plan");
    bool host_ok = plan != nullptr && plan->size() == modules.size();
    std::string why = host_ok ? "" : "plan has the wrong number of modules";
    for (std::size_t m = 0; host_ok && m < modules.size(); ++m) {
      const auto& entry = (*plan)[m];
      if (!entry.is_object() || find_string(entry.get_object(), "module") != modules[m].module->id) {
        host_ok = false;
        why = "plan entry " + std::to_string(m) + " is not " + modules[m].module->id;
        break;
      }
      const json::object& e = entry.get_object();
      const std::string action = find_string(e, "action");
      const json::object* detect = find_object(e, "detect");
      const std::string state = detect != nullptr ? find_string(*detect, "state") : "";
      if (state != "installed" && state != "absent") {
        host_ok = false;
        why = modules[m].module->id + ": detection " + state + ": " + (detect ? find_string(*detect, "evidence") : "");
        break;
      }
      if (modules[m].fix != nullptr) {
        const bool want_noop = c.state[k][m] == host_state::installed;
        if ((action == "noop") != want_noop) {
          host_ok = false;
          why = modules[m].module->id + ": action " + action + " for a host prepared " + to_string(c.state[k][m]);
          break;
        }
        (want_noop ? r.noop : r.install) += 1;
      } else {
        auto [it, fresh] = uncontrolled_action.emplace(modules[m].module->id, action);
        if (!fresh && it->second != action) {
          host_ok = false;
          why = modules[m].module->id + ": action " + action + " here, " + it->second + " on an earlier host";
          break;
        }
      }
      // Per check: did it pass on this host? (For the comparison with the OpenSSH side.)
      for (std::size_t j = 0; j < c.checks.size(); ++j) {
        const auto& chk = c.checks[j];
        if (chk.module != modules[m].module->id) continue;
        bool passed = false;
        if (chk.kind == "probe" && detect != nullptr) {
          if (const auto* probes = find_array(*detect, "probes")) {
            for (const auto& p : *probes) {
              if (p.is_object() && find_string(p.get_object(), "id") == chk.id) passed = is_true(p.get_object(), "passed");
            }
          }
        } else if (chk.kind == "step") {
          if (const auto* steps = find_array(e, "steps")) {
            for (const auto& s : *steps) {
              if (s.is_object() && find_string(s.get_object(), "id") == chk.id) passed = is_true(s.get_object(), "satisfied");
            }
          }
        } else if (chk.kind == "sync") {
          const auto* sync = find_array(e, "config_sync");
          const std::size_t n = std::stoul(chk.id);
          if (sync != nullptr && n < sync->size() && (*sync)[n].is_object()) passed = is_true((*sync)[n].get_object(), "remote_exists");
        }
        r.passes[j] += passed ? 1 : 0;
      }
    }
    if (!host_ok) r.fail(address + ": " + why);
  }
}

phase_result run_rio(const plan_case& c, const fleet& f, const std::vector<module_choice>& modules, const run_context& ctx) {
  spawn_spec spec;
  spec.argv = {ctx.rio.string(),  "--root", c.root.string(),  "--plugin-dir", ctx.plugin_dir.string(),
               "plan",            "-i",     c.inventory.string(), "-m",       ctx.modules,
               "--identity",      f.user_key.string(), "--strict-host-keys", "--json",
               "--connect-timeout", "60"};
  if (ctx.rio_parallel > 0) {
    spec.argv.push_back("--parallel");
    spec.argv.push_back(std::to_string(ctx.rio_parallel));
  }
  spec.env = ctx.env;
  spec.stdout_file = c.rio_out;
  spec.stderr_file = c.rio_err;
  const launch_outcome ran = launch(spec, ctx.phase_limit_s);
  const rusage& ru = ran.usage;
  const int status = ran.status;
  const bool killed = ran.killed;

  phase_result r;
  r.wall_s = ran.wall_s;
  r.client_cpu_s = cpu_of(ru);
  r.client_switches = switches_of(ru);
  r.max_rss_kib = ru.ru_maxrss;
  r.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (killed) r.fail("rio killed after " + fmt(0, ctx.phase_limit_s) + " s");
  check_rio_output(c, f, modules, r);
  if (r.exit_status != 0 && r.failures == 0) {
    r.fail("rio exited with status " + std::to_string(r.exit_status) + ": " + first_line(read_text(c.rio_err)));
  }
  return r;
}

/** Reads the `rio-probe <index> <status>` lines of every host (interleaved in one file). */
void check_ssh_output(const plan_case& c, phase_result& r) {
  r.passes.assign(c.checks.size(), 0);
  std::vector<int> seen(c.checks.size(), 0);
  std::ifstream in(c.ssh_out);
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("rio-probe ")) continue;
    std::istringstream fields(line.substr(10));
    std::size_t index = 0;
    int status = -1;
    if (!(fields >> index >> status) || index >= c.checks.size()) continue;
    ++seen[index];
    r.passes[index] += status == 0 ? 1 : 0;
  }
  const int n = static_cast<int>(c.hosts.size());
  const int complete = seen.empty() ? 0 : *std::min_element(seen.begin(), seen.end());
  const int most = seen.empty() ? 0 : *std::max_element(seen.begin(), seen.end());
  if (complete < n || most > n) {
    r.fail("OpenSSH: complete reports from " + std::to_string(complete) + " of " + std::to_string(n) + " hosts; " +
               first_line(read_text(c.ssh_err)),
           std::max(1, n - complete));
  }
}

phase_result run_openssh(const plan_case& c, const fleet& f, const run_context& ctx) {
  spawn_spec spec;
  // Input: NUL-separated pairs "ssh://user@address:port" and "/bin/sh -c '<script>'"; -n 2 hands
  // one pair to each ssh, after its options and `--`.
  spec.argv = {"/usr/bin/xargs", "-0", "-n", "2", "-P", std::to_string(ctx.xargs_parallel)};
  for (auto& a : ssh_options(f.user_key, c.known_hosts)) spec.argv.push_back(std::move(a));
  spec.argv.emplace_back("--");
  spec.env = ctx.env;
  spec.stdin_file = c.xargs_input;
  spec.stdout_file = c.ssh_out;
  spec.stderr_file = c.ssh_err;
  const launch_outcome ran = launch(spec, ctx.phase_limit_s);
  const rusage& ru = ran.usage;
  const int status = ran.status;
  const bool killed = ran.killed;

  phase_result r;
  r.wall_s = ran.wall_s;
  r.client_cpu_s = cpu_of(ru);
  r.client_switches = switches_of(ru);
  r.max_rss_kib = ru.ru_maxrss;
  r.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (killed) r.fail("xargs killed after " + fmt(0, ctx.phase_limit_s) + " s");
  check_ssh_output(c, r);
  if (r.exit_status != 0 && r.failures == 0) {
    r.fail("xargs exited with status " + std::to_string(r.exit_status) + ": " + first_line(read_text(c.ssh_err)));
  }
  return r;
}

/**
 * Both clients must agree with what was prepared (probes of controlled modules) and with each
 * other (every check, steps and config destinations included). Returns the number of checks that
 * disagree and describes the first one.
 */
int compare(const plan_case& c, const phase_result& rio, const phase_result& ssh, std::string& first) {
  int bad = 0;
  for (std::size_t j = 0; j < c.checks.size(); ++j) {
    const auto& chk = c.checks[j];
    const int want = c.expected_passes[j];
    const int a = j < rio.passes.size() ? rio.passes[j] : -1;
    const int b = j < ssh.passes.size() ? ssh.passes[j] : -1;
    const bool ok = a == b && (want < 0 || a == want);
    if (!ok) {
      ++bad;
      if (first.empty()) {
        first = chk.module + " " + chk.kind + ":" + chk.id + " passed on rio " + std::to_string(a) + ", OpenSSH " +
                std::to_string(b) + (want >= 0 ? ", prepared " + std::to_string(want) : std::string{}) + " of " +
                std::to_string(c.hosts.size()) + " hosts";
      }
    }
  }
  return bad;
}

// ---------------------------------------------------------------------------------------------
// The detection script alone, without SSH: each host's script under /bin/sh, one after the other,
// with the environment a session gets (its HOME, sshd's PATH, SHLVL=1). Splits the server's CPU
// per host into "the script" and "sshd, the session and (for rio) its command wrapper".

struct script_cost {
  int hosts = 0;
  double cpu_ms_per_host = 0;
  double wall_ms_per_host = 0;
  int bad_reports = 0;
};

script_cost measure_scripts(const plan_case& c, const fleet& f, const std::string& user, int sample) {
  script_cost out;
  const fs::path report = c.dir / "script-alone.out";
  double cpu = 0;
  const auto t0 = clock::now();
  for (std::size_t k = 0; k < c.hosts.size() && static_cast<int>(k) < sample; ++k) {
    spawn_spec spec;
    spec.argv = {"/bin/sh", "-c", c.scripts[k]};
    spec.env = {"HOME=" + f.home_of(c.hosts[k]).string(), std::string{"PATH="} + session_path, "SHLVL=1", "USER=" + user,
                "LOGNAME=" + user, "SHELL=/bin/sh"};
    spec.stdout_file = report;
    const launch_outcome ran = launch(spec, 120.0);
    const bool killed = ran.killed;
    cpu += cpu_of(ran.usage);
    int lines = 0;
    std::ifstream in(report);
    for (std::string line; std::getline(in, line);) lines += line.starts_with("rio-probe ") ? 1 : 0;
    if (killed || lines != static_cast<int>(c.checks.size())) ++out.bad_reports;
    ++out.hosts;
  }
  const double wall = std::chrono::duration<double>(clock::now() - t0).count();
  if (out.hosts > 0) {
    out.cpu_ms_per_host = cpu * 1000.0 / out.hosts;
    out.wall_ms_per_host = wall * 1000.0 / out.hosts;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Negotiated algorithms: one connection per client against an sshd that logs at DEBUG1

struct negotiated {
  std::string kex, hostkey, cipher, mac;
  std::string describe() const { return kex + ", " + hostkey + ", " + cipher + (mac.empty() ? "" : " + " + mac); }
};

negotiated parse_kex(const std::string& log) {
  negotiated n;
  auto after = [&](const std::string& marker) -> std::string {
    auto at = log.find(marker);
    if (at == std::string::npos) return {};
    at += marker.size();
    auto end = log.find_first_of(" \n\r", at);
    return log.substr(at, end - at);
  };
  n.kex = after("kex: algorithm: ");
  n.hostkey = after("kex: host key algorithm: ");
  n.cipher = after("kex: client->server cipher: ");
  n.mac = after(n.cipher + " MAC: ");
  if (n.mac == "<implicit>") n.mac = "implicit";
  return n;
}

/** Other work on the machine took CPU during the phase: its figures are not this benchmark's. */
bool disturbed(const phase_result& r) { return r.other_cpu_s() > std::max(1.0, 0.04 * r.machine_busy_s); }

/** Measures a phase; measures it again (at most `retries` times) while it was disturbed. */
template <class F>
phase_result undisturbed(int retries, const char* client, int n, int& retried, F measure) {
  phase_result best = measure();
  double last_other = best.other_cpu_s();
  for (int attempt = 0; attempt < retries && disturbed(best); ++attempt) {
    std::printf("    %s N=%d: other work took %.1f s of CPU during the phase; measuring it again\n", client, n, last_other);
    std::fflush(stdout);
    ++retried;
    phase_result again = measure();
    last_other = again.other_cpu_s();
    if (last_other < best.other_cpu_s()) best = std::move(again);
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Reporting

struct summary {
  double wall_s = 0, cpu_ms_per_host = 0, server_ms_per_host = 0, other_cpu_s = 0, max_rss_kib = 0;
  int failures = 0;
};

summary summarise(const std::vector<phase_result>& runs, int n) {
  std::vector<double> wall, cpu, server, other, rss;
  summary s;
  for (const auto& r : runs) {
    wall.push_back(r.wall_s);
    cpu.push_back(r.client_cpu_s * 1000.0 / n);
    server.push_back(r.server_cpu_s * 1000.0 / n);
    other.push_back(r.other_cpu_s());
    rss.push_back(static_cast<double>(r.max_rss_kib));
    s.failures += r.failures;
  }
  s.wall_s = median(wall);
  s.cpu_ms_per_host = median(cpu);
  s.server_ms_per_host = median(server);
  s.other_cpu_s = median(other);
  s.max_rss_kib = median(rss);
  return s;
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    if (static_cast<unsigned char>(ch) < 0x20) continue;
    out += ch;
  }
  return out;
}

std::string json_runs(const std::vector<phase_result>& runs, int n) {
  std::string out = "[";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto& r = runs[i];
    out += (i ? "," : "");
    out += "{\"wall_s\":" + fmt(4, r.wall_s) + ",\"client_cpu_ms_per_host\":" + fmt(3, r.client_cpu_s * 1000.0 / n) +
           ",\"max_rss_kib\":" + std::to_string(r.max_rss_kib) +
           ",\"server_cpu_ms_per_host\":" + fmt(2, r.server_cpu_s * 1000.0 / n) +
           ",\"machine_busy_s\":" + fmt(2, r.machine_busy_s) + ",\"machine_softirq_s\":" + fmt(2, r.machine_softirq_s) +
           ",\"server_orphan_cpu_s\":" + fmt(3, r.orphan_cpu_s) +
           ",\"client_switches_per_host\":" + fmt(1, r.client_switches / n) +
           ",\"bench_overhead_s\":" + fmt(3, r.bench_overhead_s) + ",\"other_cpu_s\":" + fmt(2, r.other_cpu_s()) +
           ",\"failures\":" + std::to_string(r.failures) + "}";
  }
  return out + "]";
}

std::string json_side(const summary& s, const std::vector<phase_result>& runs, int n) {
  return "{\"wall_s\":" + fmt(4, s.wall_s) + ",\"client_cpu_ms_per_host\":" + fmt(3, s.cpu_ms_per_host) +
         ",\"max_rss_kib\":" + fmt(0, s.max_rss_kib) + ",\"server_cpu_ms_per_host\":" + fmt(2, s.server_ms_per_host) +
         ",\"other_cpu_s\":" + fmt(2, s.other_cpu_s) + ",\"failures\":" + std::to_string(s.failures) +
         ",\"runs\":" + json_runs(runs, n) + "}";
}

fs::path self_dir() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : p.parent_path();
}

std::vector<std::string> client_environment(const fs::path& home) {
  // This process's environment without the agent and without rio's own variables, and with an
  // empty HOME: no ~/.ssh/known_hosts, no ~/.ssh/id_* and no agent for either client.
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view v{*e};
    if (v.starts_with("SSH_AUTH_SOCK=") || v.starts_with("SSH_AGENT_PID=") || v.starts_with("RIO_") ||
        v.starts_with("HOME=")) {
      continue;
    }
    env.emplace_back(v);
  }
  env.push_back("HOME=" + home.string());
  return env;
}

int run(const options& opt) {
  const passwd* pw = ::getpwuid(::geteuid());
  if (pw == nullptr) throw std::runtime_error("no passwd entry for the current user");
  for (const char* tool : {"/usr/sbin/sshd", "/usr/bin/ssh", "/usr/bin/ssh-keygen", "/usr/bin/xargs", "/bin/true"}) {
    if (::access(tool, X_OK) != 0) throw std::runtime_error(std::string{"needs "} + tool);
  }
  run_context ctx;
  ctx.rio = opt.rio.empty() ? self_dir() / "rio" : fs::absolute(opt.rio);
  if (::access(ctx.rio.c_str(), X_OK) != 0) {
    throw std::runtime_error("no rio binary at " + ctx.rio.string() + " (build the `rio` target, or pass --rio PATH)");
  }
  ctx.plugin_dir = opt.plugin_dir.empty() ? ctx.rio.parent_path() / "plugins" : fs::absolute(opt.plugin_dir);
  ctx.modules = opt.modules;
  ctx.rio_parallel = opt.rio_parallel;
  ctx.xargs_parallel = opt.xargs_parallel;
  ctx.phase_limit_s = opt.phase_limit_s;

  // The same modules as rio will load: the bench builds OpenSSH's script from them.
  std::vector<kernel::load_problem> problems;
  auto registry = kernel::module_registry::load_directory(ctx.plugin_dir, problems);
  if (!registry) throw std::runtime_error(registry.error().message + " (" + ctx.plugin_dir.string() + ")");
  for (const auto& p : problems) std::fprintf(stderr, "%s: skipped plugin %s: %s\n", bench_name, p.file.c_str(), p.reason.c_str());
  const auto modules = choose_modules(*registry, opt.modules);

  const int max_n = *std::max_element(opt.sizes.begin(), opt.sizes.end());
  const int instances = (max_n + opt.per_sshd - 1) / opt.per_sshd;
  const rlim_t nofile = raise_nofile_limit();
  if (nofile < static_cast<rlim_t>(max_n) + 64) {
    throw std::runtime_error("RLIMIT_NOFILE is too low for " + std::to_string(max_n) + " connections at once");
  }

  const double load_start = loadavg_1m();
  const long cores = cores_online();
  const double busy_before = machine_busy_fraction(1.0);
  std::string module_ids;
  for (const auto& m : modules) module_ids += (module_ids.empty() ? "" : ",") + m.module->id + (m.fix ? "" : "(uncontrolled)");
  std::printf("%s: %d sshd instance(s), %d host(s) each, on 127.1.x.y; N = ", bench_name, instances, opt.per_sshd);
  for (std::size_t i = 0; i < opt.sizes.size(); ++i) std::printf("%s%d", i ? "," : "", opt.sizes[i]);
  std::printf("; modules %s; %d round(s); %ld cores, load average %.2f, %.0f%% busy in the second before\n",
              module_ids.c_str(), opt.repeat, cores, load_start, busy_before * 100);
  if (busy_before > 0.25) {
    std::printf("warning: the machine is busy (%.0f%% of %ld cores): figures will be disturbed; see 'other s'\n",
                busy_before * 100, cores);
  }
  std::fflush(stdout);

  scratch_dir dir;
  if (opt.keep_scratch) {
    dir.keep();
    std::printf("scratch directory (kept): %s\n", dir.path().c_str());
  }
  fleet f;
  f.user = pw->pw_name;
  f.resident.push_back(launcher_pid());
  const auto keys = bench_keys::generate(dir.path());
  f.user_key = keys.user_key;
  f.homes = dir.path() / "homes";
  f.client_home = dir.path() / "client-home";
  for (int i = 0; i < max_n; ++i) fs::create_directories(f.home_of(i));
  fs::create_directories(f.client_home);
  ctx.env = client_environment(f.client_home);

  for (int k = 0; k < instances; ++k) {
    sshd_settings s;
    for (int j = 0; j < opt.per_sshd && k * opt.per_sshd + j < max_n; ++j) {
      s.listen_addresses.push_back(host_address(k * opt.per_sshd + j));
      s.homes.push_back(f.home_of(k * opt.per_sshd + j));
    }
    s.dir = dir.path() / ("sshd" + std::to_string(k + 1));
    s.authorized_keys = keys.authorized_keys;
    s.skip_login_rc = opt.skip_login_rc;
    s.pin_algorithms = false;
    f.servers.push_back(std::make_unique<bench_sshd>(s));
    f.listeners.push_back(f.servers.back()->pid());
    f.resident.push_back(f.servers.back()->pid());
    for (const auto& ep : f.servers.back()->endpoints()) f.hosts.push_back(ep);
    for (auto& line : f.servers.back()->known_hosts_lines()) f.known_lines.push_back(std::move(line));
  }

  // The installed state, the same for every N and round (plan writes nothing on the hosts).
  for (int i = 0; i < max_n; ++i) {
    for (std::size_t m = 0; m < modules.size(); ++m) {
      if (modules[m].fix == nullptr) continue;
      const auto s = state_of(i, m, opt.installed_percent, modules[m].fix->can_be_partial);
      prepare(f.home_of(i), *modules[m].fix, i, s);
    }
  }

  std::vector<plan_case> cases;
  for (int n : opt.sizes) {
    std::vector<int> hosts(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) hosts[static_cast<std::size_t>(i)] = i;
    cases.push_back(make_case(std::to_string(n), hosts, f, dir.path(), modules, opt.installed_percent));
  }
  const plan_case one = make_case("1", {0}, f, dir.path(), modules, opt.installed_percent);
  std::vector<int> warm_hosts;
  for (int k = 0; k < instances; ++k) warm_hosts.push_back(k * opt.per_sshd);
  const plan_case warm = make_case("warm", warm_hosts, f, dir.path(), modules, opt.installed_percent);

  // Which algorithms each client negotiates with these sshd defaults: one more instance that
  // logs at DEBUG1, one connection from each client. Not part of the rounds.
  negotiated rio_kex, ssh_kex;
  long one_ssh_rss_kib = 0;  // xargs with one host: the ssh process is the largest in the tree
  {
    sshd_settings s;
    s.listen_addresses = {"127.1.255.1"};
    s.dir = dir.path() / "sshd-kex";
    s.authorized_keys = keys.authorized_keys;
    s.skip_login_rc = opt.skip_login_rc;
    s.pin_algorithms = false;
    s.homes = {f.home_of(0)};  // host 0's state
    s.log_level = "DEBUG1";
    bench_sshd probe{s};
    fleet pf;
    pf.user = f.user;
    pf.user_key = f.user_key;
    pf.homes = f.homes;
    pf.hosts = probe.endpoints();
    pf.known_lines = probe.known_hosts_lines();
    const plan_case pc = make_case("kex", {0}, pf, dir.path(), modules, opt.installed_percent);
    auto a = run_rio(pc, pf, modules, ctx);
    const std::string after_rio = read_text(probe.log_file());
    auto b = run_openssh(pc, pf, ctx);
    const std::string all = read_text(probe.log_file());
    rio_kex = parse_kex(after_rio);
    ssh_kex = parse_kex(all.substr(std::min(after_rio.size(), all.size())));
    one_ssh_rss_kib = b.max_rss_kib;
    if (a.failures || b.failures) {
      std::fprintf(stderr, "kex probe failed: rio: %s | openssh: %s\n", a.first_error.c_str(), b.first_error.c_str());
      return 1;
    }
    probe.stop();
  }
  std::printf("negotiated: rio (libssh2) %s; OpenSSH %s\n", rio_kex.describe().c_str(), ssh_kex.describe().c_str());
  std::printf("detect script: %zu checks, up to %zu bytes per host\n", cases.front().checks.size(),
              cases.front().script_bytes);

  // Warm-up, not measured: page cache (rio, plugins, ssh, sshd, the probes' programs), sshd's
  // first forks.
  {
    double ignored = 0;
    wait_until_idle(f.resident, 60.0, ignored);
    auto a = run_openssh(warm, f, ctx);
    wait_until_idle(f.resident, 60.0, ignored);
    auto b = run_rio(warm, f, modules, ctx);
    if (a.failures || b.failures) {
      std::fprintf(stderr, "warm-up failed: openssh: %s | rio: %s\n", a.first_error.c_str(), b.first_error.c_str());
      return 1;
    }
  }

  // The script alone, on up to 100 hosts of the smallest N (not part of the rounds).
  const auto smallest = std::min_element(cases.begin(), cases.end(), [](const plan_case& a, const plan_case& b) {
    return a.hosts.size() < b.hosts.size();
  });
  const script_cost alone = measure_scripts(*smallest, f, f.user, 100);
  std::printf("detect script alone (sh, no SSH, %d hosts one after the other): %.1f ms CPU, %.1f ms wall per host%s\n",
              alone.hosts, alone.cpu_ms_per_host, alone.wall_ms_per_host,
              alone.bad_reports ? " (SOME REPORTS INCOMPLETE)" : "");
  std::fflush(stdout);

  struct per_n {
    const plan_case* c;
    int n;
    std::vector<phase_result> rio, openssh;
    int mismatches = 0;
    std::string first_mismatch;
  };
  std::vector<per_n> results;
  for (const auto& c : cases) results.push_back({&c, static_cast<int>(c.hosts.size()), {}, {}, 0, {}});
  std::vector<phase_result> baseline;  // rio plan of one host, every round
  int retried = 0;                     // phases measured again because other work disturbed them
  for (int round = 0; round < opt.repeat; ++round) {
    baseline.push_back(measured_phase(f, [&] { return run_rio(one, f, modules, ctx); }));
    if (baseline.back().failures) {
      std::printf("  round %d 1-host rio plan failed: %s\n", round + 1, baseline.back().first_error.c_str());
    }
    for (std::size_t k = 0; k < results.size(); ++k) {
      auto& res = results[k];
      // Alternate which client goes first, so neither always meets a warmer (or busier) machine.
      const bool rio_first = (round + static_cast<int>(k)) % 2 == 1;
      auto do_rio = [&] {
        res.rio.push_back(undisturbed(opt.retries, "rio", res.n, retried,
                                      [&] { return measured_phase(f, [&] { return run_rio(*res.c, f, modules, ctx); }); }));
      };
      auto do_ssh = [&] {
        res.openssh.push_back(undisturbed(opt.retries, "openssh", res.n, retried,
                                          [&] { return measured_phase(f, [&] { return run_openssh(*res.c, f, ctx); }); }));
      };
      if (rio_first) {
        do_rio();
        do_ssh();
      } else {
        do_ssh();
        do_rio();
      }
      const auto& r = res.rio.back();
      const auto& o = res.openssh.back();
      std::string first;
      const int bad = compare(*res.c, r, o, first);
      res.mismatches += bad;
      if (res.first_mismatch.empty()) res.first_mismatch = first;
      std::printf("  round %d N=%-4d rio %7.3f s %6.2f ms/host %7.1f MiB  openssh %7.3f s %6.2f ms/host  "
                  "(noop %d, install %d)%s%s\n",
                  round + 1, res.n, r.wall_s, r.client_cpu_s * 1000 / res.n, static_cast<double>(r.max_rss_kib) / 1024,
                  o.wall_s, o.client_cpu_s * 1000 / res.n, r.noop, r.install,
                  (r.failures || o.failures) ? "  FAILURES" : "", bad ? "  MISMATCH" : "");
      if (!r.first_error.empty()) std::printf("    rio: %d failed, first: %s\n", r.failures, r.first_error.c_str());
      if (!o.first_error.empty()) std::printf("    openssh: %d failed, first: %s\n", o.failures, o.first_error.c_str());
      if (bad) std::printf("    detection differs on %d check(s), first: %s\n", bad, first.c_str());
      std::fflush(stdout);
    }
  }
  const double load_end = loadavg_1m();
  for (auto& s : f.servers) s->stop();

  // Table
  std::vector<double> base_rss;
  int base_failures = 0;
  for (const auto& b : baseline) {
    base_rss.push_back(static_cast<double>(b.max_rss_kib));
    base_failures += b.failures;
  }
  const double rss_1 = median(base_rss);
  std::vector<double> base_cpu, base_wall;
  for (const auto& b : baseline) {
    base_cpu.push_back(b.client_cpu_s * 1000.0);
    base_wall.push_back(b.wall_s);
  }
  const double cpu_1_ms = median(base_cpu);
  const double wall_1_s = median(base_wall);
  const int in_flight_cap = opt.rio_parallel > 0 ? opt.rio_parallel : rio_default_parallel;
  std::printf("\nmedian of %d round(s). CPU = user+sys of the client's process tree (rio; xargs and every ssh).\n"
              "server = sshd and everything it ran. floor s = (client + server CPU) / %ld cores: the shortest wall\n"
              "time this machine allows for that work. peak RSS: the rio process; for OpenSSH the largest process\n"
              "of the tree (one ssh: %.1f MiB). KiB/host = (rio's peak RSS at N - at one host, %.1f MiB) / N;\n"
              "KiB/flight = the same divided by the hosts in flight, min(N, %d). other s = busy CPU of the machine\n"
              "minus client, server and this benchmark's bookkeeping (other work disturbing the run).\n"
              "A 1-host rio plan: %.3f s, %.1f ms CPU, %.1f MiB peak RSS.\n",
              opt.repeat, cores, static_cast<double>(one_ssh_rss_kib) / 1024, rss_1 / 1024, in_flight_cap, wall_1_s,
              cpu_1_ms, rss_1 / 1024);
  std::printf("%6s  %-8s %8s %8s %12s %14s %9s %9s %10s %8s %9s\n", "N", "client", "wall s", "floor s", "CPU ms/host",
              "server ms/host", "peak MiB", "KiB/host", "KiB/flight", "other s", "failures");
  bool wall_met = true, cpu_met = true, mem_met = true, any_failure = base_failures > 0;
  bool has_500 = false;
  std::string json_results;
  std::string ratio_lines;
  for (const auto& res : results) {
    const summary r = summarise(res.rio, res.n);
    const summary o = summarise(res.openssh, res.n);
    const double kib_per_host = (r.max_rss_kib - rss_1) / res.n;
    const double kib_per_flight = (r.max_rss_kib - rss_1) / std::min(res.n, in_flight_cap);
    const double floor_rio = (r.cpu_ms_per_host + r.server_ms_per_host) * res.n / 1000.0 / static_cast<double>(cores);
    const double floor_ssh = (o.cpu_ms_per_host + o.server_ms_per_host) * res.n / 1000.0 / static_cast<double>(cores);
    std::printf("%6d  %-8s %8.3f %8.3f %12.3f %14.2f %9.1f %9s %10s %8.2f %9d\n", res.n, "openssh", o.wall_s, floor_ssh,
                o.cpu_ms_per_host, o.server_ms_per_host, o.max_rss_kib / 1024, "-", "-", o.other_cpu_s, o.failures);
    std::printf("%6d  %-8s %8.3f %8.3f %12.3f %14.2f %9.1f %9.1f %10.1f %8.2f %9d\n", res.n, "rio", r.wall_s, floor_rio,
                r.cpu_ms_per_host, r.server_ms_per_host, r.max_rss_kib / 1024, kib_per_host, kib_per_flight, r.other_cpu_s,
                r.failures);
    const double wall_ratio = o.wall_s > 0 ? r.wall_s / o.wall_s : 0;
    const double floor_ratio = floor_ssh > 0 ? floor_rio / floor_ssh : 0;
    char line[512];
    std::snprintf(line, sizeof line,
                  "N=%d: wall rio/openssh %.3f%s (floor ratio %.3f); rio CPU %.2f ms/host (target <= %.0f); "
                  "rio memory %.1f KiB/host (target <= %.0f), %.1f KiB per host in flight; noop %d/%d, install %d/%d%s\n",
                  res.n, wall_ratio, res.n == 500 ? " (target <= 0.333)" : "", floor_ratio, r.cpu_ms_per_host,
                  target_cpu_ms_per_host, kib_per_host, target_kib_per_host, kib_per_flight, res.rio.back().noop,
                  res.c->expected_noop, res.rio.back().install, res.c->expected_install,
                  res.mismatches ? "; DETECTION DIFFERS" : "");
    ratio_lines += line;
    if (res.mismatches) ratio_lines += "  first difference: " + res.first_mismatch + "\n";
    if (res.n == 500) {
      has_500 = true;
      wall_met = wall_met && wall_ratio <= target_wall_ratio;
    }
    cpu_met = cpu_met && r.cpu_ms_per_host <= target_cpu_ms_per_host;
    mem_met = mem_met && kib_per_host <= target_kib_per_host;
    any_failure = any_failure || r.failures || o.failures || res.mismatches;
    const auto& last = res.rio.back();
    json_results += std::string{json_results.empty() ? "" : ","} + "{\"n\":" + std::to_string(res.n) +
                    ",\"expected_noop\":" + std::to_string(res.c->expected_noop) +
                    ",\"expected_install\":" + std::to_string(res.c->expected_install) +
                    ",\"rio_noop\":" + std::to_string(last.noop) + ",\"rio_install\":" + std::to_string(last.install) +
                    ",\"rio\":" + json_side(r, res.rio, res.n) + ",\"openssh\":" + json_side(o, res.openssh, res.n) +
                    ",\"wall_ratio\":" + fmt(4, wall_ratio) + ",\"floor_rio_s\":" + fmt(3, floor_rio) +
                    ",\"floor_openssh_s\":" + fmt(3, floor_ssh) + ",\"rio_kib_per_host\":" + fmt(1, kib_per_host) +
                    ",\"rio_kib_per_host_in_flight\":" + fmt(1, kib_per_flight) +
                    ",\"detection_mismatches\":" + std::to_string(res.mismatches) + "}";
  }
  std::printf("%s", ratio_lines.c_str());
  std::printf("server CPU per host = the detection script (%.1f ms, run alone) + sshd, the session and rio's wrapper\n",
              alone.cpu_ms_per_host);
  std::printf("targets: wall at N=500 <= 1/3 of OpenSSH: %s; rio CPU <= 3 ms/host: %s; rio memory <= 200 KiB/host: "
              "%s; failures: %s\n",
              has_500 ? (wall_met ? "met" : "NOT met") : "not measured", cpu_met ? "met" : "NOT met",
              mem_met ? "met" : "NOT met", any_failure ? "SOME" : "none");
  std::printf("load average %.2f at start, %.2f at end; %d phase(s) measured again after other work disturbed them\n",
              load_start, load_end, retried);

  std::printf("{\"bench\":\"%s\",\"date\":\"%s\",\"cores\":%ld,\"busy_before\":%.2f,\"loadavg_start\":%.2f,"
              "\"loadavg_end\":%.2f,\"modules\":\"%s\",\"installed_percent\":%d,\"checks\":%zu,\"script_bytes\":%zu,"
              "\"script_alone_cpu_ms_per_host\":%.2f,\"script_alone_hosts\":%d,"
              "\"rio_kex\":\"%s\",\"openssh_kex\":\"%s\",\"rio_parallel\":%d,\"xargs_parallel\":%d,\"sshd_instances\":%d,"
              "\"hosts_per_sshd\":%d,\"login_rc\":%s,\"repeat\":%d,\"retried_phases\":%d,\"rio_1host_max_rss_kib\":%.0f,\"rio_1host_cpu_ms\":%.1f,\"rio_1host_wall_s\":%.3f,"
              "\"one_ssh_max_rss_kib\":%ld,\"results\":[%s],"
              "\"targets\":{\"wall_ratio_500_max\":0.3333,\"wall_met\":%s,\"cpu_ms_per_host_max\":3,\"cpu_met\":%s,"
              "\"kib_per_host_max\":200,\"mem_met\":%s,\"failures\":%s}}\n",
              bench_name, now_utc().c_str(), cores, busy_before, load_start, load_end, json_escape(module_ids).c_str(),
              opt.installed_percent, cases.front().checks.size(), cases.front().script_bytes, alone.cpu_ms_per_host,
              alone.hosts, json_escape(rio_kex.describe()).c_str(), json_escape(ssh_kex.describe()).c_str(),
              opt.rio_parallel, opt.xargs_parallel, instances, opt.per_sshd, opt.skip_login_rc ? "false" : "true",
              opt.repeat, retried, rss_1, cpu_1_ms, wall_1_s, one_ssh_rss_kib, json_results.c_str(), has_500 ? (wall_met ? "true" : "false") : "null",
              cpu_met ? "true" : "false", mem_met ? "true" : "false", any_failure ? "true" : "false");
  return any_failure ? 1 : 0;
}

}  // namespace
}  // namespace rio::bench

int main(int argc, char** argv) {
  // First: the helper that starts rio and xargs must be forked while this process is small.
  rio::bench::start_launcher();
  const auto opt = rio::bench::parse(argc, argv);
  rio::bench::install_signal_handlers(rio::bench::bench_name, opt.time_limit_s);
  rio::bench::become_subreaper();
  int code = 1;
  try {
    code = rio::bench::run(opt);  // sshd instances are stopped by their destructors on every path
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", rio::bench::bench_name, e.what());
  }
  rio::bench::stop_launcher();
  return code;
}
