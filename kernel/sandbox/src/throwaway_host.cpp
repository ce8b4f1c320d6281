#include <rio/kernel/sandbox/throwaway_host.hpp>

#include <rio/kernel/sandbox/local_process.hpp>
#include <rio/kernel/sandbox/login_shell.hpp>
#include <rio/kernel/sandbox/sshd_process.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <shadow.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <vector>

namespace rio::kernel::sandbox {
namespace fs = std::filesystem;

namespace {

constexpr const char* sshd_program = "/usr/sbin/sshd";
constexpr const char* sftp_server = "/usr/lib/openssh/sftp-server";
constexpr std::string_view token_name = "RIO_SANDBOX_TOKEN";
constexpr auto ready_timeout = std::chrono::seconds{20};

// Every login runs this (ForceCommand): sshd set the environment (SetEnv) but starts sessions in
// the account's real home directory, so change to the sandbox's, then run what the client asked
// for with the login shell, exactly as sshd would have.
constexpr std::string_view session_script = R"sh(#!/bin/sh
# Every login to this throwaway host starts here (sshd ForceCommand). sshd already set HOME, PATH,
# TMPDIR and SHLVL (SetEnv) but starts sessions in the account's real home directory.
cd "$HOME" || exit 1
if [ -n "${SSH_ORIGINAL_COMMAND+x}" ]; then
  exec "${SHELL:-/bin/sh}" -c "$SSH_ORIGINAL_COMMAND"
fi
exec "${SHELL:-/bin/sh}"
)sh";

result<void> check_loopback(const std::string& address) {
  in_addr a{};
  if (::inet_pton(AF_INET, address.c_str(), &a) != 1 || (ntohl(a.s_addr) >> 24) != 127) {
    return fail(errc::bad_config, "listen address '" + address +
                                      "' is outside 127.0.0.0/8: a throwaway host listens on loopback only "
                                      "(use 127.0.0.1 or another 127.x.y.z address)");
  }
  return {};
}

// A port that was free a moment ago; sshd binds it with SO_REUSEADDR, and a lost race is retried.
result<std::uint16_t> pick_port(const std::string& address) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(errc::bad_config, std::string{"cannot create a socket: "} + std::strerror(errno));
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  ::inet_pton(AF_INET, address.c_str(), &sa.sin_addr);
  socklen_t len = sizeof sa;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) == 0;
  const int err = errno;
  ::close(fd);
  if (!ok) return fail(errc::bad_config, "cannot bind a port on " + address + ": " + std::strerror(err));
  return ntohs(sa.sin_port);
}

std::string random_token() {
  std::array<unsigned char, 12> bytes{};
  if (::getrandom(bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size())) {
    // Unique enough to tell this host's processes from others': pid and time.
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    return std::to_string(::getpid()) + "-" + std::to_string(now);
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += hex[b >> 4];
    out += hex[b & 0xf];
  }
  return out;
}

std::string first_line(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

// "ssh-ed25519 AAAA... comment" -> "ssh-ed25519 AAAA..."
std::string type_and_key(const std::string& pub_line) {
  const auto first = pub_line.find(' ');
  return pub_line.substr(0, pub_line.find(' ', first + 1));
}

}  // namespace

struct throwaway_host::state {
  fs::path dir;
  host_options options;
  std::string user;
  std::string marker;  // "RIO_SANDBOX_TOKEN=<random>", in sshd's and every session's environment
  std::uint16_t port = 0;
  std::unique_ptr<detail::sshd_process> sshd;
  std::vector<std::string> sshd_env;  // nss_wrapper's, when the host has its own login shell

  fs::path etc() const { return dir / "sshd"; }
  fs::path config() const { return etc() / "sshd_config"; }
  fs::path host_key() const { return etc() / "host_ed25519"; }
  fs::path log() const { return etc() / "sshd.log"; }
  fs::path client() const { return dir / "client"; }
  fs::path home() const { return dir / "home"; }
  fs::path tmp() const { return dir / "tmp"; }

  result<void> write_config() const;
  /** Starts sshd on `port`; `port_taken` reports a bind race (try another port). */
  result<void> launch(bool& port_taken);
};

