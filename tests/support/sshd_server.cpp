#include "sshd_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>
#include <stdexcept>

extern char** environ;

namespace rio::test {
namespace {

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
  return out + "'";
}

// A port that was free a moment ago. sshd reports a bind failure, and start() then retries.
std::uint16_t pick_port(const std::string& address) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  ::inet_pton(AF_INET, address.c_str(), &sa.sin_addr);
  sa.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind a port on " + address);
  }
  socklen_t len = sizeof sa;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  ::close(fd);
  return ntohs(sa.sin_port);
}

std::string first_line_of(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

// "ssh-ed25519 AAAA... comment" -> "ssh-ed25519 AAAA..."
std::string type_and_key(const std::string& pub_line) {
  auto first = pub_line.find(' ');
  auto second = pub_line.find(' ', first + 1);
  return pub_line.substr(0, second);
}

// Every process below `root` (sshd's per-connection processes call setsid(), so signalling the
// listener's process group does not reach them): scanned from /proc's parent links.
std::vector<pid_t> descendants_of(pid_t root) {
  std::vector<std::pair<pid_t, pid_t>> links;  // (pid, ppid)
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    auto close_paren = line.rfind(')');
    if (close_paren == std::string::npos) continue;
    std::istringstream rest(line.substr(close_paren + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    links.emplace_back(static_cast<pid_t>(std::stol(name)), ppid);
  }
  std::vector<pid_t> out{root};
  for (std::size_t i = 0; i < out.size(); ++i) {
    for (const auto& [pid, ppid] : links) {
      if (ppid == out[i]) out.push_back(pid);
    }
  }
  out.erase(out.begin());
  return out;
}

}  // namespace

std::string run_local(const std::string& command_line) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command_line.c_str(), "r"), ::pclose);
  if (!pipe) throw std::runtime_error("popen failed: " + command_line);
  std::string out;
  std::array<char, 4096> buf{};
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe.get())) out.append(buf.data(), n);
  int status = ::pclose(pipe.release());
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("command failed: " + command_line);
  return out;
}

bool sshd_server::available() {
  return ::access("/usr/sbin/sshd", X_OK) == 0 && ::access("/usr/bin/ssh-keygen", X_OK) == 0;
}

sshd_server::sshd_server(sshd_options options) : options_(std::move(options)) {
  const passwd* pw = ::getpwuid(::geteuid());
  if (pw == nullptr) throw std::runtime_error("no passwd entry for the current user");
  user_ = pw->pw_name;
  // sshd needs its privilege-separation directory; there is no systemd here to create it.
  ::mkdir("/run/sshd", 0755);
  generate_keys();
  start();
}

sshd_server::~sshd_server() { stop(); }

void sshd_server::generate_keys() {
  const auto d = dir_.path();
  run_local("ssh-keygen -q -t ed25519 -N '' -C rio-test-host -f " + quote((d / "host_ed25519").string()));
  run_local("ssh-keygen -q -t ed25519 -N '' -C rio-test-other-host -f " + quote((d / "other_host_ed25519").string()));
  run_local("ssh-keygen -q -t ed25519 -N '' -C rio-test-user -f " + quote(user_key().string()));
  run_local("ssh-keygen -q -t ed25519 -N '' -C rio-test-stranger -f " + quote(stranger_key().string()));
  run_local("ssh-keygen -q -t ed25519 -N " + quote(key_passphrase()) + " -C rio-test-enc -f " +
            quote(encrypted_user_key().string()));
  std::ofstream keys(d / "authorized_keys");
  keys << first_line_of(user_key().string() + ".pub") << "\n"
       << first_line_of(encrypted_user_key().string() + ".pub") << "\n";
}

std::filesystem::path sshd_server::authorize_new_key(const std::string& type, const std::string& passphrase) {
  const auto key = dir_.path() / ("extra_" + type);
  std::string bits = type == "rsa" ? " -b 2048" : "";
  run_local("ssh-keygen -q -t " + type + bits + " -N " + quote(passphrase) + " -C rio-test-" + type + " -f " +
            quote(key.string()));
  std::ofstream keys(dir_.path() / "authorized_keys", std::ios::app);
  keys << first_line_of(key.string() + ".pub") << "\n";
  return key;
}

