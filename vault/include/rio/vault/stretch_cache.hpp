#pragma once
// Passphrase stretches kept across vault objects. Argon2id costs a quarter of a GiB and most of a
// second by design, and a long-lived process (rio serve) opens a fresh vault for every request:
// without this cache it would pay that on every request. Keys are held in locked memory (never
// swapped), in guarded pages that are wiped when the cache is destroyed; the passphrase itself is
// not kept, only a keyed BLAKE2b digest of it. Thread-safe: one cache may serve several threads.

#include <rio/vault/master_key.hpp>

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

namespace rio::vault {

class stretch_cache {
 public:
  /** At most `capacity` stretches are kept; the oldest makes room for a new one. */
  explicit stretch_cache(std::size_t capacity = 4);
  ~stretch_cache();
  stretch_cache(const stretch_cache&) = delete;
  stretch_cache& operator=(const stretch_cache&) = delete;

  /** The key stretched earlier from this passphrase, salt and limits; nullopt when there is none. */
  std::optional<master_key> find(std::string_view passphrase, std::string_view salt, const kdf_params& params) const;

  /** Remembers `key` as the stretch of these inputs. */
  void keep(std::string_view passphrase, std::string_view salt, const kdf_params& params, const master_key& key);

  /** How many stretches were stored since construction (tests: a second open must not add one). */
  std::size_t stored() const;

  struct entry;

 private:
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<entry>> entries_;
  std::size_t stored_ = 0;
  unsigned char* digest_key_ = nullptr;  ///< random, in locked memory: digests mean nothing outside this process
};

}  // namespace rio::vault
