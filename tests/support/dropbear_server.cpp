#include "dropbear_server.hpp"

#include "sshd_server.hpp"  // run_local

#include <fcntl.h>
#include <glob.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace rio::test {
namespace fs = std::filesystem;

namespace {

constexpr const char* dropbear_program = "/usr/sbin/dropbear";
constexpr const char* dropbearkey_program = "/usr/bin/dropbearkey";

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
  return out + "'";
}

std::string nss_wrapper() {
  glob_t g{};
  std::string found;
  if (::glob("/usr/lib/*/libnss_wrapper.so", 0, nullptr, &g) == 0 && g.gl_pathc > 0) found = g.gl_pathv[0];
  ::globfree(&g);
  return found;
}

// "ssh-ed25519 AAAA... comment" -> "ssh-ed25519 AAAA..."
std::string type_and_key(const std::string& pub_line) {
  const auto first = pub_line.find(' ');
  return pub_line.substr(0, pub_line.find(' ', first + 1));
}

// The public key line dropbearkey prints for a dropbear key file.
std::string dropbear_public_line(const fs::path& key) {
  std::istringstream lines{run_local(std::string{dropbearkey_program} + " -y -f " + quote(key.string()) + " 2>/dev/null")};
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("ssh-") || line.starts_with("ecdsa-")) return type_and_key(line);
  }
  throw std::runtime_error("dropbearkey -y printed no public key for " + key.string());
}

void generate_dropbear_key(const std::string& type, const fs::path& file) {
  const std::string size = type == "rsa" ? " -s 2048" : type == "ecdsa" ? " -s 256" : "";
  run_local(std::string{dropbearkey_program} + " -t " + type + size + " -f " + quote(file.string()) + " >/dev/null 2>&1");
}

// A port that was free a moment ago (dropbear binds it itself; a race is retried).
std::uint16_t free_port(const std::string& address) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  ::inet_pton(AF_INET, address.c_str(), &a.sin_addr);
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot find a free port on " + address);
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

}  // namespace

std::string dropbear_server::missing() {
  for (const char* p : {dropbear_program, dropbearkey_program, "/usr/bin/ssh-keygen"}) {
    if (::access(p, X_OK) != 0) return std::string{p} + " (apt install dropbear-bin openssh-client)";
  }
  if (nss_wrapper().empty()) return "libnss_wrapper.so (apt install libnss-wrapper)";
  return "";
}

dropbear_server::dropbear_server(dropbear_options options) : options_(std::move(options)) {
  if (auto m = missing(); !m.empty()) throw std::runtime_error("dropbear_server needs " + m);
  const passwd* pw = ::getpwuid(::geteuid());
  if (pw == nullptr) throw std::runtime_error("no passwd entry for the current user");
  user_ = pw->pw_name;
  write_files();
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (start_once()) return;
  }
  throw std::runtime_error("dropbear did not start: " + log());
}

dropbear_server::~dropbear_server() { stop(); }

