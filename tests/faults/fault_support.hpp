#pragma once
// The fault suite's shared pieces: a plugin directory with the test-only `faulty` module beside
// the four real ones, bounded waits on observable state (files, log lines, process state; never
// a sleep standing in for an event), and the checks every case ends with: each status manifest
// reads back with rio's own parser, each log line is whole, no temp file is left under the root,
// and a host is really installed (manifest and sentinels).

#include "../engine/engine_test_support.hpp"

#include <rio/kernel/engine/host_key.hpp>
#include <rio/kernel/engine/status_manifest.hpp>

#include <sys/mount.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <regex>
#include <sstream>
#include <thread>

namespace rio::test {

/** <scratch>/plugins: links to the built modules and to the fault suite's `faulty` module. */
inline fs::path fault_plugin_dir(const fs::path& scratch) {
  const fs::path dir = scratch / "plugins";
  fs::create_directories(dir);
  for (const auto& e : fs::directory_iterator{RIO_TEST_PLUGIN_DIR}) {
    if (e.path().extension() == ".so") fs::create_symlink(e.path(), dir / e.path().filename());
  }
  fs::create_symlink(RIO_TEST_FAULT_PLUGIN, dir / fs::path{RIO_TEST_FAULT_PLUGIN}.filename());
  return dir;
}

/** `args` with its --plugin-dir value replaced. */
inline std::vector<std::string> using_plugins(std::vector<std::string> args, const fs::path& dir) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--plugin-dir") args[i + 1] = dir.string();
  }
  return args;
}

/** Polls `done` every 5 ms until it holds or `limit` passes; returns whether it held. */
template <class Condition>
bool wait_until(Condition done, std::chrono::milliseconds limit = std::chrono::seconds{20}) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
  return true;
}

/** Whether the child has exited (it stays unreaped, so rio_process::wait still works). */
inline bool has_exited(const rio_process& p) {
  siginfo_t info{};
  return p.pid > 0 && ::waitid(P_PID, static_cast<id_t>(p.pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == p.pid;
}

inline std::string token_of(const kernel::sandbox::throwaway_host& h) {
  return kernel::engine::host_token(h.target().host, h.target().port);
}
inline fs::path manifest_of(const engine_world& w, const kernel::sandbox::throwaway_host& h) {
  return w.status_dir() / (token_of(h) + ".json");
}
inline fs::path log_of(const engine_world& w, const kernel::sandbox::throwaway_host& h) {
  return w.log_dir() / (token_of(h) + ".log");
}

/** Lines in every host log under the root (the engine's progress, one line per event). */
inline std::size_t log_lines(const engine_world& w) {
  std::size_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator{w.log_dir(), ec}) {
    const std::string text = read_file(e.path());
    n += static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  }
  return n;
}

/** Whether `name` is a manifest temp file (`<token>.json.tmp.<pid>.<n>`) of one of `pids`. */
inline bool temp_of(const std::string& name, const std::vector<pid_t>& pids) {
  for (pid_t pid : pids) {
    const std::string mark = ".json.tmp." + std::to_string(pid) + ".";
    const auto at = name.find(mark);
    if (at != std::string::npos && name.find_first_not_of("0123456789", at + mark.size()) == std::string::npos) return true;
  }
  return false;
}

/**
 * What must hold after any fault: every status manifest reads back with rio's own parser, every
 * host log consists of whole `[time] run=<id> ...` lines, the audit log of whole JSON lines, and
 * nothing under the root is a temp file (`*.tmp*`, `*.rio-part*`) or a quarantined manifest;
 * except, right after SIGKILL, the manifest temp files of the `killed` processes (the next run
 * that takes the host's lock removes them).
 */
inline void expect_records_readable(const engine_world& w, const std::vector<pid_t>& killed = {}) {
  static const std::regex log_line{R"(\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00\] run=[0-9A-Za-z-]+ .*)"};
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator{w.root(), ec}; !ec && it != fs::recursive_directory_iterator{}; ++it) {
    const fs::path& p = it->path();
    const std::string name = p.filename().string();
    if (temp_of(name, killed)) continue;
    EXPECT_EQ(name.find(".tmp"), std::string::npos) << "temp file left: " << p;
    EXPECT_EQ(name.find(".rio-part"), std::string::npos) << "temp file left: " << p;
    EXPECT_EQ(name.find(".corrupt-"), std::string::npos) << "a manifest was unreadable: " << p;
    if (!it->is_regular_file()) continue;
    const std::string text = read_file(p);
    if (p.parent_path() == w.status_dir() && p.extension() == ".json") {
      auto parsed = kernel::engine::parse_manifest(text, p.string());
      EXPECT_TRUE(parsed) << p << ": " << (parsed ? "" : parsed.error().message);
    } else if (p.parent_path() == w.log_dir() && p.extension() == ".log") {
      EXPECT_TRUE(text.empty() || text.back() == '\n') << p << " ends inside a line";
      std::istringstream in{text};
      for (std::string line; std::getline(in, line);) {
        EXPECT_TRUE(std::regex_match(line, log_line)) << p << ": not a whole log line: " << line;
      }
    } else if (name == "security.log") {
      std::istringstream in{text};
      for (std::string line; std::getline(in, line);) EXPECT_FALSE(parse_object(line).empty()) << p << ": " << line;
    }
  }
}

