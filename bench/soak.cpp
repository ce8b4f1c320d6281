// rio_soak: the REST server under wrk load while a fleet of loopback hosts is installed,
// reinstalled and partially failed, round after round, for a bounded time (issue #8, point 4).
//
// What it checks:
//   * memory and file descriptors of `rio serve` stay flat: sampled every second from /proc;
//     after the warm-up (rounds 0 and 1), the largest value in the last third of the run must be
//     within a tolerance of the largest in the first third; and at every quiet point (no run in
//     flight) the descriptor count must be the same as after the warm-up;
//   * every request is answered: wrk's socket errors and non-2xx/3xx answers are zero, and so are
//     the driver's own failed requests;
//   * every host ends in the state its manifest says, after every round: per (host, module) the
//     manifest's state (REST and the file on disk) equals what the driver expects, the sentinel
//     ~/.config/comfyvn/remote/<id>.installed exists exactly when the state is installed, the
//     module's install artefacts exist when it is installed, and each run's result reported the
//     expected action and outcome.
//
// Each host is an address 127.2.x.y served by one of several sshd instances (up to 16 addresses
// each), with a $HOME of its own and the fixture upstreams' stub directory first on PATH, so the
// four modules install for real over SSH, offline. See bench/README.md.

#include "bench_common.hpp"
#include "bench_sshd.hpp"

#include <rio/kernel/sandbox/fixture_upstreams.hpp>
#include <rio/sdk/module_spec.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace rio::bench {
namespace {
namespace fs = std::filesystem;
namespace json = boost::json;
using clock = std::chrono::steady_clock;

constexpr const char* bench_name = "rio_soak";

// The PATH sshd gives a session (OpenSSH's _PATH_STDPATH for root); the stub directory goes first.
constexpr const char* session_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// The modules, in the order every request names them.
constexpr std::array<const char*, 4> module_ids{"comfyui", "sillytavern", "lmstudio", "ollama"};
constexpr std::size_t comfyui = 0, lmstudio = 2;

// The warm-up: round 0 installs everything; round 1 is the first churn round, the first to take
// every path (wipes, failures, two concurrent requests, a run's results replacing another's). The
// flatness checks start after it: its memory high-water mark is the allocator's working set, not
// growth.
constexpr int warmup_rounds = 2;

// ---------------------------------------------------------------------------------------------
// Options

struct options {
  int hosts = 200;
  int duration_s = 90;  // rounds start until this many seconds after round 0 began
  int min_rounds = 3;   // rounds after the warm-up (rounds 0 and 1), whatever the duration
  int per_sshd = static_cast<int>(max_listen_addresses);
  int wipe_percent = 10;      // hosts wiped (whole home) and reinstalled per round
  int break_percent = 5;      // hosts whose comfyui checkout is broken: its `requirements` step fails
  int upstream_percent = 5;   // hosts installed from a broken LM Studio installer: `installer` fails
  int wrk_connections = 8;
  int wrk_delay_ms = 1;       // per connection, between an answer and the next request; 0: full speed
  int wrk_timeout_s = 10;     // a request unanswered after this counts as a timeout
  double rss_tolerance_percent = 10;
  double rss_slack_mib = 6;   // absolute allowance on top of the percentage (allocator granularity)
  int fd_tolerance = 8;
  double fd_tolerance_percent = 25;
  fs::path rio;         // empty: `rio` beside this executable
  fs::path plugin_dir;  // empty: plugins/ beside rio
  fs::path wrk = "/usr/bin/wrk";
  fs::path samples_csv;  // empty: none written
  fs::path hosts_tmp;   // empty: the hosts' homes and the fixtures live in the scratch directory too
  unsigned seed = 8;
  bool keep_scratch = false;
  int round_limit_s = 900;  // a round still running after this fails the soak (runs are cancelled)
  int time_limit_s = 0;     // 0: duration + 900
};

[[noreturn]] void usage(int code) {
  std::fprintf(code == 0 ? stdout : stderr,
               "usage: rio_soak [--duration 90] [--hosts 200] [--min-rounds 3] [--wipe 10] [--break 5] [--upstream 5]\n"
               "                [--wrk-connections 8] [--wrk-delay-ms 1] [--wrk-timeout 10] [--rss-tolerance 10]\n"
               "                [--rss-slack-mib 6] [--fd-tolerance 8] [--fd-tolerance-percent 25] [--rio PATH]\n"
               "                [--plugin-dir DIR] [--wrk PATH]\n"
               "                [--per-sshd 16] [--seed 8] [--round-limit 900] [--time-limit S] [--hosts-tmp DIR]\n"
               "                [--samples FILE] [--keep-scratch]\n"
               "  --duration S         rounds start until S seconds after the first round began (default 90)\n"
               "  --hosts N            loopback hosts (default 200), each its own address 127.2.x.y and $HOME\n"
               "  --min-rounds R       rounds after the warm-up (round 0 installs everything, round 1 is the first\n"
               "                       churn round), even when the duration is over (default 3, at least 1)\n"
               "  --wipe PCT           per round, hosts whose home is wiped: every module reinstalls (default 10)\n"
               "  --break PCT          per round, hosts whose comfyui checkout loses requirements.txt and its\n"
               "                       sentinel: comfyui fails at step `requirements` (default 5)\n"
               "  --upstream PCT       per round, hosts whose LM Studio is removed and reinstalled, in a second\n"
               "                       concurrent request, from an installer that fails (default 5)\n"
               "  --wrk-connections C  wrk -c C against GET routes for the whole run (default 8)\n"
               "  --wrk-delay-ms D     each wrk connection waits D ms between requests (default 1; 0: full speed)\n"
               "  --wrk-timeout S      wrk --timeout (default 10)\n"
               "  --rss-tolerance PCT  max RSS in the last third <= max in the first third * (1 + PCT/100) + slack\n"
               "  --rss-slack-mib M    (default 10 %% + 6 MiB)\n"
               "  --fd-tolerance N     max descriptors in the last third <= max in the first third * (1 + P/100) + N\n"
               "  --fd-tolerance-percent P  (default 25 %% + 8); at the quiet points between rounds the count\n"
               "                       must not grow at all\n"
               "  --rio PATH           the rio binary (default: rio beside this executable)\n"
               "  --plugin-dir DIR     the modules (default: plugins/ beside rio)\n"
               "  --wrk PATH           the wrk binary (default /usr/bin/wrk)\n"
               "  --per-sshd M         hosts (listen addresses) per sshd instance, at most 16\n"
               "  --seed N             which hosts each round wipes and breaks\n"
               "  --round-limit S      a round still running after S seconds fails the soak (default 900)\n"
               "  --time-limit S       hard stop: everything is killed after S seconds (default duration + 900)\n"
               "  --hosts-tmp DIR      put the hosts' homes and the fixture upstreams in a directory of their own\n"
               "                       under DIR (e.g. /dev/shm: about 100 MiB, many small files; must allow exec).\n"
               "                       rio's root (manifests, logs, locks) stays under $TMPDIR, else /tmp\n"
               "  --samples FILE       write every sample (t_s, rss_kib, fds, cpu_s) and each round's end to FILE (CSV)\n"
               "  --keep-scratch       leave the scratch directories (root, homes, logs) at the end\n"
               "Exit status: 0 every check passed, 1 a check failed, 2 bad usage or set-up failed.\n");
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
    if (a == "--duration") o.duration_s = std::max(1, to_int(value(), "--duration"));
    else if (a == "--hosts") o.hosts = std::clamp(to_int(value(), "--hosts"), 1, 4000);
    else if (a == "--min-rounds") o.min_rounds = std::max(1, to_int(value(), "--min-rounds"));
    else if (a == "--wipe") o.wipe_percent = std::min(100, to_int(value(), "--wipe"));
    else if (a == "--break") o.break_percent = std::min(100, to_int(value(), "--break"));
    else if (a == "--upstream") o.upstream_percent = std::min(100, to_int(value(), "--upstream"));
    else if (a == "--wrk-connections") o.wrk_connections = std::max(1, to_int(value(), "--wrk-connections"));
    else if (a == "--wrk-delay-ms") o.wrk_delay_ms = to_int(value(), "--wrk-delay-ms");
    else if (a == "--wrk-timeout") o.wrk_timeout_s = std::max(1, to_int(value(), "--wrk-timeout"));
    else if (a == "--rss-tolerance") o.rss_tolerance_percent = to_int(value(), "--rss-tolerance");
    else if (a == "--rss-slack-mib") o.rss_slack_mib = to_int(value(), "--rss-slack-mib");
    else if (a == "--fd-tolerance") o.fd_tolerance = to_int(value(), "--fd-tolerance");
    else if (a == "--fd-tolerance-percent") o.fd_tolerance_percent = to_int(value(), "--fd-tolerance-percent");
    else if (a == "--rio") o.rio = value();
    else if (a == "--plugin-dir") o.plugin_dir = value();
    else if (a == "--wrk") o.wrk = value();
    else if (a == "--per-sshd") o.per_sshd = std::clamp(to_int(value(), "--per-sshd"), 1, static_cast<int>(max_listen_addresses));
    else if (a == "--seed") o.seed = static_cast<unsigned>(to_int(value(), "--seed"));
    else if (a == "--round-limit") o.round_limit_s = std::max(30, to_int(value(), "--round-limit"));
    else if (a == "--time-limit") o.time_limit_s = std::max(30, to_int(value(), "--time-limit"));
    else if (a == "--keep-scratch") o.keep_scratch = true;
    else if (a == "--hosts-tmp") o.hosts_tmp = value();
    else if (a == "--samples") o.samples_csv = value();
    else if (a == "--help" || a == "-h") usage(0);
    else {
      std::fprintf(stderr, "%s: unknown argument '%s'\n", bench_name, a.c_str());
      usage(2);
    }
  }
  if (o.wipe_percent + o.break_percent + o.upstream_percent > 60) {
    std::fprintf(stderr, "%s: --wipe + --break + --upstream must stay at or below 60 %%\n", bench_name);
    usage(2);
  }
  if (o.time_limit_s == 0) o.time_limit_s = o.duration_s + 900;
  return o;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_text(const fs::path& p, const std::string& text, fs::perms mode = fs::perms::owner_read | fs::perms::owner_write) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
  fs::permissions(p, mode);
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

double seconds_since(clock::time_point t0) { return std::chrono::duration<double>(clock::now() - t0).count(); }

const json::object* object_at(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_object() ? &v->get_object() : nullptr;
}
const json::array* array_at(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_array() ? &v->get_array() : nullptr;
}
std::string string_at(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string{v->get_string()} : std::string{};
}
bool contains_string(const json::array* a, const std::string& s) {
  if (a == nullptr) return false;
  return std::any_of(a->begin(), a->end(), [&](const json::value& v) { return v.is_string() && v.get_string() == s; });
}

// ---------------------------------------------------------------------------------------------
// A minimal blocking HTTP/1.1 client for the driver's own requests (one connection each,
// `Connection: close`). Every request the driver makes is counted; none may go unanswered.

struct http_reply {
  int status = 0;  // 0: no answer (connect, send or receive failed, or timed out)
  std::string body;
  std::string error;
};

struct request_counts {
  std::atomic<long> sent{0};
  std::atomic<long> unanswered{0};
  std::atomic<long> unexpected_status{0};
} driver_requests;

std::string decode_chunked(const std::string& in) {
  std::string out;
  std::size_t at = 0;
  while (at < in.size()) {
    const auto eol = in.find("\r\n", at);
    if (eol == std::string::npos) break;
    const std::size_t len = std::stoul(in.substr(at, eol - at), nullptr, 16);
    if (len == 0) break;
    out.append(in, eol + 2, len);
    at = eol + 2 + len + 2;
  }
  return out;
}

http_reply http_call(std::uint16_t port, const std::string& method, const std::string& target, const std::string& body = {},
                     double timeout_s = 60) {
  ++driver_requests.sent;
  http_reply r;
  const auto give_up = clock::now() + std::chrono::duration<double>(timeout_s);
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    r.error = "socket: " + std::string{std::strerror(errno)};
    ++driver_requests.unanswered;
    return r;
  }
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{static_cast<time_t>(timeout_s), 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    r.error = "connect: " + std::string{std::strerror(errno)};
    ::close(fd);
    ++driver_requests.unanswered;
    return r;
  }
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                    "\r\nConnection: close\r\nUser-Agent: rio_soak\r\n";
  if (!body.empty() || method == "POST") {
    req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  for (std::size_t off = 0; off < req.size();) {
    const ssize_t w = ::send(fd, req.data() + off, req.size() - off, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      r.error = "send: " + std::string{std::strerror(errno)};
      ::close(fd);
      ++driver_requests.unanswered;
      return r;
    }
    off += static_cast<std::size_t>(w);
  }
  // Read until the server closes or the body is complete.
  std::string in;
  std::size_t header_end = std::string::npos, content_length = std::string::npos;
  bool chunked = false;
  std::array<char, 65536> buf;
  for (;;) {
    if (header_end != std::string::npos && content_length != std::string::npos &&
        in.size() >= header_end + 4 + content_length) {
      break;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(give_up - clock::now()).count();
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) {
      if (errno == EINTR) continue;
      r.error = "no answer within " + fmt(0, timeout_s) + " s";
      break;
    }
    const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      r.error = "recv: " + std::string{std::strerror(errno)};
      break;
    }
    if (n == 0) break;
    in.append(buf.data(), static_cast<std::size_t>(n));
    if (header_end == std::string::npos && (header_end = in.find("\r\n\r\n")) != std::string::npos) {
      std::string head = in.substr(0, header_end);
      std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (auto at = head.find("\r\ncontent-length:"); at != std::string::npos) content_length = std::stoul(head.substr(at + 17));
      chunked = head.find("\r\ntransfer-encoding: chunked") != std::string::npos;
    }
  }
  ::close(fd);
  if (header_end == std::string::npos || in.compare(0, 9, "HTTP/1.1 ") != 0 ||
      (content_length != std::string::npos && in.size() < header_end + 4 + content_length)) {
    if (r.error.empty()) r.error = "incomplete answer (" + std::to_string(in.size()) + " bytes)";
    ++driver_requests.unanswered;
    return r;
  }
  r.error.clear();
  r.status = std::atoi(in.c_str() + 9);
  r.body = in.substr(header_end + 4, content_length);
  if (chunked) r.body = decode_chunked(r.body);
  return r;
}

