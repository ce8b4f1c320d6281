// known_hosts files (~/.ssh/known_hosts and rio's <root>/data/ssh/known_hosts): read by rio's
// line filter (kernel/src/ssh/known_hosts_file.cpp) into libssh2's store, as verify_host_key
// does before every connection. Then what verify_host_key does with the store: look up a few
// hosts with a server key (match, changed key or unknown) and, for a changed key, fingerprint the
// key the file holds. A plain `name ssh-ed25519 <base64> [comment]` line, read the way OpenSSH
// reads it, must make its host match its key.
//
// libssh2 itself is not instrumented for coverage; ASan still checks the memory it touches
// through libc (memcpy, strlen, ...) and every block it allocates.

#include "fuzz_support.hpp"

#include "ssh/known_hosts_file.hpp"

#include <rio/kernel/ssh/target.hpp>

#include <libssh2.h>
#include <sodium.h>

#include <algorithm>
#include <memory>
#include <vector>

namespace {

namespace ssh = rio::kernel::ssh;
using rio::fuzz::require;

using store_ptr = std::unique_ptr<LIBSSH2_KNOWNHOSTS, void (*)(LIBSSH2_KNOWNHOSTS*)>;

LIBSSH2_SESSION* session() {
  // One session for the process: libssh2 needs one to allocate a store, not a connection.
  static LIBSSH2_SESSION* const s = [] {
    require(libssh2_init(0) == 0 && sodium_init() >= 0, "libssh2 and libsodium initialise");
    LIBSSH2_SESSION* made = libssh2_session_init();
    require(made != nullptr, "a libssh2 session can be made");
    return made;
  }();
  return s;
}

store_ptr new_store() {
  store_ptr store{libssh2_knownhost_init(session()), libssh2_knownhost_free};
  require(store != nullptr, "a known_hosts store can be made");
  return store;
}

// A server's host key as libssh2_session_hostkey returns it: the SSH wire blob. Its bytes only
// need to differ from what the file holds; the type bit says which entries it is compared with.
const std::string& server_key() {
  static const std::string blob = std::string{"\0\0\0\x0bssh-ed25519\0\0\0\x20", 19} + std::string(32, '\x5a');
  return blob;
}

// verify_host_key's lookup for one host and port, with a key of `key_bit`'s type.
void look_up(LIBSSH2_KNOWNHOSTS* store, const std::string& host, int port, int key_bit) {
  libssh2_knownhost* found = nullptr;
  const int check = libssh2_knownhost_checkp(store, host.c_str(), port, server_key().data(), server_key().size(),
                                             LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | key_bit, &found);
  if (check == LIBSSH2_KNOWNHOST_CHECK_MISMATCH) {
    // The message shows the fingerprint of the key known_hosts expects.
    const std::string fp = ssh::detail::fingerprint_of_base64(found != nullptr ? found->key : nullptr);
    require(fp.starts_with("SHA256:"), "a changed key's fingerprint is shown", fp);
  }
}

// "[host]:port" as known_hosts spells a non-standard port, else the name on port 22.
std::pair<std::string, int> host_and_port(const std::string& name) {
  if (name.starts_with('[')) {
    if (auto close = name.find("]:"); close != std::string::npos) {
      int port = 0;
      for (char c : name.substr(close + 2)) {
        if (c < '0' || c > '9' || port > 65535) return {name, 22};
        port = port * 10 + (c - '0');
      }
      return {name.substr(1, close - 1), port};
    }
  }
  return {name, 22};
}

struct pinned {
  std::string name;
  std::string blob;
};

// Lines whose meaning is beyond doubt, read as OpenSSH reads known_hosts: one plain host name,
// ssh-ed25519, the canonical base64 of an ed25519 key blob, maybe a comment; blanks and tabs
// between fields, a CRLF line end allowed. Patterns, hashed names, lists, brackets and other key types are left out.
std::vector<pinned> plain_ed25519_lines(std::string_view text) {
  std::vector<pinned> out;
  while (!text.empty() && out.size() < 8) {
    const auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.find('\0') != std::string_view::npos) continue;
    std::vector<std::string_view> fields;
    for (std::size_t i = 0; i < line.size();) {
      const auto start = line.find_first_not_of(" \t", i);
      if (start == std::string_view::npos) break;
      const auto end = std::min(line.find_first_of(" \t", start), line.size());
      fields.push_back(line.substr(start, end - start));
      i = end;
    }
    if (fields.size() < 3 || fields[1] != "ssh-ed25519" || fields[0].size() > 253) continue;
    bool plain = std::all_of(fields[0].begin(), fields[0].end(), [](char c) {
      return c > ' ' && c < 0x7f && std::string_view{",[]|*?!#@"}.find(c) == std::string_view::npos;
    });
    if (!plain || fields[0].front() == '#' || fields[0].front() == '@') continue;
    const std::string_view key = fields[2];
    std::string blob(key.size(), '\0');
    std::size_t len = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(blob.data()), blob.size(), key.data(), key.size(), nullptr, &len,
                          nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 || len == 0) {
      continue;
    }
    blob.resize(len);
    // A real ed25519 key (libssh2 refuses keys it finds too short, and rightly so).
    if (blob.size() != 51 || !blob.starts_with(std::string_view{"\0\0\0\x0bssh-ed25519\0\0\0\x20", 19})) continue;
    std::string again(sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(again.data(), again.size(), reinterpret_cast<const unsigned char*>(blob.data()), len,
                      sodium_base64_VARIANT_ORIGINAL);
    if (std::string_view{again.c_str()} != key) continue;  // not canonical: libssh2 compares the text
    out.push_back({std::string{fields[0]}, std::move(blob)});
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = rio::fuzz::text_of(data, size);
  store_ptr store = new_store();
  const std::size_t accepted = ssh::detail::add_known_hosts_text(store.get(), text);

  std::size_t entries = 0;
  libssh2_knownhost* prev = nullptr;
  libssh2_knownhost* entry = nullptr;
  while (libssh2_knownhost_get(store.get(), &entry, prev) == 0) {
    prev = entry;
    if (++entries > 8) continue;  // counted, not all looked at: lookups are linear in the store
    const int key_bit = entry->typemask & LIBSSH2_KNOWNHOST_KEY_MASK;
    if ((entry->typemask & LIBSSH2_KNOWNHOST_TYPE_MASK) == LIBSSH2_KNOWNHOST_TYPE_PLAIN && entry->name != nullptr) {
      auto [host, port] = host_and_port(entry->name);
      look_up(store.get(), ssh::bare_host(host), port, key_bit);
    }
    // libssh2_knownhost_writeline is not called: rio writes its own lines, and libssh2 1.10's
    // writer over-reads the salt of a hashed entry whose salt is empty (`|1||<hash> ...`), a
    // heap-buffer-overflow in libssh2 found here that rio's own calls do not reach.
  }
  // No promise ties `accepted` to `entries`: libssh2 answers success for some lines it skips
  // (an unknown key type without a key) and adds several entries for a name list.
  (void)accepted;

  for (const auto& p : plain_ed25519_lines(text)) {
    // Looked up by its canonical spelling, as verify_host_key does ("2222" is the IPv4 literal
    // 0.0.8.174 to inet_aton, and the file's names are read canonically too).
    const std::string name = ssh::canonical_host(p.name);
    const int check = libssh2_knownhost_checkp(store.get(), name.c_str(), 22, p.blob.data(), p.blob.size(),
                                               LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW |
                                                   LIBSSH2_KNOWNHOST_KEY_ED25519,
                                               nullptr);
    require(check == LIBSSH2_KNOWNHOST_CHECK_MATCH, "a pinned ed25519 key matches its host", p.name);
  }

  // The hosts of a typical run, as verify_host_key asks for them.
  look_up(store.get(), "example.com", 22, LIBSSH2_KNOWNHOST_KEY_ED25519);
  look_up(store.get(), "127.0.0.1", 2222, LIBSSH2_KNOWNHOST_KEY_ED25519);
  look_up(store.get(), "2001:db8::1", 22, LIBSSH2_KNOWNHOST_KEY_SSHRSA);
  return 0;
}
