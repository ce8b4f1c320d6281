#include <rio/kernel/openssh/config.hpp>

#include <algorithm>

namespace rio::kernel::openssh {
namespace fs = std::filesystem;

result<std::string> ssh_config_token(const fs::path& path, const std::string& what) {
  const std::string& text = path.native();
  if (!path.is_absolute()) return ssh::fail(ssh::errc::bad_option, what + " '" + text + "' is not an absolute path");
  bool control = std::any_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
  if (control) return ssh::fail(ssh::errc::bad_option, what + ": the path contains control characters");
  if (text.find("${") != std::string::npos) {
    return ssh::fail(ssh::errc::bad_option, what + " '" + text + "': ssh cannot read a path containing \"${\"");
  }
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '%') out += '%';
    out += c;
  }
  return out + "\"";
}

namespace {

// The UserKnownHostsFile option: the record file first (OpenSSH writes accepted keys to the first
// file), then the others, each once.
result<std::string> known_hosts_option(const ssh::known_hosts& kh) {
  if (kh.policy == ssh::host_key_policy::accept_new_unrecorded) {
    return ssh::fail(ssh::errc::bad_option, "known_hosts: the OpenSSH transport cannot accept a new key without recording it");
  }
  if (kh.policy == ssh::host_key_policy::accept_new && kh.record.empty()) {
    return ssh::fail(ssh::errc::bad_option, "known_hosts: accept-new needs a record file");
  }
  std::vector<fs::path> files;
  if (!kh.record.empty()) files.push_back(kh.record);
  for (const auto& f : kh.read) {
    if (std::find(files.begin(), files.end(), f) == files.end()) files.push_back(f);
  }
  if (files.empty()) return ssh::fail(ssh::errc::bad_option, "known_hosts: no file to check host keys against");
  if (files.size() > 32) return ssh::fail(ssh::errc::bad_option, "known_hosts: ssh reads at most 32 files");
  std::string known = "UserKnownHostsFile=";
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto token = ssh_config_token(files[i], "known_hosts file");
    if (!token) return token.error();
    known += (i == 0 ? "" : " ") + *token;
  }
  return known;
}

// Options given on the command line win over ~/.ssh/config (ssh keeps the first value it
// reads), so none of these can be undone by the user's configuration.
void append_fixed_options(std::vector<std::string>& args, const openssh_config& config, bool strict, const std::string& known) {
  auto secs = std::max<long long>(1, (config.connect_timeout.count() + 999) / 1000);
  args.insert(args.end(), {
      "-T",
      "-o", "BatchMode=yes",
      "-o", strict ? "StrictHostKeyChecking=yes" : "StrictHostKeyChecking=accept-new",
      "-o", known,
      // Only the files above decide trust, as in the libssh2 transport.
      "-o", "GlobalKnownHostsFile=none",
      "-o", "VerifyHostKeyDNS=no",
      "-o", "UpdateHostKeys=no",
      // A shared master connection would skip this process's host-key check entirely.
      "-o", "ControlMaster=no",
      "-o", "ControlPath=none",
      // Never hand the server's agent or local ports to an install target.
      "-o", "ForwardAgent=no",
      "-o", "ForwardX11=no",
      "-o", "ClearAllForwardings=yes",
      "-o", "ConnectTimeout=" + std::to_string(secs),
      "-o", "ServerAliveInterval=" + std::to_string(std::max<long long>(1, config.keepalive.count())),
      "-o", "ServerAliveCountMax=3",
      // Keeps ssh's informational lines ("Permanently added ...") out of the command's stderr.
      "-o", "LogLevel=ERROR",
  });
}

}  // namespace

result<std::vector<std::string>> ssh_arguments(const openssh_config& config) {
  if (auto valid = ssh::validate(config.target); !valid) return valid.error();
  auto known = known_hosts_option(config.known_hosts);
  if (!known) return known.error();
  std::vector<std::string> args;
  if (!config.ssh_config_file.empty()) {
    // -F takes the path as is (no %-expansion), but it must still be absolute to mean one file.
    if (!config.ssh_config_file.is_absolute()) {
      return ssh::fail(ssh::errc::bad_option,
                       "ssh config file '" + config.ssh_config_file.string() + "' is not absolute");
    }
    args.insert(args.end(), {"-F", config.ssh_config_file.string()});
  }
  append_fixed_options(args, config, config.known_hosts.policy == ssh::host_key_policy::strict, *known);
  if (!config.identity_file.empty()) {
    // IdentityFile rather than -i: ssh checks a -i path with stat() before expanding %-tokens,
    // so a path containing '%' could not be given to -i at all.
    auto token = ssh_config_token(config.identity_file, "identity file");
    if (!token) return token.error();
    args.insert(args.end(), {"-o", "IdentityFile=" + *token});
  }
  args.insert(args.end(), {"-p", std::to_string(config.target.port), "-l", config.target.user, "--",
                           ssh::canonical_host(config.target.host)});
  return args;
}

}  // namespace rio::kernel::openssh