/** A request that must answer `want` with a JSON object; throws (naming the request) otherwise. */
json::object call_json(std::uint16_t port, const std::string& method, const std::string& target, int want,
                       const std::string& body = {}) {
  const http_reply r = http_call(port, method, target, body);
  if (r.status == 0) throw std::runtime_error(method + " " + target + ": " + r.error);
  if (r.status != want) {
    ++driver_requests.unexpected_status;
    throw std::runtime_error(method + " " + target + ": HTTP " + std::to_string(r.status) + " (expected " +
                             std::to_string(want) + "): " + r.body.substr(0, 300));
  }
  json::value v = json::parse(r.body);
  if (!v.is_object()) throw std::runtime_error(method + " " + target + ": the answer is not a JSON object");
  return std::move(v.get_object());
}

// ---------------------------------------------------------------------------------------------
// rio serve's memory and descriptors, sampled every second by a thread of its own

struct sample {
  double t = 0;       // seconds since the soak began
  long rss_kib = 0;   // VmRSS
  int fds = 0;        // entries of /proc/PID/fd
  double cpu_s = 0;   // utime + stime
};

long rss_kib_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

/** What each descriptor points at ("socket:[...]" reduced to "socket"), sorted: for diagnosing a leak. */
std::multiset<std::string> fd_targets(pid_t pid) {
  std::multiset<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code e2;
    std::string t = fs::read_symlink(it->path(), e2).string();
    if (auto colon = t.find(":["); colon != std::string::npos) t = t.substr(0, colon);
    out.insert(t);
  }
  return out;
}

int fds_of(pid_t pid) {
  std::error_code ec;
  int n = 0;
  for (fs::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec), end; !ec && it != end; it.increment(ec)) ++n;
  return n;
}

double cpu_seconds_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  const auto close_paren = line.rfind(')');
  if (close_paren == std::string::npos) return 0;
  std::istringstream rest(line.substr(close_paren + 2));
  std::vector<std::string> f;
  for (std::string x; rest >> x;) f.push_back(x);
  if (f.size() < 13) return 0;
  return (std::stod(f[11]) + std::stod(f[12])) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

/** Seconds rio serve waited on a run queue (/proc/PID/schedstat, second field): CPU it wanted and did not get. */
double runqueue_wait_s(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/schedstat");
  double on_cpu_ns = 0, waiting_ns = 0;
  in >> on_cpu_ns >> waiting_ns;
  return waiting_ns / 1e9;
}

/**
 * Processes that sessions leave running (rio's exec wrapper's stdin watchdog, `nohup ollama
 * serve`) are re-parented to this process, a child subreaper, when their session ends; reap the
 * ones that ended so they do not pile up as zombies. Never touches `known` (waited for by PID).
 */
