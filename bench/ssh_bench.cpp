// rio_bench_ssh: connect, authenticate and run one short command on N loopback hosts at once,
// with rio's libssh2 transport and with the system OpenSSH client (`xargs -P 50 ssh`), in the
// same run, against the same sshd instances, with the same algorithms and the same key.
//
// Measured per client and N: wall time for all N, client CPU (user+sys) per connection, server
// CPU per connection, failures. rio runs in this process (getrusage(RUSAGE_SELF) deltas; sshd is
// a separate process whose time never enters RUSAGE_SELF); OpenSSH runs as an xargs subtree whose
// CPU comes from wait4() on xargs (xargs plus every ssh it reaped; sshd is not in that subtree).
// See bench/README.md.

#include "bench_common.hpp"
#include "bench_sshd.hpp"

#include <rio/kernel/ssh/session.hpp>
#include <rio/sdk/coro.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <pwd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace rio::bench {
namespace {
namespace asio = boost::asio;
namespace ssh = kernel::ssh;
namespace fs = std::filesystem;
using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* remote_command = "echo ok";
constexpr const char* expected_output = "ok\n";

// ---------------------------------------------------------------------------------------------
// Options

struct options {
  std::vector<int> sizes{10, 100, 500};
  int repeat = 3;
  int xargs_parallel = 50;
  int per_sshd = 100;
  int rio_inflight = 0;  // 0: all N at once
  bool skip_login_rc = true;
  int time_limit_s = 600;
};

[[noreturn]] void usage(int code) {
  std::fprintf(code == 0 ? stdout : stderr,
               "usage: rio_bench_ssh [--hosts 10,100,500] [--repeat 3] [--xargs-parallel 50]\n"
               "                     [--per-sshd 100] [--rio-inflight 0] [--keep-login-rc] [--time-limit 600]\n"
               "  --hosts LIST         numbers of hosts (connections) per round\n"
               "  --repeat R           rounds per N, alternating which client goes first; medians are reported\n"
               "  --xargs-parallel P   OpenSSH: xargs -P P (default 50)\n"
               "  --per-sshd M         at most M hosts per sshd instance (listen backlog is 128)\n"
               "  --rio-inflight K     rio: at most K hosts in flight (0, the default: all N at once)\n"
               "  --keep-login-rc      let bash read the account's ~/.bashrc on every login (both clients)\n"
               "  --time-limit S       the whole run stops after S seconds (default 600)\n");
  std::exit(code);
}

int to_int(const std::string& s, const char* what) {
  if (auto v = non_negative_int(s)) return *v;
  std::fprintf(stderr, "rio_bench_ssh: bad value for %s: '%s'\n", what, s.c_str());
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
        if (n <= 0) usage(2);
        o.sizes.push_back(n);
      }
      if (o.sizes.empty()) usage(2);
    } else if (a == "--repeat") {
      o.repeat = std::max(1, to_int(value(), "--repeat"));
    } else if (a == "--xargs-parallel") {
      o.xargs_parallel = std::max(1, to_int(value(), "--xargs-parallel"));
    } else if (a == "--per-sshd") {
      o.per_sshd = std::clamp(to_int(value(), "--per-sshd"), 1, 120);
    } else if (a == "--rio-inflight") {
      o.rio_inflight = to_int(value(), "--rio-inflight");
    } else if (a == "--keep-login-rc") {
      o.skip_login_rc = false;
    } else if (a == "--time-limit") {
      o.time_limit_s = std::max(10, to_int(value(), "--time-limit"));
    } else if (a == "--help" || a == "-h") {
      usage(0);
    } else {
      std::fprintf(stderr, "rio_bench_ssh: unknown argument '%s'\n", a.c_str());
      usage(2);
    }
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// Measurements

struct host {
  std::string address;
  std::uint16_t port;
};

struct phase_result {
  double wall_s = 0;
  double client_cpu_s = 0;
  double client_switches = 0;  // voluntary + involuntary context switches of the client
  double server_cpu_s = 0;
  double machine_busy_s = 0;
  double machine_softirq_s = 0;
  double orphan_cpu_s = 0;  // part of server_cpu_s: processes sessions left behind, reaped by us
  double bench_overhead_s = 0;

