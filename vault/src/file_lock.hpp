#pragma once
// An flock(2) on config/comfyvn.secrets.lock around every read-modify-write, so that two rio
// processes never lose each other's update. Readers share the lock; writers and rotation take it
// exclusively. The lock file is never deleted (deleting a lock file races with its next opener).

#include <rio/vault/error.hpp>

#include <filesystem>

namespace rio::vault::detail {

class file_lock {
 public:
  enum class mode { shared, exclusive };

  /** Opens (creating 0600) and locks `file`, waiting for other holders. Errors: io_error. */
  [[nodiscard]] static result<file_lock> acquire(const std::filesystem::path& file, mode m);

  file_lock(file_lock&& other) noexcept;
  file_lock& operator=(file_lock&&) = delete;
  file_lock(const file_lock&) = delete;
  file_lock& operator=(const file_lock&) = delete;
  ~file_lock();

 private:
  explicit file_lock(int fd) noexcept : fd_(fd) {}
  int fd_;
};

}  // namespace rio::vault::detail