void reap_orphans(const std::set<pid_t>& known) {
  const pid_t self = ::getpid();
  std::error_code ec;
  for (fs::directory_iterator it("/proc", ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(name));
    if (known.count(pid)) continue;
    std::ifstream in("/proc/" + name + "/stat");
    std::string line;
    std::getline(in, line);
    const auto close_paren = line.rfind(')');
    if (close_paren == std::string::npos || close_paren + 2 >= line.size()) continue;
    std::istringstream rest(line.substr(close_paren + 2));
    std::string state;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == self && state == "Z") ::waitpid(pid, nullptr, WNOHANG);
  }
}

class sampler {
 public:
  sampler(pid_t pid, clock::time_point t0, std::set<pid_t> known) : pid_(pid), t0_(t0), known_(std::move(known)) {
    thread_ = std::thread([this] { loop(); });
  }
  ~sampler() { stop(); }
  void stop() {
    {
      std::lock_guard lock(m_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  std::vector<sample> samples() const {
    std::lock_guard lock(m_);
    auto out = samples_;
    std::stable_sort(out.begin(), out.end(), [](const sample& a, const sample& b) { return a.t < b.t; });
    return out;
  }
  sample now() const { return {seconds_since(t0_), rss_kib_of(pid_), fds_of(pid_), cpu_seconds_of(pid_)}; }
  /** A reading taken elsewhere (the quiet point after a round) joins the series. */
  void add(const sample& s) {
    std::lock_guard lock(m_);
    samples_.push_back(s);
  }

 private:
  void loop() {
    std::unique_lock lock(m_);
    while (!stopping_) {
      lock.unlock();
      const sample s = now();
      reap_orphans(known_);
      lock.lock();
      samples_.push_back(s);
      cv_.wait_for(lock, std::chrono::seconds{1}, [this] { return stopping_; });  // the sampling interval
    }
  }
  pid_t pid_;
  clock::time_point t0_;
  std::set<pid_t> known_;
  mutable std::mutex m_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::vector<sample> samples_;
  std::thread thread_;
};

// ---------------------------------------------------------------------------------------------
// Child processes: rio serve and wrk

struct child {
  pid_t pid = -1;
  int status = 0;
  bool exited = false;

  /** Whether it has exited (reaps it then). */
  bool poll_exit() {
    if (pid <= 0 || exited) return exited;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      unregister_child_group(pid);
    }
    return exited;
  }
  /** Sends `sig`, waits at most `seconds`, then SIGKILLs the group. Returns whether it ended in time. */
  bool stop(int sig, double seconds) {
    if (pid <= 0 || poll_exit()) return true;
    ::kill(pid, sig);
    bool killed = false;
    wait_bounded(pid, seconds, status, killed);  // SIGKILLs the group at the limit, then reaps
    exited = true;
    unregister_child_group(pid);
    return !killed;
  }
  ~child() {
    if (pid > 0 && !exited) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      unregister_child_group(pid);
    }
  }
};

std::string exit_text(int status) {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

// ---------------------------------------------------------------------------------------------
// The fleet and the model of what every host must hold

enum class mstate { installed, failed };

struct host {
  std::string spec;      // user@127.2.x.y:port, as every request names it
  std::string address;   // the same, as results report it
  fs::path home;
  std::array<mstate, module_ids.size()> state{};  // what the host must hold after the last round
};

/** What one round must do to one (host, module). */
struct expectation {
  bool install = false;       // planned action install (else noop)
  mstate after = mstate::installed;
  const char* failed_step = "";  // after == failed: the step that must fail
};

std::string host_address(int i) { return "127.2." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1); }

fs::path sentinel_of(const host& h, std::size_t m) {
  const std::string rel = sdk::sentinel_path(module_ids[m]);  // "~/.config/comfyvn/remote/<id>.installed"
  return h.home / rel.substr(2);
}

/** Files that exist on a host where the module is installed (its detect probes' targets). */
std::vector<fs::path> artefacts_of(const host& h, std::size_t m) {
  switch (m) {
    case 0: return {h.home / "ComfyUI/.git", h.home / "ComfyUI/venv/bin/python", h.home / "ComfyUI/venv/.rio-requirements.sha256"};
    case 1: return {h.home / "SillyTavern/.git", h.home / "SillyTavern/node_modules"};
    case 2: return {h.home / ".lmstudio/bin/lms"};
    default: return {h.home / ".local/bin/ollama"};
  }
}

void remove_all_quietly(const fs::path& p) {
  std::error_code ec;
  fs::remove_all(p, ec);
}

/** Empties the host's home: every module, the fixture's package state and rio's sentinels. */
void wipe_home(const host& h) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(h.home, ec)) remove_all_quietly(entry.path());
}

/**
 * comfyui, installed, loses requirements.txt, its requirements stamp and its sentinel: detection
 * says absent, clone and venv are already done, `requirements` runs pip -r on a missing file and
 * fails. The module is left failed with the earlier steps in place.
 */
void break_comfyui(const host& h) {
  remove_all_quietly(h.home / "ComfyUI/requirements.txt");
  remove_all_quietly(h.home / "ComfyUI/venv/.rio-requirements.sha256");
  remove_all_quietly(sentinel_of(h, comfyui));
}

/** LM Studio removed (CLI, daemon mark, sentinel): the next request reinstalls it. */
void remove_lmstudio(const host& h) {
  remove_all_quietly(h.home / ".lmstudio");
  remove_all_quietly(h.home / ".rio-fixture/lms-daemon");
  remove_all_quietly(sentinel_of(h, lmstudio));
}

// ---------------------------------------------------------------------------------------------
// Rounds

struct round_record {
  int index = 0;
  std::string kind;  // warm-up or churn
  int wiped = 0, broken = 0, upstream = 0, repaired = 0;
  double wall_s = 0;
  int modules_installed = 0, modules_noop = 0, modules_failed = 0;  // from the runs' results
  int mismatches = 0;
  long run_json_kib = 0;  // GET /runs/<id> of the round's main run, finished
  long run_events = 0;    // events its SSE stream replays
  int quiet_fds = 0;
  long quiet_rss_kib = 0;
  double end_t = 0;
};

struct mismatch_log {
  int count = 0;
  std::vector<std::string> first;  // the first few, printed
  void add(std::string what) {
    ++count;
    if (first.size() < 20) first.push_back(std::move(what));
  }
};

struct soak {
  explicit soak(const options& o) : opt(o) {}
  const options& opt;
  std::uint16_t port = 0;
  std::vector<host> hosts;
  std::string identity;        // the login key, under rio's root
  json::object good_options;   // per module: the fixture upstreams
  json::object bad_options;    // the same, with LM Studio's installer replaced by one that fails
  fs::path status_root;
  mismatch_log mismatches;
  clock::time_point last_run_end = clock::now();

  std::string request_body(const std::vector<int>& which, const json::object& module_options) const {
    json::array specs;
    for (int i : which) specs.emplace_back(hosts[static_cast<std::size_t>(i)].spec);
    json::array mods;
    for (const char* m : module_ids) mods.emplace_back(m);
    json::object body{{"hosts", std::move(specs)},
                      {"modules", std::move(mods)},
                      {"async", true},
                      {"ssh", json::object{{"identity", identity}, {"connect_timeout", 60}}},
                      {"options", module_options},
                      // Every host's home shares one filesystem (often a small /dev/shm): the
                      // preflight's per-tool 6 GiB disk check is not what the soak is about.
                      {"preflight", json::object{{"skip", json::array{"disk"}}}}};
    return json::serialize(body);
  }

  /** Starts a run; returns its id. */
  std::string start_run(const std::vector<int>& which, const json::object& module_options) {
    const json::object answer = call_json(port, "POST", "/api/remote/install", 202, request_body(which, module_options));
    const std::string id = string_at(answer, "run_id");
    if (id.empty()) throw std::runtime_error("POST /api/remote/install: no run_id in the answer");
    return id;
  }

  /** Polls the runs until each is finished (0.5 s apart); returns their final summaries. */
  std::vector<json::object> wait_runs(const std::vector<std::string>& ids, double limit_s) {
    std::vector<json::object> done(ids.size());
    std::vector<bool> finished(ids.size(), false);
    const auto t0 = clock::now();
    for (;;) {
      bool all = true;
      for (std::size_t k = 0; k < ids.size(); ++k) {
        if (finished[k]) continue;
        json::object run = call_json(port, "GET", "/api/remote/runs/" + ids[k], 200);
        if (string_at(run, "state") == "finished") {
          done[k] = std::move(run);
          finished[k] = true;
        } else {
          all = false;
        }
      }
      if (all) return done;
      if (seconds_since(t0) > limit_s) {
        for (std::size_t k = 0; k < ids.size(); ++k) {
          if (!finished[k]) http_call(port, "POST", "/api/remote/runs/" + ids[k] + "/cancel");
        }
        throw std::runtime_error("a round was still running after " + fmt(0, limit_s) + " s (runs cancelled)");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{500});  // polling interval, not a synchronisation
    }
  }