  /** Busy CPU of the machine that was neither client, server nor this benchmark's bookkeeping. */
  double other_cpu_s() const { return std::max(0.0, machine_busy_s - client_cpu_s - server_cpu_s - bench_overhead_s); }
  int failures = 0;
  std::uint64_t directionless_waits = 0;  // rio only
  std::string first_error;
};

struct fleet {
  std::vector<std::unique_ptr<bench_sshd>> servers;
  std::vector<pid_t> listeners;
  fs::path known_hosts;
  fs::path user_key;
  std::string user;

  double server_cpu() const {
    double s = 0;
    for (const auto& srv : servers) s += srv->cpu_seconds();
    return s;
  }
  std::vector<host> hosts(int n) const {
    std::vector<host> out;
    for (int i = 0; i < n; ++i) {
      const auto& srv = *servers[static_cast<std::size_t>(i) % servers.size()];
      out.push_back({srv.address(), srv.port()});
    }
    return out;
  }
};

// Runs `measure` between two quiet points (no sshd session left), adding server and machine CPU.
template <class F>
phase_result measured_phase(const fleet& f, bool in_process, F measure) {
  double orphans_before = 0;  // belongs to the previous phase
  if (!wait_until_idle(f.listeners, 30.0, orphans_before)) {
    std::fprintf(stderr, "warning: sshd sessions still running before a phase\n");
  }
  const double server0 = f.server_cpu();
  const machine_cpu machine0 = machine_cpu_now();
  const double self0 = cpu_of(self_usage());
  phase_result r = measure();
  // Sessions end shortly after the clients: wait for sshd to reap them so their CPU is counted.
  double orphans = 0;
  if (!wait_until_idle(f.listeners, 30.0, orphans)) {
    std::fprintf(stderr, "warning: sshd sessions still running after a phase\n");
  }
  r.server_cpu_s = f.server_cpu() - server0 + orphans;
  r.orphan_cpu_s = orphans;
  const machine_cpu machine1 = machine_cpu_now();
  // This process's own bookkeeping (waiting for xargs, scanning /proc for sessions), which is
  // neither client nor server work; for rio the client is this process, so its CPU comes off.
  r.bench_overhead_s = std::max(0.0, cpu_of(self_usage()) - self0 - (in_process ? r.client_cpu_s : 0.0));
  r.machine_busy_s = machine1.busy - machine0.busy;
  r.machine_softirq_s = machine1.softirq - machine0.softirq;
  return r;
}

// --- rio: every host connected, authenticated, one exec and a disconnect, on one io_context thread.

struct rio_tally {
  int failures = 0;
  std::uint64_t directionless = 0;
  std::string first_error;
  void fail(std::string why) {
    ++failures;
    if (first_error.empty()) first_error = std::move(why);
  }
};

asio::awaitable<void> rio_one(const fleet& f, const host& h, rio_tally& t) {
  ssh::connect_options o;
  o.where = {h.address, h.port, f.user};
  o.hosts.read = {f.known_hosts};
  o.hosts.policy = ssh::host_key_policy::strict;
  o.auth.identity_files = {f.user_key};
  o.auth.use_agent = false;
  o.auth.default_identities = false;
  // All N handshakes share two cores with every sshd: a handshake can take far longer than rio's
  // 10 s default under that load, and a timeout here would only measure the box, not rio.
  o.connect_timeout = 60s;
  auto s = co_await ssh::session::connect(std::move(o));
  if (!s) {
    t.fail(s.error().describe());
    co_return;
  }
  sdk::exec_request req;
  req.command = remote_command;
  req.timeout = 60s;
  auto r = co_await (*s)->exec(std::move(req));
  if (!r) {
    t.fail(r.error().describe());
  } else if (r->exit_code != 0 || r->stdout_tail != expected_output) {
    t.fail("exit " + std::to_string(r->exit_code) + ", stdout '" + r->stdout_tail + "', stderr '" + r->stderr_tail + "'");
  }
  co_await (*s)->disconnect();
  t.directionless += (*s)->directionless_waits();
}

asio::awaitable<void> rio_worker(const fleet& f, const std::vector<host>& hosts, std::size_t& next, rio_tally& t) {
  while (next < hosts.size()) {
    const host& h = hosts[next++];
    try {
      co_await rio_one(f, h, t);
    } catch (const std::exception& e) {
      t.fail(std::string{"exception: "} + e.what());
    }
  }
}