result<void> throwaway_host::state::write_config() const {
  std::string path;
  if (!options.stub_dir.empty()) path += options.stub_dir.string() + ":";
  path += (home() / ".local/bin").string() + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
  std::string cfg;
  cfg += "# rio throwaway host: loopback only, publickey only, one account, an isolated HOME.\n";
  cfg += "Port " + std::to_string(port) + "\n";
  cfg += "ListenAddress " + options.listen_address + "\n";
  cfg += "AddressFamily inet\n";
  cfg += "HostKey " + host_key().string() + "\n";
  cfg += "PidFile " + (etc() / "sshd.pid").string() + "\n";
  cfg += "AuthorizedKeysFile " + (etc() / "authorized_keys").string() + "\n";
  // The key file is absolute, so it would admit every account: only the current user may log in.
  cfg += "AllowUsers " + user + "\n";
  cfg += "AuthenticationMethods publickey\n"
         "PubkeyAuthentication yes\n"
         "PasswordAuthentication no\n"
         "KbdInteractiveAuthentication no\n"
         "HostbasedAuthentication no\n"
         "PermitRootLogin prohibit-password\n"
         "UsePAM no\n"
         // The sandbox lives under /tmp, whose permissions StrictModes would reject.
         "StrictModes no\n"
         "PermitUserRC no\n"
         "PermitUserEnvironment no\n"
         "PrintMotd no\n"
         "PrintLastLog no\n"
         "AllowTcpForwarding no\n"
         "AllowStreamLocalForwarding no\n"
         "AllowAgentForwarding no\n"
         "X11Forwarding no\n"
         "PermitTunnel no\n"
         "LogLevel INFO\n";
  cfg += "MaxStartups " + std::to_string(options.max_startups) + "\n";
  cfg += "MaxSessions 100\n";
  // Only the first SetEnv line counts, so everything goes on one. SHLVL=1 keeps Debian's bash
  // from reading ~/.bashrc for ssh commands (root's may run pyenv and the like).
  cfg += "SetEnv HOME=" + home().string() + " PATH=" + path + " TMPDIR=" + tmp().string() + " SHLVL=1 " + marker +
         "\n";
  // scp and sftp by hand (OpenSSH's scp speaks SFTP): the forced command runs the server too.
  if (::access(sftp_server, X_OK) == 0) cfg += std::string{"Subsystem sftp "} + sftp_server + "\n";
  cfg += "ForceCommand '" + (etc() / "session.sh").string() + "'\n";
  return detail::write_file(config(), cfg, 0600);
}

result<void> throwaway_host::state::launch(bool& port_taken) {
  if (auto ok = write_config(); !ok) return ok.error();
  auto started = detail::sshd_process::start(sshd_program, config(), marker, log(), ready_timeout, port_taken, sshd_env);
  if (!started) {
    return fail(errc::bad_config, "sshd on " + options.listen_address + ":" + std::to_string(port) + ": " +
                                      started.error().message);
  }
  sshd = std::move(*started);
  return {};
}

