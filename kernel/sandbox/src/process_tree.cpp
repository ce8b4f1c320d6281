// Finding and ending everything a throwaway host started. sshd's per-connection processes call
// setsid(), and a session's detached background jobs are reparented away from sshd when their
// shell exits, so neither a process group nor the parent links alone reach them all: the host
// marks its sshd and every session environment with a token, and both are searched.

#include <rio/kernel/sandbox/local_process.hpp>

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

namespace rio::kernel::sandbox::detail {
namespace fs = std::filesystem;

namespace {

struct proc_entry {
  pid_t pid = 0;
  pid_t ppid = 0;
  bool dead = false;  // zombie or dying: nothing left to signal
};

bool read_stat(pid_t pid, proc_entry& out) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  // "pid (comm) state ppid ...": comm may contain spaces and parentheses, so split at the last ')'.
  const auto close_paren = line.rfind(')');
  if (close_paren == std::string::npos || close_paren + 2 >= line.size()) return false;
  std::istringstream rest(line.substr(close_paren + 2));
  char state = 0;
  rest >> state >> out.ppid;
  out.pid = pid;
  out.dead = state == 'Z' || state == 'X' || state == 'x';
  return static_cast<bool>(rest);
}

std::vector<proc_entry> all_processes() {
  std::vector<proc_entry> out;
  std::error_code ec;
  for (fs::directory_iterator it("/proc", ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    proc_entry e;
    if (read_stat(static_cast<pid_t>(std::stol(name)), e)) out.push_back(e);
  }
  return out;
}

// /proc/<pid>/environ is readable for our own user's processes (and by root for all).
bool has_marker(pid_t pid, std::string_view marker) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  if (!in) return false;
  std::string env{'\0'};
  env.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  env.push_back('\0');
  std::string needle{'\0'};
  needle.append(marker);
  needle.push_back('\0');
  return env.find(needle) != std::string::npos;
}

bool gone(pid_t pid) {
  proc_entry e;
  return !read_stat(pid, e) || e.dead;
}

// Waits until every pid has exited (or became a zombie) or `timeout` passed.
void wait_gone(const std::vector<pid_t>& pids, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<pollfd> fds;
  std::vector<pid_t> unwatched;
  for (pid_t pid : pids) {
    const int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (fd >= 0) {
      fds.push_back({fd, POLLIN, 0});
    } else if (errno != ESRCH) {
      unwatched.push_back(pid);  // no pidfds here (Linux < 5.3, seccomp): checked below
    }
  }
  while (!fds.empty()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    const int n = ::poll(fds.data(), fds.size(), static_cast<int>(left.count()));
    if (n < 0 && errno != EINTR) break;
    for (auto it = fds.begin(); it != fds.end();) {
      if (it->revents != 0) {
        ::close(it->fd);
        it = fds.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const auto& p : fds) ::close(p.fd);
  // Fallback without pidfds: look again with a growing pause, bounded by the same deadline.
  auto pause = std::chrono::milliseconds{2};
  while (!unwatched.empty() && std::chrono::steady_clock::now() < deadline) {
    std::erase_if(unwatched, gone);
    if (unwatched.empty()) break;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds{100});
  }
}

}  // namespace

std::vector<pid_t> sandbox_processes(pid_t root, std::string_view marker) {
  const auto procs = all_processes();
  const pid_t self = ::getpid();
  std::vector<pid_t> tree;
  if (root > 0) tree.push_back(root);
  for (std::size_t i = 0; i < tree.size(); ++i) {
    for (const auto& p : procs) {
      if (p.ppid == tree[i] && std::find(tree.begin(), tree.end(), p.pid) == tree.end()) tree.push_back(p.pid);
    }
  }
  std::vector<pid_t> out;
  for (const auto& p : procs) {
    if (p.dead || p.pid == self) continue;
    const bool below_root = p.pid != root && std::find(tree.begin(), tree.end(), p.pid) != tree.end();
    if (below_root || (!marker.empty() && has_marker(p.pid, marker))) out.push_back(p.pid);
  }
  return out;
}

void end_processes(pid_t root, std::string_view marker, bool hard, std::chrono::milliseconds grace) {
  int sig = hard ? SIGKILL : SIGTERM;
  // Each round signals what is alive now; a process forked meanwhile is caught by the next one.
  for (int round = 0; round < 20; ++round) {
    auto targets = sandbox_processes(root, marker);
    if (root > 0 && !gone(root) && std::find(targets.begin(), targets.end(), root) == targets.end()) {
      targets.push_back(root);
    }
    if (targets.empty()) return;
    for (pid_t pid : targets) ::kill(pid, sig);
    wait_gone(targets, sig == SIGKILL ? std::chrono::milliseconds{2000} : grace);
    sig = SIGKILL;
  }
}

}  // namespace rio::kernel::sandbox::detail