phase_result run_rio(const fleet& f, const std::vector<host>& hosts, int inflight) {
  const std::size_t workers =
      inflight <= 0 ? hosts.size() : std::min(hosts.size(), static_cast<std::size_t>(inflight));
  rio_tally t;
  std::size_t next = 0;
  const rusage ru0 = self_usage();
  const auto t0 = clock::now();
  {
    asio::io_context io{1};
    for (std::size_t w = 0; w < workers; ++w) asio::co_spawn(io, rio_worker(f, hosts, next, t), asio::detached);
    io.run();
  }  // the io_context (and its resolver thread) is gone before the clock stops
  const auto t1 = clock::now();
  const rusage ru1 = self_usage();
  phase_result r;
  r.wall_s = std::chrono::duration<double>(t1 - t0).count();
  r.client_cpu_s = cpu_of(ru1) - cpu_of(ru0);
  r.client_switches = switches_of(ru1) - switches_of(ru0);
  r.failures = t.failures;
  r.directionless_waits = t.directionless;
  r.first_error = t.first_error;
  return r;
}

// --- OpenSSH: xargs -P P ssh ... over the same hosts, as a separate process group.

struct openssh_setup {
  fs::path dir;
  fs::path destinations;
  fs::path out;
  fs::path err;
  int parallel = 50;
};

std::vector<std::string> ssh_argv(const fleet& f) {
  return {"/usr/bin/ssh", "-F", "/dev/null",  // no ~/.ssh/config, no /etc/ssh/ssh_config
          "-i", f.user_key.string(),
          "-o", "IdentitiesOnly=yes",
          "-o", "IdentityAgent=none",
          "-o", "BatchMode=yes",
          "-o", "StrictHostKeyChecking=yes",
          "-o", "UserKnownHostsFile=" + f.known_hosts.string(),
          "-o", "GlobalKnownHostsFile=/dev/null",
          "-o", "UpdateHostKeys=no",
          "-o", "KexAlgorithms=curve25519-sha256",
          "-o", "HostKeyAlgorithms=ssh-ed25519",
          "-o", "PubkeyAcceptedAlgorithms=ssh-ed25519",
          "-o", "Ciphers=aes128-ctr",
          "-o", "MACs=hmac-sha2-256",
          "-o", "GSSAPIAuthentication=no",
          "-o", "PasswordAuthentication=no",
          "-o", "KbdInteractiveAuthentication=no",
          "-o", "ControlMaster=no",
          "-o", "ControlPath=none",
          "-o", "ConnectTimeout=60",
          "-o", "LogLevel=ERROR",
          "-T"};
}

int count_ok_lines(const fs::path& file) {
  std::ifstream in(file);
  int n = 0;
  for (std::string line; std::getline(in, line);) n += line == "ok" ? 1 : 0;
  return n;
}

