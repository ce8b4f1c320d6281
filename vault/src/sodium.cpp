#include "sodium.hpp"

#include <sodium.h>


namespace rio::vault::detail {
namespace {

int variant_of(b64 alphabet, bool padded) {
  if (alphabet == b64::urlsafe) return padded ? sodium_base64_VARIANT_URLSAFE : sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  return padded ? sodium_base64_VARIANT_ORIGINAL : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
}

// Decodes into `out` (sized generously, then truncated); the caller picks the memory kind.
bool decode_into(std::string_view text, b64 alphabet, bool padded, char* out, std::size_t capacity,
                 std::size_t& written) {
  written = 0;
  if (text.empty()) return false;
  // A null end pointer makes libsodium reject input that is not consumed entirely.
  return sodium_base642bin(reinterpret_cast<unsigned char*>(out), capacity, text.data(), text.size(), nullptr,
                           &written, nullptr, variant_of(alphabet, padded)) == 0;
}

}  // namespace

result<void> ensure_sodium() {
  static const int status = [] { return sodium_init(); }();
  if (status < 0) return fail(errc::crypto_unavailable, "libsodium could not be initialised (sodium_init failed)");
  return {};
}

secret random_secret(std::size_t n) {
  secret s = secret::zeroed(n);
  randombytes_buf(s.writable_data(), n);
  return s;
}

std::string random_bytes(std::size_t n) {
  std::string s(n, '\0');
  randombytes_buf(s.data(), n);
  return s;
}

std::string to_base64(std::string_view bytes, b64 alphabet) {
  const int variant = variant_of(alphabet, true);
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), variant);
  out.resize(out.size() - 1);  // the encoder's terminating NUL
  return out;
}

secret to_base64_secret(std::string_view bytes, b64 alphabet) {
  const int variant = variant_of(alphabet, true);
  const std::size_t len = sodium_base64_encoded_len(bytes.size(), variant);
  secret out = secret::zeroed(len);
  sodium_bin2base64(out.writable_data(), len, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    variant);
  out.truncate(len - 1);
  return out;
}

std::optional<std::string> from_base64(std::string_view text, b64 alphabet, bool padded) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t written = 0;
  if (!decode_into(text, alphabet, padded, out.data(), out.size(), written)) return std::nullopt;
  out.resize(written);
  return out;
}

bool from_base64_secret(std::string_view text, b64 alphabet, bool padded, secret& out) {
  out = secret::zeroed(text.size() / 4 * 3 + 3);
  std::size_t written = 0;
  if (!decode_into(text, alphabet, padded, out.writable_data(), out.size(), written)) {
    out.wipe();
    return false;
  }
  out.truncate(written);
  return true;
}

std::string to_hex(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  out.resize(bytes.size() * 2);
  return out;
}

bool from_hex_secret(std::string_view text, secret& out) {
  if (text.empty() || text.size() % 2 != 0) return false;
  out = secret::zeroed(text.size() / 2);
  std::size_t written = 0;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(out.writable_data()), out.size(), text.data(), text.size(),
                     nullptr, &written, nullptr) != 0 ||
      written != out.size()) {
    out.wipe();
    return false;
  }
  return true;
}

bool equal_constant_time(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace rio::vault::detail
