#include <rio/vault/stretch_cache.hpp>

#include "sodium.hpp"

#include <sodium.h>

#include <algorithm>
#include <string>

namespace rio::vault {

// sodium_malloc: its own pages, mlocked where the limits allow, guard pages around them, and
// wiped by sodium_free. The key and the passphrase digest share one such allocation.
struct stretch_cache::entry {
  static constexpr std::size_t digest_size = crypto_generichash_BYTES;
  explicit entry(unsigned char* b) : bytes(b) {}
  ~entry() { sodium_free(bytes); }
  entry(const entry&) = delete;
  entry& operator=(const entry&) = delete;
  unsigned char* bytes;  ///< master_key::size key bytes, then the passphrase digest
  std::string salt;
  kdf_params params;
  unsigned char* key() const { return bytes; }
  unsigned char* digest() const { return bytes + master_key::size; }
};

namespace {

void digest_of(std::string_view passphrase, const unsigned char* key, unsigned char* out) {
  crypto_generichash(out, stretch_cache::entry::digest_size, reinterpret_cast<const unsigned char*>(passphrase.data()),
                     passphrase.size(), key, crypto_generichash_KEYBYTES);
}

}  // namespace

stretch_cache::stretch_cache(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {
  if (!detail::ensure_sodium()) return;  // then nothing is ever kept: find() misses, keep() does nothing
  digest_key_ = static_cast<unsigned char*>(sodium_malloc(crypto_generichash_KEYBYTES));
  if (digest_key_ != nullptr) randombytes_buf(digest_key_, crypto_generichash_KEYBYTES);
}

stretch_cache::~stretch_cache() {
  entries_.clear();
  if (digest_key_ != nullptr) sodium_free(digest_key_);
}

std::optional<master_key> stretch_cache::find(std::string_view passphrase, std::string_view salt, const kdf_params& params) const {
  if (digest_key_ == nullptr) return std::nullopt;
  unsigned char digest[entry::digest_size];
  digest_of(passphrase, digest_key_, digest);
  std::lock_guard lock{mutex_};
  for (const auto& e : entries_) {
    if (e->salt == salt && e->params.opslimit == params.opslimit && e->params.memlimit == params.memlimit &&
        sodium_memcmp(e->digest(), digest, sizeof digest) == 0) {
      sodium_memzero(digest, sizeof digest);
      return master_key{secret{std::string_view{reinterpret_cast<const char*>(e->key()), master_key::size}}};
    }
  }
  sodium_memzero(digest, sizeof digest);
  return std::nullopt;
}

void stretch_cache::keep(std::string_view passphrase, std::string_view salt, const kdf_params& params, const master_key& key) {
  if (digest_key_ == nullptr || key.reveal().size() != master_key::size) return;
  auto* bytes = static_cast<unsigned char*>(sodium_malloc(master_key::size + entry::digest_size));
  if (bytes == nullptr) return;  // out of locked memory: stretching again later is slow, not wrong
  auto e = std::make_unique<entry>(bytes);
  std::copy(key.reveal().begin(), key.reveal().end(), e->key());
  digest_of(passphrase, digest_key_, e->digest());
  e->salt = std::string{salt};
  e->params = params;
  std::lock_guard lock{mutex_};
  if (entries_.size() >= capacity_) entries_.erase(entries_.begin());
  entries_.push_back(std::move(e));
  ++stored_;
}

std::size_t stretch_cache::stored() const {
  std::lock_guard lock{mutex_};
  return stored_;
}

}  // namespace rio::vault
