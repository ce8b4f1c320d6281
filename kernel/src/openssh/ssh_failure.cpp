#include <rio/kernel/openssh/ssh_failure.hpp>

#include <array>
#include <cstring>
#include <vector>

namespace rio::kernel::openssh {
namespace {

struct known_failure {
  std::string_view needle;  // text OpenSSH 7.x-9.x prints for this failure
  ssh::errc code;
  std::string_view summary;
};

// Most specific first: a changed host key also prints "Host key verification failed.".
constexpr std::array<known_failure, 26> failures{{
    {"REMOTE HOST IDENTIFICATION HAS CHANGED", ssh::errc::host_key_changed,
     "the host offered a different key than known_hosts records (refused: possible man-in-the-middle)"},
    {"has changed and you have requested strict checking", ssh::errc::host_key_changed,
     "the host offered a different key than known_hosts records"},
    {"POSSIBLE DNS SPOOFING DETECTED", ssh::errc::host_key_changed, "the host key does not match known_hosts"},
    {"and you have requested strict checking", ssh::errc::host_key_unknown,
     "no known_hosts entry for the host and the host-key policy is strict"},
    {"Host key verification failed", ssh::errc::host_key_unknown, "the host key could not be verified"},
    {"command-line: line", ssh::errc::bad_option, "ssh rejected an option"},
    {"Bad configuration option", ssh::errc::bad_option, "ssh rejected its configuration"},
    {"Bad owner or permissions on", ssh::errc::bad_option, "ssh refused its configuration file"},
    {"Permission denied (", ssh::errc::auth_failed, "authentication was refused"},
    {"Too many authentication failures", ssh::errc::auth_failed, "authentication was refused"},
    {"Could not resolve hostname", ssh::errc::resolve_failed, "the host name did not resolve"},
    {"Connection timed out", ssh::errc::connect_timed_out, "connecting timed out"},
    {"Operation timed out", ssh::errc::connect_timed_out, "connecting timed out"},
    {"Connection refused", ssh::errc::connect_failed, "the connection was refused"},
    {"No route to host", ssh::errc::connect_failed, "no route to the host"},
    {"Network is unreachable", ssh::errc::connect_failed, "the network is unreachable"},
    {"ssh: connect to host", ssh::errc::connect_failed, "cannot connect"},
    {"stdio forwarding failed", ssh::errc::connect_failed, "the jump host could not reach the host"},
    {"kex_exchange_identification", ssh::errc::handshake_failed, "the SSH handshake failed"},
    {"Unable to negotiate with", ssh::errc::handshake_failed, "no common SSH algorithms"},
    {"banner exchange", ssh::errc::handshake_failed, "the SSH handshake failed"},
    {"closed by remote host", ssh::errc::connection_lost, "the connection was closed by the host"},
    {"not responding", ssh::errc::connection_lost, "the host stopped responding"},
    {"client_loop: send disconnect", ssh::errc::connection_lost, "the connection was lost"},
    {"Connection reset by", ssh::errc::connection_lost, "the connection was reset"},
    {"packet_write_wait", ssh::errc::connection_lost, "the connection was lost"},
}};

// "The fingerprint for the ED25519 key sent by the remote host is\nSHA256:abc." -> "SHA256:abc"
std::string offered_fingerprint(std::string_view text) {
  auto at = text.find("sent by the remote host is");
  if (at == std::string_view::npos) return {};
  auto start = text.find("SHA256:", at);
  if (start == std::string_view::npos) return {};
  auto end = text.find_first_of(".\r\n", start);
  return std::string{text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start)};
}

}  // namespace

std::string condense(std::string_view text, std::size_t max) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    auto nl = text.find('\n', start);
    auto line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    start = nl == std::string_view::npos ? text.size() : nl + 1;
    std::string clean;
    for (char c : line) {
      auto u = static_cast<unsigned char>(c);
      clean += (u < 0x20 || u == 0x7f) ? ' ' : c;
    }
    auto first = clean.find_first_not_of(' ');
    if (first == std::string::npos || clean[first] == '@') continue;
    lines.push_back(clean.substr(first, clean.find_last_not_of(' ') - first + 1));
  }
  // The end matters most (the verdict comes last): keep whole lines from the end.
  std::string out;
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    std::size_t extra = it->size() + (out.empty() ? 0 : 3);
    if (out.size() + extra > max) {
      if (out.empty()) out = it->substr(it->size() - max);
      break;
    }
    out = out.empty() ? *it : *it + " | " + out;
  }
  return out;
}

std::string signal_name(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return abbrev != nullptr ? std::string{abbrev} : std::to_string(sig);
}

std::optional<sdk::error> classify_ssh_failure(std::string_view stderr_tail, const std::string& host) {
  // ssh's own diagnostics come last; looking only at the end of stderr keeps the remote
  // command's earlier output from being taken for them.
  constexpr std::size_t window = 4096;
  if (stderr_tail.size() > window) stderr_tail.remove_prefix(stderr_tail.size() - window);
  for (const auto& f : failures) {
    if (stderr_tail.find(f.needle) == std::string_view::npos) continue;
    std::string message = host + ": " + std::string{f.summary};
    if (f.code == ssh::errc::host_key_changed) {
      if (auto fp = offered_fingerprint(stderr_tail); !fp.empty()) message += "; offered key " + fp;
    }
    return ssh::fail(f.code, message + " (ssh said: " + condense(stderr_tail) + ")");
  }
  return std::nullopt;
}

}  // namespace rio::kernel::openssh