/** Temp names rio's remote steps use (`*.rio-clone.<pid>`, `*.rio-part.<pid>`) left in a host's home. */
inline std::vector<std::string> remote_leftovers(const kernel::sandbox::throwaway_host& h) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator{h.home(), ec}; !ec && it != fs::recursive_directory_iterator{}; ++it) {
    const std::string name = it->path().filename().string();
    if (name.find(".rio-clone.") != std::string::npos || name.find(".rio-part.") != std::string::npos) {
      out.push_back(it->path().string());
      it.disable_recursion_pending();
    }
  }
  return out;
}

/** The host's manifest says each module is installed and the host has each sentinel. */
inline void expect_installed(const engine_world& w, const kernel::sandbox::throwaway_host& h,
                             const std::vector<std::string>& modules) {
  auto manifest = parse_object(read_file(manifest_of(w, h)));
  ASSERT_TRUE(manifest.contains("modules")) << manifest_of(w, h);
  for (const auto& m : modules) {
    const auto* rec = manifest["modules"].as_object().if_contains(m);
    ASSERT_NE(rec, nullptr) << m;
    EXPECT_EQ(rec->as_object().at("state"), "installed") << m;
    EXPECT_FALSE(rec->as_object().contains("error")) << m;
    const fs::path sentinel = h.home() / ".config/comfyvn/remote" / (m + ".installed");
    EXPECT_TRUE(fs::exists(sentinel)) << sentinel;
    EXPECT_FALSE(read_file(sentinel).empty()) << sentinel << " holds the time it was written";
  }
  EXPECT_EQ(manifest["last_run"].as_object()["state"], "finished");
}

/** A small tmpfs mounted over a directory for one test (root only); lazily unmounted after. */
class tmpfs_mount {
 public:
  tmpfs_mount(fs::path dir, const std::string& size) : dir_(std::move(dir)) {
    if (::geteuid() != 0) {
      why_ = "mounting a tmpfs needs root";
      return;
    }
    const std::string data = "size=" + size + ",mode=0755";
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, data.c_str()) != 0) {
      why_ = std::string{"mount -t tmpfs failed: "} + std::strerror(errno);
      return;
    }
    mounted_ = true;
  }
  ~tmpfs_mount() {
    // MNT_DETACH: sessions whose working directory is inside may still be winding down.
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  tmpfs_mount(const tmpfs_mount&) = delete;
  tmpfs_mount& operator=(const tmpfs_mount&) = delete;
  bool ok() const { return mounted_; }
  const std::string& why() const { return why_; }

 private:
  fs::path dir_;
  bool mounted_ = false;
  std::string why_;
};

}  // namespace rio::test
