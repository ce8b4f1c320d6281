// Authentication: in-memory key material, explicit identity files, ssh-agent, then the default
// identity files. Every method tried goes into the error, so an operator sees what was attempted.

#include "session_impl.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>

namespace rio::kernel::ssh {
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

struct attempt_log {
  std::vector<std::string> tried;
  void add(std::string what) { tried.push_back(std::move(what)); }
  std::string text() const {
    std::string out;
    for (const auto& t : tried) out += (out.empty() ? "" : "; ") + t;
    return out.empty() ? "no method was available (no key from the vault, no identity file, no agent)" : out;
  }
};

// libssh2's own words for anything else (e.g. "Wrong passphrase or invalid/unrecognized private
// key file format"): they name the key problem and never hold the passphrase.
std::string describe_rc(int rc, LIBSSH2_SESSION* session) {
  switch (rc) {
    case LIBSSH2_ERROR_AUTHENTICATION_FAILED:
    case LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED: return "rejected by the server";
    case LIBSSH2_ERROR_FILE: return "cannot be decoded: wrong or missing passphrase, or a format this libssh2 cannot read";
    case LIBSSH2_ERROR_METHOD_NOT_SUPPORTED: return "key type not supported";
    default: return "failed: " + detail::last_error(session);
  }
}

// An RSA key: its private key says so (PEM) or its .pub sibling does (OpenSSH format).
bool is_rsa_key(const fs::path& key) {
  std::ifstream priv(key);
  std::string first;
  std::getline(priv, first);
  if (first.find("BEGIN RSA PRIVATE KEY") != std::string::npos) return true;
  std::ifstream pub(key.string() + ".pub");
  std::string type;
  pub >> type;
  return type == "ssh-rsa";
}

// libssh2 1.10 signs RSA user authentication with ssh-rsa (SHA-1) only, which OpenSSH 8.8 and
// later refuse by default: say so, instead of a bare "rejected".
std::string rejection_note(const fs::path& key, int rc, LIBSSH2_SESSION* session) {
  std::string note = describe_rc(rc, session);
  if ((rc == LIBSSH2_ERROR_AUTHENTICATION_FAILED || rc == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED) && is_rsa_key(key)) {
    note += "; RSA keys need rsa-sha2 signatures, which this libssh2 (1.10) lacks: use an ed25519 or ecdsa "
            "key, or the OpenSSH transport (ssh_command)";
  }
  return note;
}

std::vector<fs::path> default_identities() {
  const char* home = std::getenv("HOME");
  if (home == nullptr) return {};
  std::vector<fs::path> out;
  for (const char* name : {"id_ed25519", "id_ecdsa", "id_rsa"}) {
    fs::path p = fs::path{home} / ".ssh" / name;
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) out.push_back(p);
  }
  return out;
}

// Where default_identities() looks, for the message when it found nothing.
std::string default_key_places() {
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') return "HOME is not set, so no ~/.ssh/id_* was looked for";
  const fs::path dir = fs::path{home} / ".ssh";
  return "none of " + (dir / "id_ed25519").string() + ", id_ecdsa, id_rsa exists";
}

// Asks the agent for each identity in turn. The agent protocol itself is a local Unix socket
// (libssh2 talks to it synchronously, quickly); the server round trips are non-blocking.
asio::awaitable<bool> try_agent(session::impl& s, const std::string& user, clock::time_point deadline, attempt_log& log) {
  std::optional<fs::path> socket_path = s.options.auth.agent_socket;
  if (!socket_path) {
    if (const char* env = std::getenv("SSH_AUTH_SOCK"); env != nullptr && *env != '\0') socket_path = fs::path{env};
  }
  if (!socket_path) {
    log.add("no ssh-agent (SSH_AUTH_SOCK is not set)");
    co_return false;
  }
  std::unique_ptr<LIBSSH2_AGENT, void (*)(LIBSSH2_AGENT*)> agent{libssh2_agent_init(s.raw), libssh2_agent_free};
  if (!agent) co_return false;
  libssh2_agent_set_identity_path(agent.get(), socket_path->c_str());
  if (libssh2_agent_connect(agent.get()) != 0 || libssh2_agent_list_identities(agent.get()) != 0) {
    log.add("agent at " + socket_path->string() + " (unreachable)");
    co_return false;
  }
  libssh2_agent_publickey* identity = nullptr;
  libssh2_agent_publickey* previous = nullptr;
  int tried = 0;
  bool ok = false;
  while (!ok && libssh2_agent_get_identity(agent.get(), &identity, previous) == 0) {
    ++tried;
    auto [rc, stopped] = co_await s.call([&] { return libssh2_agent_userauth(agent.get(), user.c_str(), identity); }, deadline);
    if (stopped != session::impl::stop::none) break;
    ok = rc == 0;
    previous = identity;
  }
  libssh2_agent_disconnect(agent.get());
  if (ok) {
    s.auth_method = "publickey (agent)";
  } else {
    log.add("agent (" + std::to_string(tried) + " identities, none accepted)");
  }
  co_return ok;
}

result<void> auth_timed_out(const target& t) {
  return fail(errc::connect_timed_out, "authenticating to " + display_name(t) + " took longer than the connect timeout");
}

