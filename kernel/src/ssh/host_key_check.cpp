// Host keys: the server's key is checked against every known_hosts file (OpenSSH format, hashed
// entries included). Unknown hosts are refused (strict) or recorded in rio's own file
// (accept_new); a changed key is always refused, showing both fingerprints.

#include "known_hosts_file.hpp"
#include "session_impl.hpp"

#include <sodium.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <memory>

namespace rio::kernel::ssh {
namespace fs = std::filesystem;
using detail::fingerprint_of;
using detail::fingerprint_of_base64;
using detail::load_known_hosts;

namespace {

struct key_kind {
  int knownhost_bit;
  const char* name;
};

key_kind kind_of(int hostkey_type) {
  switch (hostkey_type) {
    case LIBSSH2_HOSTKEY_TYPE_RSA: return {LIBSSH2_KNOWNHOST_KEY_SSHRSA, "ssh-rsa"};
    case LIBSSH2_HOSTKEY_TYPE_DSS: return {LIBSSH2_KNOWNHOST_KEY_SSHDSS, "ssh-dss"};
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return {LIBSSH2_KNOWNHOST_KEY_ECDSA_256, "ecdsa-sha2-nistp256"};
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return {LIBSSH2_KNOWNHOST_KEY_ECDSA_384, "ecdsa-sha2-nistp384"};
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return {LIBSSH2_KNOWNHOST_KEY_ECDSA_521, "ecdsa-sha2-nistp521"};
    case LIBSSH2_HOSTKEY_TYPE_ED25519: return {LIBSSH2_KNOWNHOST_KEY_ED25519, "ssh-ed25519"};
    default: return {LIBSSH2_KNOWNHOST_KEY_UNKNOWN, "unknown"};
  }
}

const char* knownhost_type_name(int typemask) {
  switch (typemask & LIBSSH2_KNOWNHOST_KEY_MASK) {
    case LIBSSH2_KNOWNHOST_KEY_SSHRSA: return "ssh-rsa";
    case LIBSSH2_KNOWNHOST_KEY_SSHDSS: return "ssh-dss";
    case LIBSSH2_KNOWNHOST_KEY_ECDSA_256: return "ecdsa-sha2-nistp256";
    case LIBSSH2_KNOWNHOST_KEY_ECDSA_384: return "ecdsa-sha2-nistp384";
    case LIBSSH2_KNOWNHOST_KEY_ECDSA_521: return "ecdsa-sha2-nistp521";
    case LIBSSH2_KNOWNHOST_KEY_ED25519: return "ssh-ed25519";
    default: return "another type";
  }
}

std::string base64(const char* data, std::size_t len) {
  std::string out(sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data), len,
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

// Appends one line to rio's known_hosts: O_APPEND keeps concurrent writers' lines whole, and
// fsync makes the trust decision durable before the session is used.
result<void> record(const fs::path& file, const std::string& line) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return fail(errc::host_key_unknown, "cannot record the host key in " + file.string());
  std::string text = line + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return fail(errc::host_key_unknown, "cannot record the host key in " + file.string());
  return {};
}

result<void> accept_or_refuse(session::impl& s, const char* kind_name, const char* key, std::size_t len,
                              const std::string& type_change);

}  // namespace

result<void> verify_host_key(session::impl& s) {
  const target& t = s.options.where;
  std::size_t len = 0;
  int type = 0;
  const char* key = libssh2_session_hostkey(s.raw, &len, &type);
  if (key == nullptr) return fail(errc::handshake_failed, display_name(t) + ": the server sent no host key");
  const key_kind kind = kind_of(type);
  s.fingerprint = fingerprint_of(reinterpret_cast<const unsigned char*>(key), len);

  std::unique_ptr<LIBSSH2_KNOWNHOSTS, void (*)(LIBSSH2_KNOWNHOSTS*)> known{libssh2_knownhost_init(s.raw),
                                                                           libssh2_knownhost_free};
  if (!known) return fail(errc::handshake_failed, "cannot allocate the known_hosts store");
  std::vector<fs::path> files = s.options.hosts.read;
  if (!s.options.hosts.record.empty()) files.push_back(s.options.hosts.record);
  for (const auto& file : files) load_known_hosts(known.get(), file);

  // One spelling per host (canonical_host), as the record below is written.
  const std::string host = canonical_host(t.host);
  libssh2_knownhost* found = nullptr;
  const int check = libssh2_knownhost_checkp(known.get(), host.c_str(), t.port, key, len,
                                             LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | kind.knownhost_bit,
                                             &found);
  switch (check) {
    case LIBSSH2_KNOWNHOST_CHECK_MATCH:
      return {};
    case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
      return fail(errc::host_key_changed,
                  "host key for " + display_name(t) + " has CHANGED: known_hosts expects " +
                      fingerprint_of_base64(found != nullptr ? found->key : nullptr) + ", the server offered " +
                      kind.name + " " + s.fingerprint +
                      ". This may be an attack; if the host was reinstalled, remove the old entry and retry.");
    case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
      break;
    default:
      return fail(errc::host_key_unknown, "host key check for " + display_name(t) + " failed: " + detail::last_error(s.raw));
  }

  // No key of this type is known. A key of another type for the same host means the server
  // changed its key type (ed25519 known, RSA offered): possibly a downgrade to a key an attacker
  // holds, so it is not "unknown". libssh2 compares against entries of any type with type 0.
  libssh2_knownhost* other = nullptr;
  const int any_type = libssh2_knownhost_checkp(known.get(), host.c_str(), t.port, key, len,
                                                LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW, &other);
  const bool type_changed = any_type == LIBSSH2_KNOWNHOST_CHECK_MISMATCH && other != nullptr;
  const std::string change = type_changed ? "host key TYPE for " + display_name(t) + " changed: known_hosts has " +
                                                knownhost_type_name(other->typemask) + " " +
                                                fingerprint_of_base64(other->key) + ", the server offered only " +
                                                kind.name + " " + s.fingerprint + " (a possible downgrade)"
                                          : std::string{};
  return accept_or_refuse(s, kind.name, key, len, change);
}

namespace {

// The policy's answer for a key no entry of its type matches (type_change: why it is not merely
// unknown). Under accept_new_unrecorded (a dry run) nothing is written.
result<void> accept_or_refuse(session::impl& s, const char* kind_name, const char* key, std::size_t len,
                              const std::string& type_change) {
  const target& t = s.options.where;
  const bool strict = s.options.hosts.policy == host_key_policy::strict ||
                      (s.options.hosts.policy == host_key_policy::accept_new && s.options.hosts.record.empty());
  if (strict && !type_change.empty()) {
    return fail(errc::host_key_changed, type_change + ". This may be an attack; if the host's keys were changed on "
                                                      "purpose, remove the old entry or add the new key, and retry.");
  }
  if (strict) {
    return fail(errc::host_key_unknown,
                "host " + display_name(t) + " is not in known_hosts (it offered " + kind_name + " " + s.fingerprint +
                    "); add its key to ~/.ssh/known_hosts after checking the fingerprint, or run without "
                    "--strict-host-keys to record it on first use");
  }
  if (!type_change.empty()) s.host_key_warning = type_change + "; the new key was accepted (accept-new)";
  if (s.options.hosts.policy == host_key_policy::accept_new_unrecorded) return {};
  const std::string host = canonical_host(t.host);
  const std::string name = t.port == 22 ? host : "[" + host + "]:" + std::to_string(t.port);
  if (auto ok = record(s.options.hosts.record, name + " " + kind_name + " " + base64(key, len)); !ok) return ok.error();
  s.recorded = true;
  return {};
}

}  // namespace

}  // namespace rio::kernel::ssh
