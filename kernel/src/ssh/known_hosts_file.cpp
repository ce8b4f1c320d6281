#include "known_hosts_file.hpp"

#include <rio/kernel/ssh/target.hpp>

#include <sodium.h>

#include <algorithm>
#include <cctype>

#include <fstream>
#include <iterator>
#include <vector>

namespace rio::kernel::ssh::detail {
namespace {

// One plain name of a host field: "name", "[name]:port", or a pattern.
std::string canonical_name(std::string_view name) {
  if (name.find_first_of("*?!") != std::string_view::npos) {
    std::string lower{name};
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower;
  }
  if (name.starts_with('[')) {
    const auto close = name.find("]:");
    if (close != std::string_view::npos) return "[" + canonical_host(name.substr(1, close - 1)) + std::string{name.substr(close)};
  }
  return canonical_host(name);
}

}  // namespace

// rio looks a host up by its canonical spelling (ssh::canonical_host: lower-case names, one form
// per IP address), so the plain names of a line are read in the same spelling: an entry written
// as `LocalHost` or `[127.000.0.1]:22` still pins its key, and a host typed differently cannot
// pass as unknown and have another key accepted. Hashed names (|1|...) were hashed by OpenSSH
// from the lower-case name it looks up, which is canonical for names.
std::string canonical_host_field(std::string_view line) {
  const auto first = line.find_first_not_of(" \t");
  if (first == std::string_view::npos || line[first] == '|') return std::string{line};
  auto end = line.find_first_of(" \t", first);
  if (end == std::string_view::npos) end = line.size();
  std::string names;
  std::string_view field = line.substr(first, end - first);
  while (true) {
    const auto comma = field.find(',');
    names += canonical_name(field.substr(0, comma));
    if (comma == std::string_view::npos) break;
    names += ',';
    field.remove_prefix(comma + 1);
  }
  return std::string{line.substr(0, first)} + names + std::string{line.substr(end)};
}

// Line by line rather than libssh2_knownhost_readfile, which gives up on the whole file at the
// first line it cannot parse (certificate authorities, security-key types): such lines are
// skipped, as OpenSSH skips what it does not understand, and the rest still count.
std::size_t add_known_hosts_text(LIBSSH2_KNOWNHOSTS* known, std::string_view text) {
  std::size_t accepted = 0;
  while (!text.empty()) {
    const auto eol = text.find('\n');
    // A NUL-terminated copy per line, as std::getline gave before: libssh2 gets no view into
    // the caller's buffer.
    std::string line{text.substr(0, eol)};
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    // A file saved with CRLF endings: libssh2 would keep the '\r' as part of a key written
    // without a comment, so the right key would then be reported as CHANGED (found with
    // tests/fuzz/known_hosts_fuzz.cpp). OpenSSH reads such lines; so does rio.
    if (line.ends_with('\r')) line.pop_back();
    // A NUL byte is no text: libssh2 reads parts of the line as C strings, so it would store
    // something other than what the line says (even an entry for a line that is one NUL byte).
    if (line.find('\0') != std::string::npos) continue;
    auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#' || line[first] == '@') continue;
    line = canonical_host_field(line);
    // libssh2 1.10 takes a host field shorter than 3 characters for a hashed one (|1|...) and
    // drops the line without an error, so the key of a host called "db" was never found: strict
    // refused the host for ever, and accept-new recorded and trusted whatever key it was offered
    // on every connection (found with tests/fuzz/known_hosts_fuzz.cpp). As a list, "db,db", the
    // name goes through libssh2's plain-name reader instead (one entry per name; a duplicate is
    // harmless).
    if (const auto end = line.find_first_of(" \t", first); end != std::string::npos && end - first < 3) {
      line.insert(end, "," + line.substr(first, end - first));
    }
    if (libssh2_knownhost_readline(known, line.data(), line.size(), LIBSSH2_KNOWNHOST_FILE_OPENSSH) == 0) ++accepted;
  }
  return accepted;
}

void load_known_hosts(LIBSSH2_KNOWNHOSTS* known, const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  const std::string text{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
  add_known_hosts_text(known, text);
}

// libsodium is used for hashing and base64 only; secrets never pass through here.
std::string fingerprint_of(const unsigned char* blob, std::size_t len) {
  if (sodium_init() < 0) return "SHA256:?";
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, blob, len);
  char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];
  sodium_bin2base64(b64, sizeof b64, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
  return std::string{"SHA256:"} + b64;
}

std::string fingerprint_of_base64(const char* key_b64) {
  // An empty key (a line cut short after its key type, which libssh2 keeps) has no fingerprint.
  // It also left the buffer below empty, and a null data() is undefined behaviour for libsodium's
  // non-null parameters (found by tests/fuzz/known_hosts_fuzz.cpp under UBSan).
  if (key_b64 == nullptr || *key_b64 == '\0' || sodium_init() < 0) return "SHA256:?";
  std::string text{key_b64};
  std::vector<unsigned char> blob(text.size());
  std::size_t len = 0;
  if (sodium_base642bin(blob.data(), blob.size(), text.data(), text.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return "SHA256:?";
  }
  return fingerprint_of(blob.data(), len);
}

}  // namespace rio::kernel::ssh::detail