// Which methods the server offers (this also tells us if "none" already succeeded). A value
// ends the authentication (done, or refused); nullopt means public keys may be tried.
asio::awaitable<std::optional<result<void>>> check_methods(session::impl& s, clock::time_point deadline) {
  const target& t = s.options.where;
  const std::string& user = t.user;
  const auto ulen = static_cast<unsigned>(user.size());
  auto [methods, stopped] = co_await s.call_ptr<char>([&] { return libssh2_userauth_list(s.raw, user.c_str(), ulen); }, deadline);
  if (stopped == session::impl::stop::cancelled) co_return sdk::fail(sdk::errc::cancelled, "connect cancelled");
  if (stopped == session::impl::stop::deadline) co_return auth_timed_out(t);
  if (methods == nullptr && libssh2_userauth_authenticated(s.raw)) {
    s.auth_method = "none";
    co_return result<void>{};
  }
  const std::string offered = methods != nullptr ? methods : "";
  if (offered.find("publickey") == std::string::npos) {
    co_return fail(errc::auth_failed, "authentication to " + user + "@" + display_name(t) +
                                          " failed: the server offers only '" + offered + "', rio authenticates by public key");
  }
  co_return std::nullopt;
}

// The key material from the vault, in memory (never written to disk).
asio::awaitable<std::optional<result<void>>> try_vault_key(session::impl& s, const char* passphrase, clock::time_point deadline,
                                                           attempt_log& log) {
  const std::string& user = s.options.where.user;
  const auto& key = *s.options.auth.private_key;
  auto [rc, st] = co_await s.call([&] {
    return libssh2_userauth_publickey_frommemory(s.raw, user.c_str(), user.size(), nullptr, 0, key.data(), key.size(),
                                                 passphrase);
  }, deadline);
  if (st == session::impl::stop::cancelled) co_return sdk::fail(sdk::errc::cancelled, "connect cancelled");
  if (st == session::impl::stop::deadline) co_return auth_timed_out(s.options.where);
  if (rc == 0) {
    s.auth_method = "publickey (key from vault)";
    co_return result<void>{};
  }
  log.add(std::string{"key from vault ("} + describe_rc(rc, s.raw) + ")");
  co_return std::nullopt;
}

asio::awaitable<std::optional<result<void>>> try_files(session::impl& s, const std::vector<fs::path>& files, const char* passphrase,
                                                       clock::time_point deadline, attempt_log& log) {
  const std::string& user = s.options.where.user;
  const auto ulen = static_cast<unsigned>(user.size());
  for (const auto& file : files) {
    auto [rc, st] = co_await s.call([&] {
      return libssh2_userauth_publickey_fromfile_ex(s.raw, user.c_str(), ulen, nullptr, file.c_str(), passphrase);
    }, deadline);
    if (st == session::impl::stop::cancelled) co_return sdk::fail(sdk::errc::cancelled, "connect cancelled");
    if (st == session::impl::stop::deadline) co_return auth_timed_out(s.options.where);
    if (rc == 0) {
      s.auth_method = "publickey (" + file.string() + ")";
      co_return result<void>{};
    }
    log.add(file.string() + " (" + rejection_note(file, rc, s.raw) + ")");
  }
  co_return std::nullopt;
}

}  // namespace

result<void> check_identity_files(const auth_options& auth) {
  for (const auto& file : auth.identity_files) {
    std::error_code ec;
    if (!fs::exists(file, ec)) {
      return fail(errc::auth_failed, "identity file " + file.string() + " does not exist (checked before connecting)");
    }
    if (fs::is_directory(file, ec) || ::access(file.c_str(), R_OK) != 0) {
      return fail(errc::auth_failed, "identity file " + file.string() + " is not a readable file (checked before connecting)");
    }
  }
  return {};
}

// The vault's key, then the named files, then the agent, then ssh's default files (only when
// nothing else was named); the error lists every attempt.
asio::awaitable<result<void>> authenticate(session::impl& s, clock::time_point deadline) {
  const target& t = s.options.where;
  const auth_options& auth = s.options.auth;
  attempt_log log;
  if (auto done = co_await check_methods(s, deadline)) co_return *done;
  const char* passphrase = auth.passphrase.empty() ? nullptr : auth.passphrase.data();
  if (auth.private_key) {
    if (auto done = co_await try_vault_key(s, passphrase, deadline, log)) co_return *done;
  }
  if (auto done = co_await try_files(s, auth.identity_files, passphrase, deadline, log)) co_return *done;
  if (auth.use_agent && co_await try_agent(s, t.user, deadline, log)) co_return result<void>{};
  if (clock::now() >= deadline) co_return auth_timed_out(t);
  if (auth.default_identities && auth.identity_files.empty() && !auth.private_key) {
    const auto defaults = default_identities();
    if (defaults.empty()) log.add("no default key (" + default_key_places() + ")");
    if (auto done = co_await try_files(s, defaults, passphrase, deadline, log)) co_return *done;
  }
  co_return fail(errc::auth_failed, "authentication to " + t.user + "@" + display_name(t) + " failed; tried: " + log.text());
}

}  // namespace rio::kernel::ssh
