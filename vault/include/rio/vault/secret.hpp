#pragma once
// Secret bytes (passwords, private keys, passphrases) in memory that is wiped when released.
// Shared by the vault, which produces secrets, and the SSH transport, which consumes them; header
// only and without libsodium, so the transport needs nothing else from the vault to hold one.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <string.h>  // explicit_bzero (glibc): a wipe the optimiser may not remove

namespace rio::vault {

/** An allocator that zeroes memory before giving it back, so no copy of a secret outlives it. */
template <class T>
struct wiping_allocator {
  using value_type = T;
  wiping_allocator() noexcept = default;
  template <class U>
  wiping_allocator(const wiping_allocator<U>&) noexcept {}

  T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
  void deallocate(T* p, std::size_t n) noexcept {
    ::explicit_bzero(p, n * sizeof(T));
    std::allocator<T>{}.deallocate(p, n);
  }
  template <class U>
  bool operator==(const wiping_allocator<U>&) const noexcept { return true; }
};

/**
 * A string for secret values. Every buffer it ever allocated is zeroed on release, including
 * those left behind when it grows. It has no operator<< on purpose: a secret never goes to a
 * stream by accident. Short strings live in the object itself (SSO), so the destructor wipes
 * that storage too.
 */
class secret {
 public:
  using storage = std::basic_string<char, std::char_traits<char>, wiping_allocator<char>>;

  secret() = default;
  explicit secret(std::string_view value) : value_(value.data(), value.size()) {}
  secret(const secret&) = default;
  secret(secret&&) noexcept = default;
  secret& operator=(const secret&) = default;
  secret& operator=(secret&&) noexcept = default;
  ~secret() { wipe(); }

  /** Read access for the one call that needs the bytes (libssh2, libsodium). */
  std::string_view reveal() const noexcept { return {value_.data(), value_.size()}; }
  const char* data() const noexcept { return value_.data(); }
  std::size_t size() const noexcept { return value_.size(); }
  bool empty() const noexcept { return value_.empty(); }

  /** A secret of `n` zero bytes, to be filled through writable_data() (decryption, key reads). */
  static secret zeroed(std::size_t n) {
    secret s;
    s.value_.assign(n, '\0');
    return s;
  }
  /** Write access for the one call that produces the bytes; the size does not change. */
  char* writable_data() noexcept { return value_.data(); }
  /** Appends bytes; a reallocation wipes the buffer it leaves behind (wiping_allocator). */
  void append(std::string_view bytes) { value_.append(bytes.data(), bytes.size()); }
  /** Shrinks to `n` bytes, zeroing the bytes cut off first (they stay in the capacity). */
  void truncate(std::size_t n) noexcept {
    if (n >= value_.size()) return;
    ::explicit_bzero(value_.data() + n, value_.size() - n);
    value_.resize(n);
  }

  /** Zeroes the contents now (the capacity stays allocated until destruction). */
  void wipe() noexcept {
    if (!value_.empty()) ::explicit_bzero(value_.data(), value_.size());
    value_.clear();
  }

 private:
  storage value_;
};

}  // namespace rio::vault