  /** Checks each host's result in the finished runs against the round's expectations. */
  void check_results(const std::vector<json::object>& runs, const std::map<std::string, int>& index_of_address,
                     const std::vector<std::array<expectation, module_ids.size()>>& expect, const std::set<int>& in_round,
                     round_record& rec) {
    std::set<int> seen;
    for (const auto& run : runs) {
      const json::array* results = array_at(run, "hosts");
      if (results == nullptr) {
        mismatches.add("run " + string_at(run, "run_id") + ": no hosts in the finished run");
        continue;
      }
      for (const auto& v : *results) {
        if (!v.is_object()) continue;
        const json::object& r = v.get_object();
        const std::string address = string_at(r, "address");
        auto it = index_of_address.find(address);
        if (it == index_of_address.end()) {
          mismatches.add("run " + string_at(run, "run_id") + ": result for unknown host '" + address + "'");
          continue;
        }
        const int i = it->second;
        seen.insert(i);
        if (r.contains("failure")) {
          mismatches.add(address + ": host failed: " + string_at(r, "failure") + ": " + string_at(r, "error"));
          continue;
        }
        const json::array* plan = array_at(r, "plan");
        const json::array* installed = array_at(r, "installed");
        const json::array* skipped = array_at(r, "skipped");
        const json::array* failed = array_at(r, "failed");
        for (std::size_t m = 0; m < module_ids.size(); ++m) {
          const auto& e = expect[static_cast<std::size_t>(i)][m];
          const std::string id = module_ids[m];
          std::string action;
          if (plan != nullptr) {
            for (const auto& p : *plan) {
              if (p.is_object() && string_at(p.get_object(), "module") == id) action = string_at(p.get_object(), "action");
            }
          }
          const std::string want_action = e.install ? "install" : "noop";
          if (action != want_action) {
            mismatches.add(address + " " + id + ": planned " + (action.empty() ? "nothing" : action) + ", expected " + want_action);
          }
          const bool is_failed = contains_string(failed, id);
          const bool is_installed = contains_string(installed, id);
          const bool is_skipped = contains_string(skipped, id);
          rec.modules_failed += is_failed;
          rec.modules_installed += is_installed;
          rec.modules_noop += is_skipped;
          // The step that failed, if one did (a module halts at its first failure).
          std::string failed_step, failed_reason;
          if (const json::object* mods = object_at(r, "modules")) {
            if (const json::object* mo = object_at(*mods, id.c_str())) {
              if (const json::array* steps = array_at(*mo, "steps")) {
                for (const auto& st : *steps) {
                  if (st.is_object() && string_at(st.get_object(), "outcome") == "failed" && failed_step.empty()) {
                    failed_step = string_at(st.get_object(), "id");
                    failed_reason = string_at(st.get_object(), "reason");
                  }
                }
              }
            }
          }
          const bool ok = e.after == mstate::failed ? is_failed && failed_step == e.failed_step
                                                    : (e.install ? is_installed : is_skipped);
          if (!ok) {
            std::string outcome = is_failed ? "failed" : is_installed ? "installed" : is_skipped ? "skipped" : "absent from the result";
            if (!failed_step.empty()) outcome += " at step " + failed_step + " (" + failed_reason + ")";
            mismatches.add(address + " " + id + ": " + outcome + ", expected " +
                           (e.after == mstate::failed ? "failed at step " + std::string{e.failed_step}
                                                      : e.install ? "installed" : "skipped (noop)"));
          }
        }
      }
    }
    for (int i : in_round) {
      if (!seen.count(i)) mismatches.add(hosts[static_cast<std::size_t>(i)].address + ": no result in the round's runs");
    }
  }

  /**
   * Every host, every module: the manifest (REST and the file on disk) says what the model says,
   * the sentinel exists exactly when it says installed, and an installed module's files exist.
   */
  int verify_hosts(const char* when) {
    const int before = mismatches.count;
    for (auto& h : hosts) {
      json::object answer = call_json(port, "GET", "/api/remote/status?host=" + url_encode(h.spec), 200);
      const json::object* manifest = object_at(answer, "status");
      const json::object* mods = manifest ? object_at(*manifest, "modules") : nullptr;
      const auto* running = answer.if_contains("running");
      if (running != nullptr && running->is_bool() && running->get_bool()) {
        mismatches.add(std::string{when} + ": " + h.address + ": still marked running after its run finished");
      }
      // The file itself, not only what the server's manifest cache says.
      const std::string path = string_at(answer, "status_path");
      json::object file_mods;
      try {
        json::value file = json::parse(read_text(path));
        if (const json::object* fm = file.is_object() ? object_at(file.get_object(), "modules") : nullptr) file_mods = *fm;
      } catch (const std::exception& e) {
        mismatches.add(std::string{when} + ": " + h.address + ": manifest file " + path + " unreadable: " + e.what());
      }
      for (std::size_t m = 0; m < module_ids.size(); ++m) {
        const std::string id = module_ids[m];
        const std::string want = h.state[m] == mstate::installed ? "installed" : "failed";
        const json::object* entry = mods ? object_at(*mods, id.c_str()) : nullptr;
        const std::string rest_state = entry ? string_at(*entry, "state") : "(none)";
        const json::object* file_entry = object_at(file_mods, id.c_str());
        const std::string file_state = file_entry ? string_at(*file_entry, "state") : "(none)";
        if (rest_state != want) mismatches.add(std::string{when} + ": " + h.address + " " + id + ": REST manifest says " + rest_state + ", expected " + want);
        if (file_state != rest_state) {
          mismatches.add(std::string{when} + ": " + h.address + " " + id + ": manifest file says " + file_state + ", REST says " + rest_state);
        }
        const bool has_sentinel = fs::exists(sentinel_of(h, m));
        if (has_sentinel != (want == "installed")) {
          mismatches.add(std::string{when} + ": " + h.address + " " + id + ": manifest " + rest_state + " but the sentinel is " +
                         (has_sentinel ? "present" : "missing"));
        }
        if (want == "installed") {
          for (const auto& f : artefacts_of(h, m)) {
            if (!fs::exists(f)) mismatches.add(std::string{when} + ": " + h.address + " " + id + ": installed but " + f.string() + " is missing");
          }
        }
      }
    }
    return mismatches.count - before;
  }

  /**
   * GET /api/remote/status (the list): every host, with the same module states. The list may be
   * up to 100 ms stale by design (docs/api.md: it is re-serialised when the status directory
   * changes, or after 100 ms for the `running` flags), so it is read at least that long after the
   * last run ended (`run_ended`).
   */
  int verify_list(clock::time_point run_ended) {
    const auto settled = run_ended + std::chrono::milliseconds{150};
    if (clock::now() < settled) std::this_thread::sleep_until(settled);  // the documented staleness, not a synchronisation
    const int before = mismatches.count;
    json::object list = call_json(port, "GET", "/api/remote/status", 200);
    const json::array* entries = array_at(list, "hosts");
    std::map<std::string, const json::object*> by_path;
    if (entries != nullptr) {
      for (const auto& v : *entries) {
        if (v.is_object()) by_path[string_at(v.get_object(), "status_path")] = &v.get_object();
      }
    }
    if (by_path.size() != hosts.size()) {
      mismatches.add("status list: " + std::to_string(by_path.size()) + " hosts, expected " + std::to_string(hosts.size()));
    }
    for (const auto& h : hosts) {
      json::object one = call_json(port, "GET", "/api/remote/status?host=" + url_encode(h.spec), 200);
      auto it = by_path.find(string_at(one, "status_path"));
      if (it == by_path.end()) {
        mismatches.add("status list: " + h.address + " is missing");
        continue;
      }
      const json::object* mods = object_at(*it->second, "modules");
      for (std::size_t m = 0; m < module_ids.size(); ++m) {
        const std::string want = h.state[m] == mstate::installed ? "installed" : "failed";
        const auto* v = mods ? mods->if_contains(module_ids[m]) : nullptr;
        const std::string got = v && v->is_string() ? std::string{v->get_string()} : "(none)";
        if (got != want) mismatches.add("status list: " + h.address + " " + module_ids[m] + ": " + got + ", expected " + want);
      }
    }
    return mismatches.count - before;
  }

