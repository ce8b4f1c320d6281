#include <rio/kernel/sandbox/throwaway_host.hpp>

#include <rio/kernel/sandbox/local_process.hpp>
#include <rio/kernel/sandbox/login_shell.hpp>
#include <rio/kernel/sandbox/sshd_launcher.hpp>

// Every login runs session.sh (sshd ForceCommand): sshd set the environment (SetEnv) but starts
// sessions in the account's real home directory, so it changes to the sandbox's, then runs what
// the client asked for with the login shell, exactly as sshd would have.
#include "embedded/session_sh.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <shadow.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <vector>

namespace rio::kernel::sandbox {
namespace fs = std::filesystem;

namespace {

constexpr const char* sshd_program = "/usr/sbin/sshd";
constexpr const char* sftp_server = "/usr/lib/openssh/sftp-server";
constexpr std::string_view token_name = "RIO_SANDBOX_TOKEN";
constexpr auto ready_timeout = std::chrono::seconds{20};


result<void> check_loopback(const std::string& address) {
  in_addr a{};
  if (::inet_pton(AF_INET, address.c_str(), &a) != 1 || (ntohl(a.s_addr) >> 24) != 127) {
    return fail(errc::bad_config, "listen address '" + address +
                                      "' is outside 127.0.0.0/8: a throwaway host listens on loopback only "
                                      "(use 127.0.0.1 or another 127.x.y.z address)");
  }
  return {};
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

// The options' refusals after the programs' (stub directory, login shell, the account), before
// anything is created or started. Returns the account that will log in.
result<const passwd*> refuse_bad_options(host_options& options) {
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
  return pw;
}

}  // namespace

struct throwaway_host::state {
  fs::path dir;
  host_options options;
  std::string user;
  std::string marker;  // "RIO_SANDBOX_TOKEN=<random>", in sshd's and every session's environment
  std::unique_ptr<sshd_launcher> sshd;

  fs::path etc() const { return dir / "sshd"; }
  fs::path host_key() const { return etc() / "host_ed25519"; }
  fs::path log() const { return etc() / "sshd.log"; }
  fs::path client() const { return dir / "client"; }
  fs::path home() const { return dir / "home"; }
  fs::path tmp() const { return dir / "tmp"; }

  /** What the launcher needs: the shared sshd settings plus this host's lock-down and session. */
  sshd_settings sshd_settings_for(std::vector<std::string> sshd_env) const;

