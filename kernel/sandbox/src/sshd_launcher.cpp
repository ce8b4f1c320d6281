#include <rio/kernel/sandbox/sshd_launcher.hpp>

#include "sshd_process.hpp"
#include <rio/kernel/sandbox/local_process.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace rio::kernel::sandbox {
namespace fs = std::filesystem;

namespace {

constexpr int port_attempts = 5;

bool is_loopback_v4(const std::string& address) {
  in_addr a{};
  return ::inet_pton(AF_INET, address.c_str(), &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

// Goes into sshd_config unquoted: a space or a quote would split or end the value.
bool plain(const std::string& text) { return !text.empty() && text.find_first_of(" \t\n\"'") == std::string::npos; }

result<void> check(const sshd_settings& s) {
  const auto& addrs = s.listen_addresses;
  if (addrs.empty() || addrs.size() > max_listen_addresses) {
    return fail(errc::bad_config, "sshd listens on 1 to " + std::to_string(max_listen_addresses) + " addresses");
  }
  for (auto it = addrs.begin(); it != addrs.end(); ++it) {
    if (!is_loopback_v4(*it)) {
      return fail(errc::bad_config, "listen address '" + *it +
                                        "' is outside 127.0.0.0/8: rio's sshd listens on loopback only");
    }
    if (std::find(addrs.begin(), it, *it) != it) return fail(errc::bad_config, "listen address " + *it + " is given twice");
  }
  if (!s.homes.empty() && s.homes.size() != addrs.size()) {
    return fail(errc::bad_config, "sshd settings: one home per listen address, or none");
  }
  for (const auto& h : s.homes) {
    if (!plain(h.string())) return fail(errc::bad_config, "sshd settings: unusable home '" + h.string() + "'");
  }
  for (const auto& e : s.session_env) {
    if (!plain(e) || e.find('=') == std::string::npos) {
      return fail(errc::bad_config, "sshd settings: unusable environment entry '" + e + "'");
    }
  }
  if (s.log == sshd_log::file && s.log_file.empty()) return fail(errc::bad_config, "sshd settings: no log file");
  if (s.dir.empty() || s.host_key.empty() || s.authorized_keys.empty()) {
    return fail(errc::bad_config, "sshd settings: dir, host_key and authorized_keys are required");
  }
  if (::access(s.program.c_str(), X_OK) != 0) {
    return fail(errc::bad_config, s.program.string() + " not found: install openssh-server");
  }
  return {};
}

// A port that was free a moment ago; a lost race shows in sshd's log and start() tries again.
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

std::string first_line(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace

sshd_launcher::sshd_launcher(sshd_settings settings) : settings_(std::move(settings)) {}

sshd_launcher::~sshd_launcher() { stop(); }

result<std::unique_ptr<sshd_launcher>> sshd_launcher::start(sshd_settings settings) {
  if (auto ok = check(settings); !ok) return ok.error();
  if (settings.marker.empty()) settings.marker = "RIO_SSHD_TOKEN=" + detail::random_token();
  std::error_code ec;
  if (!fs::create_directories(settings.dir, ec) && ec) {
    return fail(errc::bad_config, "cannot create " + settings.dir.string() + ": " + ec.message());
  }
  // sshd running as root insists on its compiled-in privilege-separation directory, and there
  // is no systemd here to create it.
  if (::geteuid() == 0 && !fs::is_directory("/run/sshd", ec) && ::mkdir("/run/sshd", 0755) != 0 && errno != EEXIST) {
    return fail(errc::bad_config, std::string{"cannot create /run/sshd (sshd's privilege separation directory): "} +
                                      std::strerror(errno));
  }
  std::unique_ptr<sshd_launcher> launcher{new sshd_launcher(std::move(settings))};
  bool port_taken = true;
  result<void> launched = fail(errc::bad_config, "sshd could not find free ports on " +
                                                     launcher->settings_.listen_addresses.front());
  for (int attempt = 0; attempt < port_attempts && port_taken; ++attempt) {
    launcher->endpoints_.clear();
    for (const auto& address : launcher->settings_.listen_addresses) {
      auto port = pick_port(address);
      if (!port) return port.error();
      launcher->endpoints_.push_back({address, *port});
    }
    launched = launcher->launch(port_taken);
  }
  if (!launched) return launched.error();
  return launcher;
}

result<void> sshd_launcher::launch(bool& port_taken) {
  if (auto ok = detail::write_file(config_file(), detail::sshd_config_text(settings_, endpoints_), 0600); !ok) {
    return ok.error();
  }
  auto started = detail::sshd_process::start(settings_, config_file(), endpoints_.size(), port_taken);
  if (!started) {
    const auto& first = endpoints_.front();
    return fail(errc::bad_config, "sshd on " + first.address + ":" + std::to_string(first.port) + ": " +
                                      started.error().message);
  }
  sshd_ = std::move(*started);
  return {};
}

pid_t sshd_launcher::pid() const noexcept { return sshd_ ? sshd_->pid() : -1; }

bool sshd_launcher::running() const noexcept { return sshd_ != nullptr; }

std::vector<std::string> sshd_launcher::known_hosts_lines() const {
  // "ssh-ed25519 AAAA... comment" -> "ssh-ed25519 AAAA..."
  const std::string pub = first_line(settings_.host_key.string() + ".pub");
  const std::string key = pub.substr(0, pub.find(' ', pub.find(' ') + 1));
  std::vector<std::string> out;
  for (const auto& e : endpoints_) out.push_back("[" + e.address + "]:" + std::to_string(e.port) + " " + key);
  return out;
}

void sshd_launcher::stop(bool hard) {
  if (sshd_) sshd_->stop(hard);
  sshd_.reset();
}

result<void> sshd_launcher::restart() {
  if (sshd_) return {};
  bool port_taken = false;
  return launch(port_taken);
}

}  // namespace rio::kernel::sandbox