// The host key, the user key authorised with a forced session script, and the passwd entry
// nss_wrapper gives dropbear (the current account, with the temporary home and /bin/sh).
void dropbear_server::write_files() {
  const fs::path d = dir_.path();
  for (const char* sub : {"etc", "client", "home/.ssh", "tmp"}) fs::create_directories(d / sub);
  // Dropbear refuses ~/.ssh or authorized_keys that others could write to.
  fs::permissions(home(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
  fs::permissions(home() / ".ssh", fs::perms::owner_all);
  generate_dropbear_key(options_.host_key_type, d / "etc" / "host_key");
  run_local("ssh-keygen -q -t ed25519 -N '' -C rio-dropbear-user -f " + quote(user_key().string()));

  std::string path = options_.stub_dir.empty() ? std::string{} : options_.stub_dir.string() + ":";
  path += (home() / ".local/bin").string() + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
  const fs::path session = dir_.write("etc/session.sh",
                                      "#!/bin/sh\n"
                                      "PATH=" + quote(path) + "; TMPDIR=" + quote((d / "tmp").string()) +
                                          "; export PATH TMPDIR\n"
                                          "cd \"$HOME\" || exit 1\n"
                                          "if [ -n \"${SSH_ORIGINAL_COMMAND+x}\" ]; then exec /bin/sh -c \"$SSH_ORIGINAL_COMMAND\"; fi\n"
                                          "exec /bin/sh\n");
  fs::permissions(session, fs::perms::owner_all);
  std::ifstream pub(user_key().string() + ".pub");
  std::string key_line;
  std::getline(pub, key_line);
  const fs::path keys = dir_.write("home/.ssh/authorized_keys", "command=\"" + session.string() +
                                                                    "\",no-port-forwarding,no-agent-forwarding,"
                                                                    "no-X11-forwarding " + key_line + "\n");
  fs::permissions(keys, fs::perms::owner_read | fs::perms::owner_write);

  std::ifstream passwd_in("/etc/passwd");
  std::string passwd;
  for (std::string line; std::getline(passwd_in, line);) {
    if (line.starts_with(user_ + ":")) {
      // name:password:uid:gid:gecos:home:shell
      std::vector<std::string> f;
      std::istringstream fields{line};
      for (std::string x; std::getline(fields, x, ':');) f.push_back(x);
      f.resize(7);
      line = f[0] + ":" + f[1] + ":" + f[2] + ":" + f[3] + ":" + f[4] + ":" + home().string() + ":/bin/sh";
    }
    passwd += line + "\n";
  }
  dir_.write("etc/passwd", passwd);
  dir_.write("etc/group", read_file("/etc/group"));
}

// One attempt on a fresh port: true once dropbear said "Not backgrounding" (after binding), false
// when it exited first (the port was taken meanwhile).
bool dropbear_server::start_once() {
  port_ = free_port(options_.listen_address);
  const fs::path d = dir_.path();
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, pipe_fds[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group: a test that signals its own group does not reach dropbear.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<std::string> args{dropbear_program, "-F", "-E", "-s", "-j", "-k",
                                "-p", options_.listen_address + ":" + std::to_string(port_),
                                "-r", (d / "etc" / "host_key").string(), "-P", (d / "etc" / "dropbear.pid").string()};
  std::vector<std::string> env{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LD_PRELOAD=" + nss_wrapper(),
                               "NSS_WRAPPER_PASSWD=" + (d / "etc" / "passwd").string(),
                               "NSS_WRAPPER_GROUP=" + (d / "etc" / "group").string()};
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  const int rc = ::posix_spawn(&pid_, dropbear_program, &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  ::close(pipe_fds[1]);
  if (rc != 0) {
    ::close(pipe_fds[0]);
    pid_ = -1;
    throw std::runtime_error("cannot start dropbear");
  }
  {
    std::lock_guard lock{mutex_};
    log_.clear();
    log_closed_ = false;
  }
  if (reader_.joinable()) reader_.join();
  reader_ = std::thread{[this, fd = pipe_fds[0]] { read_log(fd); }};
  std::unique_lock lock{mutex_};
  // A guard against a hung dropbear, not a synchronisation: the log line or EOF decides.
  const bool decided = changed_.wait_for(lock, std::chrono::seconds{20}, [&] {
    return log_closed_ || log_.find("Not backgrounding") != std::string::npos;
  });
  if (decided && !log_closed_) return true;
  lock.unlock();
  stop();
  return false;
}

// Drains dropbear's stderr for as long as it runs, so it can never block on a full pipe.
void dropbear_server::read_log(int fd) {
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    std::lock_guard lock{mutex_};
    log_.append(buf, static_cast<std::size_t>(n));
    changed_.notify_all();
  }
  ::close(fd);
  std::lock_guard lock{mutex_};
  log_closed_ = true;
  changed_.notify_all();
}

void dropbear_server::stop() {
  if (pid_ > 0) {
    // The group: dropbear and its per-connection processes, which hold the log pipe too. (The
    // commands they run are in sessions of their own and end with their channels.)
    ::kill(-pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  if (reader_.joinable()) reader_.join();
}

std::string dropbear_server::spec() const { return user_ + "@" + options_.listen_address + ":" + std::to_string(port_); }

std::string dropbear_server::known_hosts_line() const {
  return "[" + options_.listen_address + "]:" + std::to_string(port_) + " " +
         dropbear_public_line(dir_.path() / "etc" / "host_key");
}

std::string dropbear_server::other_known_hosts_line(const std::string& type) const {
  const fs::path key = dir_.path() / "etc" / ("other_" + type);
  if (!fs::exists(key)) generate_dropbear_key(type, key);
  return "[" + options_.listen_address + "]:" + std::to_string(port_) + " " + dropbear_public_line(key);
}

std::string dropbear_server::log() const {
  std::lock_guard lock{mutex_};
  return log_;
}

}  // namespace rio::test