phase_result run_openssh(const fleet& f, const std::vector<host>& hosts, const openssh_setup& setup) {
  {
    std::ofstream dest(setup.destinations, std::ios::trunc);
    for (const auto& h : hosts) dest << "ssh://" << f.user << "@" << h.address << ":" << h.port << "\n";
  }
  std::vector<std::string> args{"/usr/bin/xargs", "-P", std::to_string(setup.parallel), "-I", "{}"};
  for (auto& a : ssh_argv(f)) args.push_back(std::move(a));
  for (const char* a : {"--", "{}", remote_command}) args.emplace_back(a);
  spawn_spec spec;
  spec.argv = std::move(args);
  spec.stdin_file = setup.destinations;
  spec.stdout_file = setup.out;
  spec.stderr_file = setup.err;
  const auto t0 = clock::now();
  const pid_t pid = spawn_client(spec);
  set_client_group(pid);
  int status = 0;
  bool killed = false;
  const rusage ru = wait_bounded(pid, 180.0, status, killed);
  const auto t1 = clock::now();
  set_client_group(0);

  phase_result r;
  r.wall_s = std::chrono::duration<double>(t1 - t0).count();
  r.client_cpu_s = cpu_of(ru);
  r.client_switches = switches_of(ru);
  r.failures = static_cast<int>(hosts.size()) - count_ok_lines(setup.out);
  if (r.failures != 0 || killed) {
    std::ifstream err(setup.err);
    std::getline(err, r.first_error);
    if (killed) r.first_error = "killed after 180 s; " + r.first_error;
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Reporting

struct summary {
  double wall_s, cpu_ms_per_conn, server_ms_per_conn, machine_busy_s, other_cpu_s;
  int failures;
  std::uint64_t directionless;
};

summary summarise(const std::vector<phase_result>& runs, int n) {
  std::vector<double> wall, cpu, server, busy, other;
  summary s{};
  for (const auto& r : runs) {
    wall.push_back(r.wall_s);
    cpu.push_back(r.client_cpu_s * 1000.0 / n);
    server.push_back(r.server_cpu_s * 1000.0 / n);
    busy.push_back(r.machine_busy_s);
    other.push_back(r.other_cpu_s());
    s.failures += r.failures;
    s.directionless += r.directionless_waits;
  }
  s.wall_s = median(wall);
  s.cpu_ms_per_conn = median(cpu);
  s.server_ms_per_conn = median(server);
  s.machine_busy_s = median(busy);
  s.other_cpu_s = median(other);
  return s;
}

std::string fmt(int decimals, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string json_runs(const std::vector<phase_result>& runs, int n) {
  std::string out = "[";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto& r = runs[i];
    out += (i ? "," : "");
    out += "{\"wall_s\":" + fmt(4, r.wall_s) + ",\"client_cpu_ms_per_conn\":" +
           fmt(3, r.client_cpu_s * 1000.0 / n) + ",\"server_cpu_ms_per_conn\":" +
           fmt(2, r.server_cpu_s * 1000.0 / n) + ",\"machine_busy_s\":" + fmt(2, r.machine_busy_s) +
           ",\"machine_softirq_s\":" + fmt(2, r.machine_softirq_s) +
           ",\"server_orphan_cpu_s\":" + fmt(3, r.orphan_cpu_s) +
           ",\"client_switches_per_conn\":" + fmt(1, r.client_switches / n) +
           ",\"bench_overhead_s\":" + fmt(3, r.bench_overhead_s) + ",\"other_cpu_s\":" + fmt(2, r.other_cpu_s()) +
           ",\"failures\":" + std::to_string(r.failures) + "}";
  }
  return out + "]";
}

std::string json_side(const summary& s, const std::vector<phase_result>& runs, int n, bool rio) {
  std::string out = "{\"wall_s\":" + fmt(4, s.wall_s) + ",\"client_cpu_ms_per_conn\":" +
                    fmt(3, s.cpu_ms_per_conn) + ",\"server_cpu_ms_per_conn\":" + fmt(2, s.server_ms_per_conn) +
                    ",\"other_cpu_s\":" + fmt(2, s.other_cpu_s) + ",\"failures\":" + std::to_string(s.failures);
  if (rio) out += ",\"directionless_waits\":" + std::to_string(s.directionless);
  return out + ",\"runs\":" + json_runs(runs, n) + "}";
}

int run(const options& opt) {
  const passwd* pw = ::getpwuid(::geteuid());
  if (pw == nullptr) throw std::runtime_error("no passwd entry for the current user");
  if (::access("/usr/sbin/sshd", X_OK) != 0 || ::access("/usr/bin/ssh", X_OK) != 0 ||
      ::access("/usr/bin/xargs", X_OK) != 0 || ::access("/usr/bin/ssh-keygen", X_OK) != 0) {
    throw std::runtime_error("needs /usr/sbin/sshd, /usr/bin/ssh, /usr/bin/ssh-keygen and /usr/bin/xargs");
  }
  const int max_n = *std::max_element(opt.sizes.begin(), opt.sizes.end());
  const int instances = (max_n + opt.per_sshd - 1) / opt.per_sshd;
  if (instances > 250) throw std::runtime_error("too many sshd instances; raise --per-sshd or lower --hosts");
  // Sockets: N for rio at once, plus headroom.
  const rlim_t nofile = raise_nofile_limit();
  if (opt.rio_inflight == 0 && nofile < static_cast<rlim_t>(max_n) + 64) {
    throw std::runtime_error("RLIMIT_NOFILE is too low for " + std::to_string(max_n) + " connections at once");
  }

  const double load_start = loadavg_1m();
  const long cores = cores_online();
  // The load average lags by a minute; what the machine does right now matters more.
  const double busy_before = machine_busy_fraction(1.0);
  std::printf("rio_bench_ssh: %d sshd instance(s) on 127.0.0.1..127.0.0.%d, N = ", instances, instances);
  for (std::size_t i = 0; i < opt.sizes.size(); ++i) std::printf("%s%d", i ? "," : "", opt.sizes[i]);
  std::printf(", %d round(s) each, %ld cores, load average %.2f, %.0f%% busy in the second before\n", opt.repeat,
              cores, load_start, busy_before * 100);
  if (busy_before > 0.25) {
    std::printf("warning: the machine is busy (%.0f%% of %ld cores): figures will be disturbed; see 'other s'\n",
                busy_before * 100, cores);
  }
  std::fflush(stdout);

  scratch_dir dir;
  fleet f;
  f.user = pw->pw_name;
  const auto keys = bench_keys::generate(dir.path());
  f.user_key = keys.user_key;
  f.known_hosts = dir.path() / "known_hosts";
  {
    std::ofstream known(f.known_hosts);
    for (int i = 0; i < instances; ++i) {
      sshd_settings s;
      s.listen_addresses = {"127.0.0." + std::to_string(i + 1)};
      s.dir = dir.path() / ("sshd" + std::to_string(i + 1));
      s.authorized_keys = keys.authorized_keys;
      s.skip_login_rc = opt.skip_login_rc;
      f.servers.push_back(std::make_unique<bench_sshd>(s));
      f.listeners.push_back(f.servers.back()->pid());
      known << f.servers.back()->known_hosts_line() << "\n";
    }
  }
  openssh_setup os{dir.path(), dir.path() / "destinations", dir.path() / "ssh.out", dir.path() / "ssh.err",
                   opt.xargs_parallel};

  // Warm-up, not measured: page cache, libssh2/OpenSSL initialisation, sshd's first fork.
  {
    auto warm = f.hosts(instances);
    auto a = run_openssh(f, warm, os);
    auto b = run_rio(f, warm, opt.rio_inflight);
    if (a.failures || b.failures) {
      std::fprintf(stderr, "warm-up failed: openssh: %s | rio: %s\n", a.first_error.c_str(), b.first_error.c_str());
      return 1;
    }
  }

  struct per_n {
    int n;
    std::vector<phase_result> rio, openssh;
  };
  std::vector<per_n> results;
  for (int n : opt.sizes) results.push_back({n, {}, {}});
  for (int round = 0; round < opt.repeat; ++round) {
    for (std::size_t k = 0; k < results.size(); ++k) {
      auto& res = results[k];
      const auto hosts = f.hosts(res.n);
      // Alternate which client goes first, so neither always meets a warmer (or busier) machine.
      const bool rio_first = (round + static_cast<int>(k)) % 2 == 1;
      auto do_rio = [&] { res.rio.push_back(measured_phase(f, true, [&] { return run_rio(f, hosts, opt.rio_inflight); })); };
      auto do_ssh = [&] { res.openssh.push_back(measured_phase(f, false, [&] { return run_openssh(f, hosts, os); })); };
      if (rio_first) {
        do_rio();
        do_ssh();
      } else {
        do_ssh();
        do_rio();
      }
      const auto& r = res.rio.back();
      const auto& o = res.openssh.back();
      std::printf("  round %d N=%-4d rio %7.3f s %6.2f ms/conn  openssh %7.3f s %6.2f ms/conn%s\n", round + 1, res.n,
                  r.wall_s, r.client_cpu_s * 1000 / res.n, o.wall_s, o.client_cpu_s * 1000 / res.n,
                  (r.failures || o.failures) ? "  FAILURES" : "");
      if (!r.first_error.empty()) std::printf("    rio: %d failed, first: %s\n", r.failures, r.first_error.c_str());
      if (!o.first_error.empty()) std::printf("    openssh: %d failed, first: %s\n", o.failures, o.first_error.c_str());
      std::fflush(stdout);
    }
  }
  const double load_end = loadavg_1m();
  for (auto& s : f.servers) s->stop();

  // Table
  std::printf("\nmedian of %d round(s); client CPU = user+sys of the client only; server CPU = sshd and the "
              "commands it ran;\nother s = busy CPU of the whole machine during the phase minus client and server "
              "and this benchmark's bookkeeping (other work disturbing the run)\n",
              opt.repeat);
  std::printf("%6s  %-8s %9s %14s %14s %9s %9s %10s\n", "N", "client", "wall s", "client ms/conn", "server ms/conn",
              "other s", "failures", "dirless");
  bool cpu_target = true;
  bool wall_target = true;
  bool any_failure = false;
  std::string json_results;
  for (const auto& res : results) {
    const summary r = summarise(res.rio, res.n);
    const summary o = summarise(res.openssh, res.n);
    std::printf("%6d  %-8s %9.3f %14.3f %14.2f %9.2f %9d %10s\n", res.n, "openssh", o.wall_s, o.cpu_ms_per_conn,
                o.server_ms_per_conn, o.other_cpu_s, o.failures, "-");
    std::printf("%6d  %-8s %9.3f %14.3f %14.2f %9.2f %9d %10llu\n", res.n, "rio", r.wall_s, r.cpu_ms_per_conn,
                r.server_ms_per_conn, r.other_cpu_s, r.failures, static_cast<unsigned long long>(r.directionless));
    const double cpu_ratio = o.cpu_ms_per_conn > 0 ? r.cpu_ms_per_conn / o.cpu_ms_per_conn : 0;
    const double wall_ratio = o.wall_s > 0 ? r.wall_s / o.wall_s : 0;
    std::printf("%6s  %-8s client CPU rio/openssh %.3f (target <= 0.2), wall rio/openssh %.3f%s\n", "", "ratio",
                cpu_ratio, wall_ratio, res.n >= 500 ? " (target < 1)" : "");
    cpu_target = cpu_target && cpu_ratio <= 0.2;
    if (res.n == 500) wall_target = wall_target && wall_ratio < 1.0;
    any_failure = any_failure || r.failures || o.failures;
    json_results += std::string{json_results.empty() ? "" : ","} + "{\"n\":" + std::to_string(res.n) +
                    ",\"rio\":" + json_side(r, res.rio, res.n, true) + ",\"openssh\":" +
                    json_side(o, res.openssh, res.n, false) + ",\"cpu_ratio\":" + fmt(4, cpu_ratio) +
                    ",\"wall_ratio\":" + fmt(4, wall_ratio) + "}";
  }
  const bool has_500 = std::find(opt.sizes.begin(), opt.sizes.end(), 500) != opt.sizes.end();
  std::printf("targets: client CPU <= 0.2 x openssh at every N: %s; wall at N=500 < openssh: %s; failures: %s\n",
              cpu_target ? "met" : "NOT met", has_500 ? (wall_target ? "met" : "NOT met") : "not measured",
              any_failure ? "SOME" : "none");
  std::printf("load average %.2f at start, %.2f at end\n", load_start, load_end);

  std::printf("{\"bench\":\"rio_bench_ssh\",\"date\":\"%s\",\"cores\":%ld,\"busy_before\":%.2f,\"loadavg_start\":%.2f,\"loadavg_end\":%.2f,"
              "\"kex\":\"curve25519-sha256\",\"hostkey\":\"ssh-ed25519\",\"userkey\":\"ed25519\",\"cipher\":\"aes128-ctr\","
              "\"mac\":\"hmac-sha2-256\",\"command\":\"%s\",\"rio_mode\":\"direct session::connect+exec+disconnect, "
              "one io_context thread\",\"rio_inflight\":%d,\"xargs_parallel\":%d,\"sshd_instances\":%d,\"login_rc\":%s,"
              "\"repeat\":%d,\"results\":[%s],\"targets\":{\"cpu_ratio_max\":0.2,\"cpu_met\":%s,\"wall_ratio_500_max\":1.0,"
              "\"wall_met\":%s,\"failures\":%s}}\n",
              now_utc().c_str(), cores, busy_before, load_start, load_end, remote_command, opt.rio_inflight, opt.xargs_parallel,
              instances, opt.skip_login_rc ? "false" : "true", opt.repeat, json_results.c_str(),
              cpu_target ? "true" : "false", has_500 ? (wall_target ? "true" : "false") : "null",
              any_failure ? "true" : "false");
  return any_failure ? 1 : 0;
}

}  // namespace
}  // namespace rio::bench

int main(int argc, char** argv) {
  const auto opt = rio::bench::parse(argc, argv);
  rio::bench::install_signal_handlers("rio_bench_ssh", opt.time_limit_s);
  rio::bench::become_subreaper();
  try {
    return rio::bench::run(opt);  // sshd instances are stopped by their destructors on every path
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rio_bench_ssh: %s\n", e.what());
    return 1;
  }
}