result<std::unique_ptr<throwaway_host>> throwaway_host::start(const fs::path& dir, host_options options) {
  // Everything that can be refused is refused before anything is created or started.
  if (auto ok = check_loopback(options.listen_address); !ok) return ok.error();
  if (::access(sshd_program, X_OK) != 0) {
    return fail(errc::bad_config, std::string{sshd_program} + " not found: install openssh-server");
  }
  const fs::path keygen = detail::find_program("ssh-keygen");
  if (keygen.empty()) return fail(errc::bad_config, "ssh-keygen not found: install openssh-client");
  if (!options.stub_dir.empty()) {
    std::error_code ec;
    options.stub_dir = fs::absolute(options.stub_dir, ec).lexically_normal();
    if (ec || !detail::is_safe_path(options.stub_dir)) {
      return fail(errc::bad_config,
                  "stub directory '" + options.stub_dir.string() +
                      "': use a path of letters, digits and . _ / + @ , = - only (it goes into PATH)");
    }
  }
  if (!options.login_shell.empty()) {
    const auto& names = detail::login_shell_names();
    if (std::find(names.begin(), names.end(), options.login_shell) == names.end()) {
      return fail(errc::bad_config, "login shell '" + options.login_shell + "': use dash, busybox or bash-posix");
    }
  }
  const passwd* pw = ::getpwuid(::geteuid());
  if (pw == nullptr) {
    return fail(errc::bad_config, "the current user (uid " + std::to_string(::geteuid()) + ") has no passwd entry");
  }

  // Without PAM, sshd refuses a locked account ("!" password) even for key logins.
  if (const spwd* sp = ::getspnam(pw->pw_name); sp != nullptr && sp->sp_pwdp != nullptr && sp->sp_pwdp[0] == '!') {
    return fail(errc::bad_config, std::string{"account '"} + pw->pw_name +
                                      "' is locked (its password in /etc/shadow starts with '!'), and sshd without PAM "
                                      "refuses locked accounts even for key logins; unlock it with: usermod -p '*' " +
                                      pw->pw_name + " (password logins stay impossible)");
  }

  auto s = std::make_unique<state>();
  s->options = std::move(options);
  s->user = pw->pw_name;
  s->marker = std::string{token_name} + "=" + random_token();
  if (auto ok = ssh::validate(ssh::target{s->options.listen_address, 22, s->user}); !ok) {
    return fail(errc::bad_config, "the current user cannot log in through rio's transport: " + ok.error().message);
  }
  auto prepared = detail::prepare_directory(dir, "sandbox directory");
  if (!prepared) return prepared.error();
  s->dir = *prepared;
  std::error_code ec;
  for (const auto& sub : {s->etc(), s->client(), s->home(), s->tmp()}) {
    if (!fs::create_directories(sub, ec) && ec) {
      return fail(errc::bad_config, "cannot create " + sub.string() + ": " + ec.message());
    }
  }
  // sshd running as root insists on its compiled-in privilege-separation directory.
  if (::geteuid() == 0 && !fs::is_directory("/run/sshd", ec) && ::mkdir("/run/sshd", 0755) != 0 && errno != EEXIST) {
    return fail(errc::bad_config, std::string{"cannot create /run/sshd (sshd's privilege separation directory): "} +
                                      std::strerror(errno));
  }

  const fs::path user_key = s->client() / "user_ed25519";
  for (const auto& [file, comment] :
       {std::pair{s->host_key(), "rio-sandbox-host"}, std::pair{user_key, "rio-sandbox-user"}}) {
    auto made = detail::run_checked("ssh-keygen for " + file.string(), keygen,
                                    {"-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file.string()});
    if (!made) return made.error();
  }
  // `restrict` turns off forwarding of every kind; `pty` keeps an interactive look around possible.
  const std::string authorized = "restrict,pty " + first_line(user_key.string() + ".pub") + "\n";
  if (auto ok = detail::write_file(s->etc() / "authorized_keys", authorized, 0600); !ok) return ok.error();
  if (auto ok = detail::write_file(s->etc() / "session.sh", session_script, 0755); !ok) return ok.error();
  if (!s->options.login_shell.empty()) {
    auto env = detail::login_shell_environment(s->etc(), s->user, s->options.login_shell);
    if (!env) return env.error();
    s->sshd_env = std::move(*env);
  }

  bool port_taken = true;
  result<void> launched = fail(errc::bad_config, "sshd could not find a free port on " + s->options.listen_address);
  for (int attempt = 0; attempt < 5 && port_taken; ++attempt) {
    auto port = pick_port(s->options.listen_address);
    if (!port) return port.error();
    s->port = *port;
    launched = s->launch(port_taken);
  }
  if (!launched) return launched.error();

  const std::string known = ssh::display_name(ssh::target{s->options.listen_address, s->port, s->user}) + " " +
                            type_and_key(first_line(s->host_key().string() + ".pub")) + "\n";
  if (auto ok = detail::write_file(s->client() / "known_hosts", known, 0644); !ok) return ok.error();
  return std::unique_ptr<throwaway_host>{new throwaway_host(std::move(s))};
}

throwaway_host::throwaway_host(std::unique_ptr<state> s) : state_(std::move(s)) {}

throwaway_host::~throwaway_host() { stop(); }

ssh::target throwaway_host::target() const { return {state_->options.listen_address, state_->port, state_->user}; }
fs::path throwaway_host::user_key() const { return state_->client() / "user_ed25519"; }
fs::path throwaway_host::known_hosts_file() const { return state_->client() / "known_hosts"; }
fs::path throwaway_host::home() const { return state_->home(); }
pid_t throwaway_host::pid() const noexcept { return state_->sshd ? state_->sshd->pid() : -1; }
fs::path throwaway_host::dir() const { return state_->dir; }
fs::path throwaway_host::log_file() const { return state_->log(); }
bool throwaway_host::running() const noexcept { return state_->sshd != nullptr; }

void throwaway_host::stop(bool hard) {
  if (state_->sshd) state_->sshd->stop(hard);
  state_->sshd.reset();
}

result<void> throwaway_host::restart() {
  if (state_->sshd) return {};
  bool port_taken = false;
  return state_->launch(port_taken);
}

}  // namespace rio::kernel::sandbox