  static std::string url_encode(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
      if (std::isalnum(c) || c == '.' || c == '-' || c == '_') {
        out += static_cast<char>(c);
      } else {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%%%02X", c);
        out += buf;
      }
    }
    return out;
  }

  /**
   * One round. Warm-up: every host installs every module. Otherwise: hosts left failed by the
   * previous round are repaired (comfyui's broken checkout removed) and reinstall; of the others,
   * some are wiped (every module reinstalls), some get a broken comfyui checkout (comfyui fails
   * at `requirements`), some lose LM Studio and reinstall it from a failing installer (in a second
   * request, concurrent with the first); the rest are a noop.
   */
  round_record run_round(int index, std::mt19937& rng) {
    round_record rec;
    rec.index = index;
    rec.kind = index < warmup_rounds ? "warm-up" : "churn";
    const std::size_t n = hosts.size();
    std::vector<std::array<expectation, module_ids.size()>> expect(n);
    std::vector<int> main_hosts, upstream_hosts;

    if (index == 0) {
      for (std::size_t i = 0; i < n; ++i) {
        for (auto& e : expect[i]) e = {true, mstate::installed};
        main_hosts.push_back(static_cast<int>(i));
      }
    } else {
      std::vector<int> healthy, repaired;
      for (std::size_t i = 0; i < n; ++i) {
        const auto& h = hosts[i];
        bool failed = false;
        for (std::size_t m = 0; m < module_ids.size(); ++m) {
          expect[i][m] = {h.state[m] == mstate::failed, mstate::installed};
          failed = failed || h.state[m] == mstate::failed;
        }
        (failed ? repaired : healthy).push_back(static_cast<int>(i));
      }
      // Repair: comfyui's checkout lacks requirements.txt; remove it so it is cloned again. (A
      // failed LM Studio needs nothing: the good installer runs this time.)
      for (int i : repaired) {
        if (hosts[static_cast<std::size_t>(i)].state[comfyui] == mstate::failed) {
          remove_all_quietly(hosts[static_cast<std::size_t>(i)].home / "ComfyUI");
        }
      }
      std::shuffle(healthy.begin(), healthy.end(), rng);
      const auto take = [&](int percent) {
        const std::size_t k = std::min(healthy.size(), static_cast<std::size_t>((n * static_cast<std::size_t>(percent) + 99) / 100));
        std::vector<int> out(healthy.end() - static_cast<std::ptrdiff_t>(k), healthy.end());
        healthy.resize(healthy.size() - k);
        return out;
      };
      const auto wiped = take(opt.wipe_percent);
      const auto broken = take(opt.break_percent);
      const auto upstream = take(opt.upstream_percent);
      for (int i : wiped) {
        wipe_home(hosts[static_cast<std::size_t>(i)]);
        for (auto& e : expect[static_cast<std::size_t>(i)]) e = {true, mstate::installed};
      }
      for (int i : broken) {
        break_comfyui(hosts[static_cast<std::size_t>(i)]);
        expect[static_cast<std::size_t>(i)][comfyui] = {true, mstate::failed, "requirements"};
      }
      for (int i : upstream) {
        remove_lmstudio(hosts[static_cast<std::size_t>(i)]);
        expect[static_cast<std::size_t>(i)][lmstudio] = {true, mstate::failed, "installer"};
      }
      rec.wiped = static_cast<int>(wiped.size());
      rec.broken = static_cast<int>(broken.size());
      rec.upstream = static_cast<int>(upstream.size());
      rec.repaired = static_cast<int>(repaired.size());
      const std::set<int> up(upstream.begin(), upstream.end());
      for (std::size_t i = 0; i < n; ++i) (up.count(static_cast<int>(i)) ? upstream_hosts : main_hosts).push_back(static_cast<int>(i));
    }

    std::map<std::string, int> index_of_address;
    for (std::size_t i = 0; i < n; ++i) index_of_address[hosts[i].address] = static_cast<int>(i);
    std::set<int> in_round;
    for (std::size_t i = 0; i < n; ++i) in_round.insert(static_cast<int>(i));

    const auto t0 = clock::now();
    std::vector<std::string> ids;
    ids.push_back(start_run(main_hosts, good_options));
    if (!upstream_hosts.empty()) ids.push_back(start_run(upstream_hosts, bad_options));
    const auto runs = wait_runs(ids, opt.round_limit_s);
    last_run_end = clock::now();
    rec.wall_s = seconds_since(t0);
    // What the server keeps of the main run: its summary and the events a late client replays.
    rec.run_json_kib = static_cast<long>(json::serialize(runs.front()).size() / 1024);
    {
      const http_reply ev = http_call(port, "GET", "/api/remote/runs/" + ids.front() + "/events");
      if (ev.status != 200) {
        ++driver_requests.unexpected_status;
        mismatches.add("GET /runs/" + ids.front() + "/events: HTTP " + std::to_string(ev.status) + " " + ev.error);
      }
      for (auto at = ev.body.find("\nevent: "); at != std::string::npos; at = ev.body.find("\nevent: ", at + 1)) ++rec.run_events;
      rec.run_events += ev.body.rfind("event: ", 0) == 0 ? 1 : 0;
      if (ev.body.find("event: end\n") == std::string::npos) mismatches.add("GET /runs/" + ids.front() + "/events: no end event");
    }

    const int before = mismatches.count;
    check_results(runs, index_of_address, expect, in_round, rec);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t m = 0; m < module_ids.size(); ++m) hosts[i].state[m] = expect[i][m].after;
    }
    verify_hosts(("round " + std::to_string(index)).c_str());
    rec.mismatches = mismatches.count - before;
    return rec;
  }
};

// ---------------------------------------------------------------------------------------------
// wrk

struct wrk_figures {
  bool parsed = false;
  long requests = 0;
  double duration_s = 0;
  long connect = 0, read = 0, write = 0, status = 0, timeout = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  long errors() const { return connect + read + write + status + timeout; }
};

std::string wrk_script(const std::vector<std::string>& host_paths, int delay_ms) {
  std::string paths = "\"/api/health\", \"/api/remote/status\", \"/api/remote/modules\", \"/api/remote/runs\"";
  for (const auto& p : host_paths) paths += ", \"" + p + "\"";
  std::string s =
      "-- rio_soak: GET routes in turn, for the whole soak.\n"
      "local paths = {" + paths + "}\n"
      "local n = 0\n"
      "request = function()\n"
      "  n = n + 1\n"
      "  return wrk.format(\"GET\", paths[(n % #paths) + 1])\n"
      "end\n";
  if (delay_ms > 0) s += "delay = function() return " + std::to_string(delay_ms) + " end\n";
  s += "done = function(summary, latency, requests)\n"
       "  local e = summary.errors\n"
       "  io.write(string.format(\"rio-soak-wrk requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d "
       "p50_us=%d p99_us=%d max_us=%d\\n\", summary.requests, summary.duration, e.connect, e.read, e.write, e.status, "
       "e.timeout, latency:percentile(50), latency:percentile(99), latency.max))\n"
       "end\n";
  return s;
}

wrk_figures parse_wrk(const std::string& out) {
  wrk_figures w;
  const auto at = out.find("rio-soak-wrk ");
  if (at == std::string::npos) return w;
  std::istringstream in(out.substr(at + 13, out.find('\n', at) - at - 13));
  std::map<std::string, double> kv;
  for (std::string item; in >> item;) {
    const auto eq = item.find('=');
    if (eq != std::string::npos) kv[item.substr(0, eq)] = std::atof(item.c_str() + eq + 1);
  }
  w.parsed = kv.count("requests") > 0;
  w.requests = static_cast<long>(kv["requests"]);
  w.duration_s = kv["duration_us"] / 1e6;
  w.connect = static_cast<long>(kv["connect"]);
  w.read = static_cast<long>(kv["read"]);
  w.write = static_cast<long>(kv["write"]);
  w.status = static_cast<long>(kv["status"]);
  w.timeout = static_cast<long>(kv["timeout"]);
  w.p50_ms = kv["p50_us"] / 1000;
  w.p99_ms = kv["p99_us"] / 1000;
  w.max_ms = kv["max_us"] / 1000;
  return w;
}

// ---------------------------------------------------------------------------------------------

fs::path self_dir() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : p.parent_path();
}

struct window_max {
  long rss_kib = 0;
  int fds = 0;
  int samples = 0;
};

window_max max_between(const std::vector<sample>& s, double from, double to) {
  window_max w;
  for (const auto& x : s) {
    if (x.t < from || x.t > to || x.rss_kib == 0) continue;
    w.rss_kib = std::max(w.rss_kib, x.rss_kib);
    w.fds = std::max(w.fds, x.fds);
    ++w.samples;
  }
  return w;
}