void sshd_server::write_config() {
  const auto d = dir_.path();
  std::ofstream cfg(d / "sshd_config");
  cfg << "Port " << port_ << "\n"
      << "ListenAddress " << options_.listen_address << "\n"
      << "HostKey " << (d / "host_ed25519").string() << "\n"
      << "PidFile " << (d / "sshd.pid").string() << "\n"
      << "AuthorizedKeysFile " << (d / "authorized_keys").string() << "\n"
      << "PermitRootLogin prohibit-password\n"
      << "PubkeyAuthentication yes\n"
      << "PasswordAuthentication no\n"
      << "KbdInteractiveAuthentication no\n"
      << "UsePAM no\n"
      << "StrictModes no\n"
      << "PrintMotd no\n"
      << "MaxStartups " << options_.max_startups << "\n"
      << "MaxSessions " << options_.max_sessions << "\n"
      << "LogLevel INFO\n"
      // Debian's bash sources ~/.bashrc for ssh logins unless SHLVL is already set; a heavy rc file
      // (pyenv init here) would otherwise dominate every test's time.
      << "SetEnv SHLVL=1\n";
}

void sshd_server::start() {
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = pick_port(options_.listen_address);
    write_config();
    int err_pipe[2];
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
    posix_spawn_file_actions_addclose(&actions, err_pipe[0]);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    // Its own process group, so stop() can end sshd together with its per-connection children.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    const std::string cfg = (dir_.path() / "sshd_config").string();
    std::array<const char*, 6> argv{"/usr/sbin/sshd", "-D", "-e", "-f", cfg.c_str(), nullptr};
    int rc = ::posix_spawn(&pid_, argv[0], &actions, &attr, const_cast<char* const*>(argv.data()), environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    ::close(err_pipe[1]);
    if (rc != 0) {
      ::close(err_pipe[0]);
      throw std::runtime_error("cannot start sshd");
    }

    // Read sshd's log until it says it listens (ready) or exits (bind race: try another port).
    std::string log;
    bool ready = false;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds{20};
    while (!ready && std::chrono::steady_clock::now() < give_up) {
      pollfd p{err_pipe[0], POLLIN, 0};
      if (::poll(&p, 1, 1000) <= 0) continue;
      std::array<char, 1024> buf{};
      ssize_t n = ::read(err_pipe[0], buf.data(), buf.size());
      if (n <= 0) break;  // sshd exited
      log.append(buf.data(), static_cast<std::size_t>(n));
      ready = log.find("Server listening on") != std::string::npos;
    }
    // Keep draining sshd's log so it never blocks on a full pipe; the thread ends at EOF, when
    // sshd and all its session processes are gone.
    if (ready) {
      const int fd = err_pipe[0];
      drain_ = std::thread([fd, this] {
        std::array<char, 4096> buf{};
        while (!stopping_) {
          pollfd p{fd, POLLIN, 0};
          if (::poll(&p, 1, 200) > 0 && ::read(fd, buf.data(), buf.size()) <= 0) break;
        }
        ::close(fd);
      });
      return;
    }
    ::close(err_pipe[0]);
    stop(true);
    if (log.find("Address already in use") == std::string::npos) {
      throw std::runtime_error("sshd did not start: " + log);
    }
  }
  throw std::runtime_error("sshd could not find a free port");
}

void sshd_server::stop(bool hard) {
  if (pid_ > 0) {
    // The listener and every session process it forked (and what they run).
    const int sig = hard ? SIGKILL : SIGTERM;
    for (pid_t child : descendants_of(pid_)) ::kill(child, sig);
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  stopping_ = true;
  if (drain_.joinable()) drain_.join();
}

std::string sshd_server::known_hosts_line() const {
  return "[" + options_.listen_address + "]:" + std::to_string(port_) + " " +
         type_and_key(first_line_of(dir_.path() / "host_ed25519.pub"));
}

std::string sshd_server::wrong_known_hosts_line() const {
  return "[" + options_.listen_address + "]:" + std::to_string(port_) + " " +
         type_and_key(first_line_of(dir_.path() / "other_host_ed25519.pub"));
}

std::string sshd_server::host_key_fingerprint() const {
  // "256 SHA256:abc... comment (ED25519)"
  std::string out = run_local("ssh-keygen -l -E sha256 -f " + quote((dir_.path() / "host_ed25519.pub").string()));
  auto start = out.find("SHA256:");
  return out.substr(start, out.find(' ', start) - start);
}

}  // namespace rio::test
