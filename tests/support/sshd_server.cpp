#include "sshd_server.hpp"

#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace rio::test {
namespace {

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
  return out + "'";
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

sshd_server::sshd_server(sshd_options options) : sshd_server(std::move(options), {}) {}

sshd_server::sshd_server(sshd_options options, std::vector<std::string> extra_config)
    : options_(std::move(options)), extra_config_(std::move(extra_config)) {
  const passwd* pw = ::getpwuid(::geteuid());
  if (pw == nullptr) throw std::runtime_error("no passwd entry for the current user");
  user_ = pw->pw_name;
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

void sshd_server::start() {
  kernel::sandbox::sshd_settings s;
  s.listen_addresses = {options_.listen_address};
  s.dir = dir_.path();
  s.host_key = dir_.path() / "host_ed25519";
  s.authorized_keys = dir_.path() / "authorized_keys";
  s.max_startups = options_.max_startups;
  s.max_sessions = options_.max_sessions;
  s.extra_config = extra_config_;
  s.log_file = dir_.path() / "sshd.log";
  // Its own process group: a test that signals its own group does not reach sshd.
  s.own_process_group = true;
  auto started = kernel::sandbox::sshd_launcher::start(std::move(s));
  if (!started) throw std::runtime_error(started.error().message);
  sshd_ = std::move(*started);
  port_ = sshd_->endpoints().front().port;
}

void sshd_server::stop(bool hard) {
  if (sshd_) sshd_->stop(hard);
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
