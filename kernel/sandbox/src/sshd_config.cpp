// The sshd_config the launcher writes: what every caller shares, then each caller's own lines.
#include "sshd_process.hpp"

namespace rio::kernel::sandbox::detail {

namespace {

// "{HOME}" in each entry replaced by `home` (when there is one).
std::string session_env_for(const sshd_settings& s, const std::string& home) {
  std::string out = s.skip_login_rc ? " SHLVL=1" : "";
  for (std::string e : s.session_env) {
    for (auto at = e.find("{HOME}"); at != std::string::npos && !home.empty(); at = e.find("{HOME}", at + home.size())) {
      e.replace(at, 6, home);
    }
    out += " " + e;
  }
  return out;
}

}  // namespace

std::string sshd_config_text(const sshd_settings& s, const std::vector<sshd_endpoint>& endpoints) {
  std::string cfg = "# Written by rio's sshd launcher: loopback only, publickey only.\n";
  // One ListenAddress line per endpoint, each with its own port (no Port line needed).
  for (const auto& e : endpoints) cfg += "ListenAddress " + e.address + ":" + std::to_string(e.port) + "\n";
  cfg += "AddressFamily inet\n";
  cfg += "HostKey " + s.host_key.string() + "\n";
  cfg += "PidFile " + (s.dir / "sshd.pid").string() + "\n";
  cfg += "AuthorizedKeysFile " + s.authorized_keys.string() + "\n";
  cfg += "PermitRootLogin prohibit-password\n"
         "PubkeyAuthentication yes\n"
         "PasswordAuthentication no\n"
         "KbdInteractiveAuthentication no\n"
         "UsePAM no\n"
         // Scratch directories live under /tmp, whose permissions StrictModes would reject.
         "StrictModes no\n"
         "PrintMotd no\n";
  cfg += "MaxStartups " + std::to_string(s.max_startups) + "\n";
  cfg += "MaxSessions " + std::to_string(s.max_sessions) + "\n";
  cfg += "LogLevel " + s.log_level + "\n";
  if (s.pin_algorithms) {
    // The same algorithms for every client, enforced by the server.
    cfg += "KexAlgorithms curve25519-sha256\n"
           "HostKeyAlgorithms ssh-ed25519\n"
           "Ciphers aes128-ctr\n"
           "MACs hmac-sha2-256\n";
  }
  for (const auto& line : s.extra_config) cfg += line + "\n";
  // sshd takes only the first SetEnv that applies to a connection, so every variable goes on one
  // line: globally, or in the connection's Match block (which must come after all global lines).
  if (s.homes.empty()) {
    const std::string env = session_env_for(s, "");
    if (!env.empty()) cfg += "SetEnv" + env + "\n";
    return cfg;
  }
  for (std::size_t i = 0; i < endpoints.size() && i < s.homes.size(); ++i) {
    const std::string home = s.homes[i].string();
    cfg += "Match LocalAddress " + endpoints[i].address + "\n";
    cfg += "  SetEnv" + session_env_for(s, home) + " HOME=" + home + "\n";
  }
  return cfg;
}

}  // namespace rio::kernel::sandbox::detail