int run(const options& opt) {
  const auto setup_t0 = clock::now();
  const long cores = cores_online();
  const double load_start = loadavg_1m();
  const fs::path rio = opt.rio.empty() ? self_dir() / "rio" : opt.rio;
  const fs::path plugin_dir = opt.plugin_dir.empty() ? rio.parent_path() / "plugins" : opt.plugin_dir;
  if (!fs::exists(rio)) throw std::runtime_error("no rio binary at " + rio.string() + " (build the rio target, or --rio)");
  if (!fs::exists(opt.wrk)) throw std::runtime_error("no wrk at " + opt.wrk.string() + " (apt-get install wrk, or --wrk)");
  for (const char* m : module_ids) {
    if (!fs::exists(plugin_dir / ("rio-" + std::string{m} + ".so"))) {
      throw std::runtime_error("no rio-" + std::string{m} + ".so in " + plugin_dir.string() + " (build the plugins)");
    }
  }
  const rlim_t nofile = raise_nofile_limit();
  const passwd* pw = ::getpwuid(::getuid());
  if (pw == nullptr) throw std::runtime_error("getpwuid failed");
  const std::string user = pw->pw_name;

  scratch_dir dir;
  if (opt.keep_scratch) dir.keep();
  // The simulated hosts' side: 200 homes hold about 25,000 small files. On this machine's ext4
  // (mounted with `discard`) removing them takes about 90 s, hence the option of a tmpfs.
  std::optional<scratch_dir> hosts_dir;
  if (!opt.hosts_tmp.empty()) {
    hosts_dir.emplace(opt.hosts_tmp);
    if (opt.keep_scratch) hosts_dir->keep();
  }
  const fs::path host_side = hosts_dir ? hosts_dir->path() : dir.path();

  // Fixture upstreams (bare git repositories, installer scripts, PATH stubs), shared by every host.
  auto fixtures = kernel::sandbox::make_fixture_upstreams(host_side / "upstreams");
  if (!fixtures) throw std::runtime_error("fixture upstreams: " + fixtures.error().message);
  // The broken upstream: an LM Studio installer that starts, leaves a partial download, and fails.
  const fs::path broken_installer = host_side / "broken-upstream" / "lmstudio-install.sh";
  write_text(broken_installer,
             "#!/usr/bin/env bash\n"
             "# rio_soak: a broken LM Studio upstream: the download stops half-way.\n"
             "mkdir -p \"$HOME/.lmstudio/bin\" && : > \"$HOME/.lmstudio/bin/lms.partial\"\n"
             "echo 'lmstudio-install.sh (rio_soak broken upstream): download interrupted' >&2\n"
             "exit 22\n",
             fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);

  // Hosts: one sshd instance per `per_sshd` addresses; each address has its own $HOME.
  const bench_keys keys = bench_keys::generate(dir.path());
  const fs::path homes = host_side / "homes";
  const fs::path tmp = host_side / "tmp";
  fs::create_directories(tmp);
  fs::permissions(tmp, fs::perms::all | fs::perms::sticky_bit);
  std::vector<std::unique_ptr<bench_sshd>> servers;
  std::vector<std::string> known_lines;
  soak s{opt};
  const int instances = (opt.hosts + opt.per_sshd - 1) / opt.per_sshd;
  for (int k = 0; k < instances; ++k) {
    sshd_settings ss;
    for (int i = k * opt.per_sshd; i < std::min(opt.hosts, (k + 1) * opt.per_sshd); ++i) {
      ss.listen_addresses.push_back(host_address(i));
      const fs::path home = homes / ("h" + std::to_string(i));
      fs::create_directories(home);
      ss.homes.push_back(home);
    }
    ss.dir = dir.path() / ("sshd-" + std::to_string(k));
    ss.authorized_keys = keys.authorized_keys;
    ss.pin_algorithms = false;
    // As rio demo's throwaway host: the stubs first, then ~/.local/bin (where Ollama's installer
    // puts the binary), then the usual directories.
    ss.extra_env = {"PATH=" + fixtures->stub_dir.string() + ":{HOME}/.local/bin:" + session_path, "TMPDIR=" + tmp.string()};
    servers.push_back(std::make_unique<bench_sshd>(ss));
    for (std::size_t e = 0; e < servers.back()->endpoints().size(); ++e) {
      const auto& ep = servers.back()->endpoints()[e];
      host h;
      h.spec = user + "@" + ep.address + ":" + std::to_string(ep.port);
      h.address = h.spec;
      h.home = ss.homes[e];
      s.hosts.push_back(std::move(h));
    }
    for (auto& line : servers.back()->known_hosts_lines()) known_lines.push_back(std::move(line));
  }

  // rio's root: the feature flag, the config-sync source, every host's key, the login key.
  const fs::path root = dir.path() / "root";
  write_text(root / "config/comfyvn.json", "{\"features\": {\"enable_remote_installer\": true}}\n");
  write_text(root / "config/settings/config.json", "{\"models\": []}\n");
  // The operator allows the offline upstreams (and the failing installer) as sources for requests,
  // and fleets of --hosts hosts in one request (above the default cap of 256 when asked for).
  write_text(root / "config/rio.json", "{\"allowed_sources\": [\"file://" + fixtures->dir.string() + "/\", \"file://" +
                                           broken_installer.parent_path().string() + "/\"], \"max_hosts_per_request\": " +
                                           std::to_string(std::max(opt.hosts, 256)) + "}\n");
  std::string known;
  for (const auto& l : known_lines) known += l + "\n";
  write_text(root / "data/ssh/known_hosts", known);
  write_text(root / "keys/user_ed25519", read_text(keys.user_key));
  s.identity = (root / "keys/user_ed25519").string();
  s.status_root = root / "data/remote/install";
  for (const auto& [module, values] : fixtures->options) {
    json::object o;
    for (const auto& [k, v] : values) o[k] = v;
    s.good_options[module] = o;
  }
  s.bad_options = s.good_options;
  s.bad_options["lmstudio"].as_object()["installer_url"] = "file://" + broken_installer.string();

  // rio serve on 127.0.0.1, a port of its choosing (--port 0), HOME empty (no ~/.ssh, no agent).
  const fs::path client_home = dir.path() / "client-home";
  fs::create_directories(client_home);
  child serve;
  {
    spawn_spec spec;
    spec.argv = {rio.string(), "--root", root.string(), "--plugin-dir", plugin_dir.string(), "serve", "--host", "127.0.0.1",
                 "--port", "0"};
    spec.env = {"HOME=" + client_home.string(), "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"};
    spec.stdout_file = dir.path() / "serve.out";
    spec.stderr_file = dir.path() / "serve.err";
    serve.pid = spawn_client(spec);
    register_child_group(serve.pid);
    // Ready when it says where it listens (its own line, not a sleep).
    const auto give_up = clock::now() + std::chrono::seconds{60};
    const std::string marker = "serving the REST API on http://127.0.0.1:";
    for (;;) {
      const std::string out = read_text(spec.stdout_file);
      if (auto at = out.find(marker); at != std::string::npos && out.find('\n', at) != std::string::npos) {
        s.port = static_cast<std::uint16_t>(std::atoi(out.c_str() + at + marker.size()));
        break;
      }
      if (serve.poll_exit() || clock::now() > give_up) {
        throw std::runtime_error("rio serve did not start (" + exit_text(serve.status) + "): " + read_text(spec.stderr_file).substr(0, 500));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
  }
  {
    const json::object health = call_json(s.port, "GET", "/api/health", 200);
    const auto* enabled = health.if_contains("remote_installer_enabled");
    if (enabled == nullptr || !enabled->is_bool() || !enabled->get_bool()) throw std::runtime_error("the feature flag is not on");
    const json::object mods = call_json(s.port, "GET", "/api/remote/modules", 200);
    for (const char* m : module_ids) {
      bool found = false;
      if (const json::array* a = array_at(mods, "modules")) {
        for (const auto& v : *a) found = found || (v.is_object() && string_at(v.get_object(), "id") == m);
      }
      if (!found) throw std::runtime_error(std::string{"rio serve has no module "} + m);
    }
  }
  const double setup_s = seconds_since(setup_t0);
  std::printf("%s: %d hosts on %d sshd instances (127.2.x.y), rio serve pid %d on 127.0.0.1:%u, %ld cores, load %.2f, "
              "RLIMIT_NOFILE %lu; set-up %.1f s\n",
              bench_name, opt.hosts, instances, serve.pid, s.port, cores, load_start, static_cast<unsigned long>(nofile), setup_s);
  std::fflush(stdout);

  // wrk for the whole soak: it is stopped (SIGINT, which makes it report) after the last round.
  std::vector<std::string> host_paths;
  for (std::size_t i = 0; i < s.hosts.size(); i += std::max<std::size_t>(1, s.hosts.size() / 8)) {
    host_paths.push_back("/api/remote/status?host=" + soak::url_encode(s.hosts[i].spec));
  }
  write_text(dir.path() / "wrk.lua", wrk_script(host_paths, opt.wrk_delay_ms));
  const auto soak_t0 = clock::now();
  std::set<pid_t> known_children{serve.pid};
  for (const auto& srv : servers) known_children.insert(srv->pid());
  child wrk;
  {
    spawn_spec spec;
    spec.argv = {opt.wrk.string(), "-t1", "-c" + std::to_string(opt.wrk_connections),
                 "-d" + std::to_string(opt.time_limit_s) + "s", "--timeout", std::to_string(opt.wrk_timeout_s) + "s",
                 "-s", (dir.path() / "wrk.lua").string(), "http://127.0.0.1:" + std::to_string(s.port)};
    spec.stdout_file = dir.path() / "wrk.out";
    spec.stderr_file = dir.path() / "wrk.err";
    wrk.pid = spawn_client(spec);
    register_child_group(wrk.pid);
    known_children.insert(wrk.pid);
  }
  sampler samp{serve.pid, soak_t0, known_children};

  std::mt19937 rng{opt.seed};
  std::vector<round_record> rounds;
  std::string failure;  // a fatal problem that ended the rounds early
  double warm_end = 0;
  std::multiset<std::string> warm_fd_targets, end_fd_targets;
  try {
    for (int index = 0;; ++index) {
      if (index >= warmup_rounds + opt.min_rounds && seconds_since(soak_t0) >= opt.duration_s) break;
      if (serve.poll_exit()) throw std::runtime_error("rio serve exited (" + exit_text(serve.status) + ")");
      if (wrk.poll_exit()) throw std::runtime_error("wrk exited early (" + exit_text(wrk.status) + "): " + read_text(dir.path() / "wrk.err"));
      round_record rec = s.run_round(index, rng);
      // A quiet point: no run in flight, the driver's connections closed; only wrk's remain. wrk's
      // requests open files for a moment (manifests, the status directory): the least of a few
      // readings is what stays open.
      sample q = samp.now();
      for (int k = 0; k < 10; ++k) {
        std::this_thread::sleep_for(std::chrono::milliseconds{5});  // sampling interval
        q.fds = std::min(q.fds, fds_of(serve.pid));
      }
      if (index == warmup_rounds - 1) warm_fd_targets = fd_targets(serve.pid);
      samp.add(q);
      rec.quiet_fds = q.fds;
      rec.quiet_rss_kib = q.rss_kib;
      rec.end_t = q.t;
      if (index == warmup_rounds - 1) warm_end = q.t;
      std::printf("  round %2d %-7s %6.1f s  wiped %3d broken %3d upstream %3d repaired %3d | installed %4d noop %4d failed %3d | "
                  "RSS %6.1f MiB fds %4d | run %5ld KiB %6ld events | mismatches %d\n",
                  rec.index, rec.kind.c_str(), rec.wall_s, rec.wiped, rec.broken, rec.upstream, rec.repaired, rec.modules_installed,
                  rec.modules_noop, rec.modules_failed, static_cast<double>(rec.quiet_rss_kib) / 1024, rec.quiet_fds,
                  rec.run_json_kib, rec.run_events, rec.mismatches);
      std::fflush(stdout);
      rounds.push_back(rec);
      if (rec.mismatches > 0 && index == 0) throw std::runtime_error("the warm-up round did not install every host");
    }
  } catch (const std::exception& e) {
    failure = e.what();
  }
  const double soak_end = seconds_since(soak_t0);

  // Stop wrk first (SIGINT: it prints its report), then sampling.
  const bool wrk_alive = !wrk.poll_exit();
  const auto wrk_stop_t0 = clock::now();
  wrk.stop(SIGINT, 30);
  const double wrk_stop_s = seconds_since(wrk_stop_t0);
  const wrk_figures w = parse_wrk(read_text(dir.path() / "wrk.out"));
  samp.stop();
  const auto samples = samp.samples();

  if (!opt.samples_csv.empty()) {
    std::ofstream csv(opt.samples_csv);
    csv << "t_s,rss_kib,fds,cpu_s,round_ended\n";
    std::size_t r = 0;
    for (const auto& x : samples) {
      std::string ended;
      for (; r < rounds.size() && rounds[r].end_t <= x.t; ++r) ended = std::to_string(rounds[r].index);
      csv << fmt(1, x.t) << "," << x.rss_kib << "," << x.fds << "," << fmt(2, x.cpu_s) << "," << ended << "\n";
    }
  }

  // Final checks: every host against the manifest once more, and the status list.
  const auto final_t0 = clock::now();
  int final_mismatches = 0;
  if (failure.empty()) {
    try {
      final_mismatches = s.verify_hosts("final") + s.verify_list(s.last_run_end);
    } catch (const std::exception& e) {
      failure = std::string{"final verification: "} + e.what();
    }
  }
  const double final_s = seconds_since(final_t0);
  const double serve_cpu = cpu_seconds_of(serve.pid);
  const double serve_wait = runqueue_wait_s(serve.pid);  // main thread only
  end_fd_targets = fd_targets(serve.pid);

  // rio serve stops on SIGTERM (no run is in flight) and exits 0.
  const auto stop_t0 = clock::now();
  const bool serve_alive = !serve.poll_exit();
  const bool serve_stopped = serve.stop(SIGTERM, 30);
  const double serve_stop_s = seconds_since(stop_t0);
  const bool serve_clean = serve_alive && serve_stopped && WIFEXITED(serve.status) && WEXITSTATUS(serve.status) == 0;
  const auto sshd_t0 = clock::now();
  for (auto& srv : servers) srv->stop();
  const double sshd_stop_s = seconds_since(sshd_t0);

  // Flatness: after the warm-up, the last third against the first third.
  const double span = soak_end - warm_end;
  const window_max first = max_between(samples, warm_end, warm_end + span / 3);
  const window_max last = max_between(samples, soak_end - span / 3, soak_end);
  const double rss_limit_kib = static_cast<double>(first.rss_kib) * (1 + opt.rss_tolerance_percent / 100) + opt.rss_slack_mib * 1024;
  const bool rss_flat = first.samples > 0 && last.samples > 0 && static_cast<double>(last.rss_kib) <= rss_limit_kib;
  const double fd_limit = first.fds * (1 + opt.fd_tolerance_percent / 100) + opt.fd_tolerance;
  const bool fds_flat = first.samples > 0 && last.samples > 0 && last.fds <= fd_limit;
  // At the quiet points (between rounds) the descriptor count must not move at all.
  int quiet_fd_first = 0, quiet_fd_max = 0;
  for (const auto& r : rounds) {
    if (r.index < warmup_rounds - 1) continue;
    if (r.index == warmup_rounds - 1) quiet_fd_first = r.quiet_fds;
    quiet_fd_max = std::max(quiet_fd_max, r.quiet_fds);
  }
  const bool quiet_fds_flat = quiet_fd_max <= quiet_fd_first;
  long rss_start = samples.empty() ? 0 : samples.front().rss_kib;
  long rss_end = samples.empty() ? 0 : samples.back().rss_kib;
  long rss_peak = 0;
  int fd_peak = 0;
  for (const auto& x : samples) {
    rss_peak = std::max(rss_peak, x.rss_kib);
    fd_peak = std::max(fd_peak, x.fds);
  }

  const long driver_sent = driver_requests.sent, driver_unanswered = driver_requests.unanswered,
             driver_bad = driver_requests.unexpected_status;
  const bool wrk_ok = wrk_alive && w.parsed && w.errors() == 0 && w.requests > 0;
  const bool driver_ok = driver_unanswered == 0 && driver_bad == 0;
  const int churn_rounds = std::max(0, static_cast<int>(rounds.size()) - warmup_rounds);  // after the warm-up
  const bool verified = failure.empty() && s.mismatches.count == 0;
  const bool pass = verified && wrk_ok && driver_ok && rss_flat && fds_flat && quiet_fds_flat && serve_clean &&
                    churn_rounds >= opt.min_rounds;
  const double load_end = loadavg_1m();

  // Report.
  int total_installed = 0, total_noop = 0, total_failed = 0;
  for (const auto& r : rounds) {
    total_installed += r.modules_installed;
    total_noop += r.modules_noop;
    total_failed += r.modules_failed;
  }
  std::printf("\n%-6s %-8s %8s %6s %6s %8s %8s %10s %6s %7s %9s %9s %10s\n", "round", "kind", "wall s", "wiped", "broken",
              "upstream", "repaired", "installed", "noop", "failed", "RSS MiB", "quiet fds", "mismatches");
  for (const auto& r : rounds) {
    std::printf("%-6d %-8s %8.1f %6d %6d %8d %8d %10d %6d %7d %9.1f %9d %10d\n", r.index, r.kind.c_str(), r.wall_s, r.wiped,
                r.broken, r.upstream, r.repaired, r.modules_installed, r.modules_noop, r.modules_failed,
                static_cast<double>(r.quiet_rss_kib) / 1024, r.quiet_fds, r.mismatches);
  }
  const double rps = w.duration_s > 0 ? static_cast<double>(w.requests) / w.duration_s : 0;
  std::printf("\nsoak %.1f s (warm-up, rounds 0-1, ended at %.1f s), %d round(s) after the warm-up, %d hosts x %zu modules\n",
              soak_end, warm_end, churn_rounds, opt.hosts, module_ids.size());
  std::printf("%-44s %s\n", "check", "result");
  std::printf("%-44s %s (%ld requests, %.0f req/s, p99 %.2f ms, max %.1f ms; non-2xx %ld; socket errors: connect %ld, read %ld, "
              "write %ld, timeout %ld)\n",
              "wrk: every request answered", wrk_ok ? "PASS" : "FAIL", w.requests, rps, w.p99_ms, w.max_ms, w.status, w.connect,
              w.read, w.write, w.timeout);
  std::printf("%-44s %s (%ld requests, %ld unanswered, %ld unexpected status)\n", "driver: every request answered",
              driver_ok ? "PASS" : "FAIL", driver_sent, driver_unanswered, driver_bad);
  std::printf("%-44s %s (max %.1f MiB in the first third, %.1f MiB in the last; limit %.1f MiB = +%.0f %% + %.0f MiB)\n",
              "RSS flat", rss_flat ? "PASS" : "FAIL", static_cast<double>(first.rss_kib) / 1024,
              static_cast<double>(last.rss_kib) / 1024, rss_limit_kib / 1024, opt.rss_tolerance_percent, opt.rss_slack_mib);
  std::printf("%-44s %s (max %d in the first third, %d in the last; limit %.0f = +%.0f %% + %d)\n", "descriptors flat",
              fds_flat ? "PASS" : "FAIL", first.fds, last.fds, fd_limit, opt.fd_tolerance_percent, opt.fd_tolerance);
  std::printf("%-44s %s (%d after the warm-up, at most %d after a later round)\n", "descriptors at quiet points",
              quiet_fds_flat ? "PASS" : "FAIL", quiet_fd_first, quiet_fd_max);
  std::printf("%-44s %s (%d mismatches over %zu rounds and the final check; final %d)\n", "hosts match their manifests",
              verified ? "PASS" : "FAIL", s.mismatches.count, rounds.size(), final_mismatches);
  std::printf("%-44s %s (%s after %.1f s)\n", "rio serve stops cleanly on SIGTERM", serve_clean ? "PASS" : "FAIL",
              serve_alive ? exit_text(serve.status).c_str() : "had already exited", serve_stop_s);
  if (!failure.empty()) std::printf("ERROR: %s\n", failure.c_str());
  for (const auto& m : s.mismatches.first) std::printf("  mismatch: %s\n", m.c_str());
  if (!quiet_fds_flat || !fds_flat) {
    // What is open now (wrk stopped) that was not after the warm-up, and the other way round.
    std::vector<std::string> added, gone;
    std::set_difference(end_fd_targets.begin(), end_fd_targets.end(), warm_fd_targets.begin(), warm_fd_targets.end(),
                        std::back_inserter(added));
    std::set_difference(warm_fd_targets.begin(), warm_fd_targets.end(), end_fd_targets.begin(), end_fd_targets.end(),
                        std::back_inserter(gone));
    for (const auto& t : added) std::printf("  descriptor open at the end, not after the warm-up: %s\n", t.c_str());
    for (const auto& t : gone) std::printf("  descriptor open after the warm-up, not at the end: %s\n", t.c_str());
  }
  std::printf("rio serve: RSS %.1f MiB at start, %.1f MiB peak, %.1f MiB at the end; descriptors peak %d; CPU %.1f s; "
              "%.1f s waiting for a CPU (run queue). Load average %.2f at start, %.2f at end.\n",
              static_cast<double>(rss_start) / 1024, static_cast<double>(rss_peak) / 1024, static_cast<double>(rss_end) / 1024,
              fd_peak, serve_cpu, serve_wait, load_start, load_end);
  std::printf("timing: set-up %.1f s, soak %.1f s, wrk stop %.1f s, final verification %.1f s, rio serve stop %.1f s, sshd stop "
              "%.1f s\n",
              setup_s, soak_end, wrk_stop_s, final_s, serve_stop_s, sshd_stop_s);
  std::printf("%s: %s\n", bench_name, pass ? "PASS" : "FAIL");

  std::string json_rounds;
  for (const auto& r : rounds) {
    json_rounds += std::string{json_rounds.empty() ? "" : ","} + "{\"round\":" + std::to_string(r.index) + ",\"wall_s\":" +
                   fmt(2, r.wall_s) + ",\"wiped\":" + std::to_string(r.wiped) + ",\"broken\":" + std::to_string(r.broken) +
                   ",\"upstream\":" + std::to_string(r.upstream) + ",\"repaired\":" + std::to_string(r.repaired) +
                   ",\"installed\":" + std::to_string(r.modules_installed) + ",\"noop\":" + std::to_string(r.modules_noop) +
                   ",\"failed\":" + std::to_string(r.modules_failed) + ",\"rss_kib\":" + std::to_string(r.quiet_rss_kib) +
                   ",\"fds\":" + std::to_string(r.quiet_fds) + ",\"mismatches\":" + std::to_string(r.mismatches) + "}";
  }
  std::printf("{\"bench\":\"%s\",\"date\":\"%s\",\"cores\":%ld,\"loadavg_start\":%.2f,\"loadavg_end\":%.2f,\"hosts\":%d,"
              "\"modules\":%zu,\"sshd_instances\":%d,\"setup_s\":%.1f,\"duration_s\":%d,\"soak_s\":%.1f,\"warmup_end_s\":%.1f,"
              "\"churn_rounds\":%d,\"module_installs\":%d,\"module_noops\":%d,\"module_failures\":%d,"
              "\"wrk\":{\"connections\":%d,\"delay_ms\":%d,\"requests\":%ld,\"duration_s\":%.1f,\"rps\":%.0f,\"non_2xx\":%ld,"
              "\"connect_errors\":%ld,\"read_errors\":%ld,\"write_errors\":%ld,\"timeouts\":%ld,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
              "\"max_ms\":%.1f},"
              "\"driver\":{\"requests\":%ld,\"unanswered\":%ld,\"unexpected_status\":%ld},"
              "\"rss_kib\":{\"start\":%ld,\"first_third_max\":%ld,\"last_third_max\":%ld,\"peak\":%ld,\"end\":%ld,\"limit\":%.0f},"
              "\"fds\":{\"first_third_max\":%d,\"last_third_max\":%d,\"peak\":%d,\"quiet_after_warmup\":%d,\"quiet_max\":%d,"
              "\"limit\":%.0f},\"serve_cpu_s\":%.1f,\"serve_runqueue_wait_s\":%.1f,\"serve_stop_s\":%.2f,\"mismatches\":%d,\"rounds\":[%s],"
              "\"checks\":{\"wrk\":%s,\"driver\":%s,\"rss_flat\":%s,\"fds_flat\":%s,\"quiet_fds\":%s,\"verified\":%s,"
              "\"serve_clean\":%s},\"error\":\"%s\",\"pass\":%s}\n",
              bench_name, now_utc().c_str(), cores, load_start, load_end, opt.hosts, module_ids.size(), instances, setup_s,
              opt.duration_s, soak_end, warm_end, churn_rounds, total_installed, total_noop, total_failed, opt.wrk_connections,
              opt.wrk_delay_ms, w.requests, w.duration_s, rps, w.status, w.connect, w.read, w.write, w.timeout, w.p50_ms, w.p99_ms,
              w.max_ms, driver_sent, driver_unanswered, driver_bad, rss_start, first.rss_kib, last.rss_kib, rss_peak, rss_end,
              rss_limit_kib, first.fds, last.fds, fd_peak, quiet_fd_first, quiet_fd_max, fd_limit, serve_cpu, serve_wait, serve_stop_s,
              s.mismatches.count, json_rounds.c_str(), wrk_ok ? "true" : "false", driver_ok ? "true" : "false",
              rss_flat ? "true" : "false", fds_flat ? "true" : "false", quiet_fds_flat ? "true" : "false",
              verified ? "true" : "false", serve_clean ? "true" : "false", json_escape(failure).c_str(), pass ? "true" : "false");
  std::fflush(stdout);  // before the scratch directories go, which may take a while
  return pass ? 0 : 1;
}

}  // namespace
}  // namespace rio::bench

int main(int argc, char** argv) {
  const auto opt = rio::bench::parse(argc, argv);
  rio::bench::install_signal_handlers(rio::bench::bench_name, opt.time_limit_s);
  rio::bench::become_subreaper();
  int code = 2;
  try {
    code = rio::bench::run(opt);  // children are stopped by their destructors on every path
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", rio::bench::bench_name, e.what());
  }
  return code;
}