  // The steps of start(), in order, once the options have passed.
  result<void> make_directories(const fs::path& requested);
  result<void> write_keys(const fs::path& keygen);
  result<void> start_sshd();
  result<void> write_known_hosts();
};

sshd_settings throwaway_host::state::sshd_settings_for(std::vector<std::string> sshd_env) const {
  std::string path;
  if (!options.stub_dir.empty()) path += options.stub_dir.string() + ":";
  path += (home() / ".local/bin").string() + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
  sshd_settings s;
  s.listen_addresses = {options.listen_address};
  s.dir = etc();
  s.host_key = host_key();
  s.authorized_keys = etc() / "authorized_keys";
  s.max_startups = options.max_startups;
  s.max_sessions = 100;
  // SHLVL=1 (skip_login_rc) keeps Debian's bash from reading ~/.bashrc for ssh commands (root's
  // may run pyenv and the like).
  s.session_env = {"HOME=" + home().string(), "PATH=" + path, "TMPDIR=" + tmp().string(), marker};
  s.extra_config = {
      // The key file is absolute, so it would admit every account: only the current user may log in.
      "AllowUsers " + user,
      "AuthenticationMethods publickey",
      "HostbasedAuthentication no",
      "PermitUserRC no",
      "PermitUserEnvironment no",
      "PrintLastLog no",
      "AllowTcpForwarding no",
      "AllowStreamLocalForwarding no",
      "AllowAgentForwarding no",
      "X11Forwarding no",
      "PermitTunnel no",
  };
  // scp and sftp by hand (OpenSSH's scp speaks SFTP): the forced command runs the server too.
  if (::access(sftp_server, X_OK) == 0) s.extra_config.push_back(std::string{"Subsystem sftp "} + sftp_server);
  s.extra_config.push_back("ForceCommand '" + (etc() / "session.sh").string() + "'");
  s.program = sshd_program;
  s.log = sshd_log::pipe;
  s.log_file = log();
  s.marker = marker;
  s.process_env = std::move(sshd_env);
  s.ready_timeout = ready_timeout;
  return s;
}

result<std::unique_ptr<throwaway_host>> throwaway_host::start(const fs::path& dir, host_options options) {
  // The order of the refusals is the order they were always checked in: keygen after sshd.
  if (auto ok = check_loopback(options.listen_address); !ok) return ok.error();
  if (::access(sshd_program, X_OK) != 0) {
    return fail(errc::bad_config, std::string{sshd_program} + " not found: install openssh-server");
  }
  const fs::path keygen = detail::find_program("ssh-keygen");
  if (keygen.empty()) return fail(errc::bad_config, "ssh-keygen not found: install openssh-client");
  auto pw = refuse_bad_options(options);
  if (!pw) return pw.error();

  auto s = std::make_unique<state>();
  s->options = std::move(options);
  s->user = (*pw)->pw_name;
  s->marker = std::string{token_name} + "=" + detail::random_token();
  if (auto ok = ssh::validate(ssh::target{s->options.listen_address, 22, s->user}); !ok) {
    return fail(errc::bad_config, "the current user cannot log in through rio's transport: " + ok.error().message);
  }
  if (auto ok = s->make_directories(dir); !ok) return ok.error();
  if (auto ok = s->write_keys(keygen); !ok) return ok.error();
  if (auto ok = s->start_sshd(); !ok) return ok.error();
  if (auto ok = s->write_known_hosts(); !ok) return ok.error();
  return std::unique_ptr<throwaway_host>{new throwaway_host(std::move(s))};
}

result<void> throwaway_host::state::make_directories(const fs::path& requested) {
  auto prepared = detail::prepare_directory(requested, "sandbox directory");
  if (!prepared) return prepared.error();
  dir = *prepared;
  std::error_code ec;
  for (const auto& sub : {etc(), client(), home(), tmp()}) {
    if (!fs::create_directories(sub, ec) && ec) {
      return fail(errc::bad_config, "cannot create " + sub.string() + ": " + ec.message());
    }
  }
  return {};
}

// The host key, the client's key (authorised with `restrict`), and the forced session script.
result<void> throwaway_host::state::write_keys(const fs::path& keygen) {
  const fs::path user_key = client() / "user_ed25519";
  for (const auto& [file, comment] : {std::pair{host_key(), "rio-sandbox-host"}, std::pair{user_key, "rio-sandbox-user"}}) {
    auto made = detail::run_checked("ssh-keygen for " + file.string(), keygen,
                                    {"-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file.string()});
    if (!made) return made.error();
  }
  // `restrict` turns off forwarding of every kind; `pty` keeps an interactive look around possible.
  const std::string authorized = "restrict,pty " + first_line(user_key.string() + ".pub") + "\n";
  if (auto ok = detail::write_file(etc() / "authorized_keys", authorized, 0600); !ok) return ok.error();
  return detail::write_file(etc() / "session.sh", detail::session_sh, 0755);
}

result<void> throwaway_host::state::start_sshd() {
  std::vector<std::string> sshd_env;  // nss_wrapper's, when the host has its own login shell
  if (!options.login_shell.empty()) {
    auto env = detail::login_shell_environment(etc(), user, options.login_shell);
    if (!env) return env.error();
    sshd_env = std::move(*env);
  }
  auto started = sshd_launcher::start(sshd_settings_for(std::move(sshd_env)));
  if (!started) return started.error();
  sshd = std::move(*started);
  return {};
}

result<void> throwaway_host::state::write_known_hosts() {
  const std::uint16_t port = sshd->endpoints().front().port;
  const std::string known = ssh::display_name(ssh::target{options.listen_address, port, user}) + " " +
                            type_and_key(first_line(host_key().string() + ".pub")) + "\n";
  return detail::write_file(client() / "known_hosts", known, 0644);
}

throwaway_host::throwaway_host(std::unique_ptr<state> s) : state_(std::move(s)) {}

throwaway_host::~throwaway_host() { stop(); }

ssh::target throwaway_host::target() const {
  return {state_->options.listen_address, state_->sshd->endpoints().front().port, state_->user};
}
fs::path throwaway_host::user_key() const { return state_->client() / "user_ed25519"; }
fs::path throwaway_host::known_hosts_file() const { return state_->client() / "known_hosts"; }
fs::path throwaway_host::home() const { return state_->home(); }
pid_t throwaway_host::pid() const noexcept { return state_->sshd->pid(); }
fs::path throwaway_host::dir() const { return state_->dir; }
fs::path throwaway_host::log_file() const { return state_->log(); }
bool throwaway_host::running() const noexcept { return state_->sshd->running(); }

void throwaway_host::stop(bool hard) { state_->sshd->stop(hard); }

result<void> throwaway_host::restart() { return state_->sshd->restart(); }

}  // namespace rio::kernel::sandbox
