#pragma once
// One run per host at a time, across processes: an exclusive flock(2) on the host's lock file
// for the whole apply. flock belongs to the open file description, so two runs inside one
// process exclude each other too, and the kernel drops the lock when a holder dies (kill -9
// included): a crash never leaves a host locked. The file is removed when the lock is released,
// so finished runs leave no lock files behind (a crash leaves one, which the next run reuses).

#include <rio/kernel/error.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <filesystem>
#include <string>

namespace rio::kernel::engine {

class host_lock {
 public:
  /**
   * Takes the lock without waiting. The holder's pid and run id are written into the file for
   * the message another run gets. Errors: errc::host_busy ("a run is in progress on <host>
   * (pid N, run R)"), errc::io_error.
   */
  static result<host_lock> try_acquire(const std::filesystem::path& file, const std::string& host,
                                       const std::string& run_id);

  /** Waits (polling every 200 ms, cancellable) up to `patience`, then fails like try_acquire. */
  static boost::asio::awaitable<result<host_lock>> acquire(std::filesystem::path file, std::string host,
                                                           std::string run_id, std::chrono::seconds patience);

  host_lock(host_lock&& other) noexcept;
  host_lock& operator=(host_lock&& other) noexcept;
  host_lock(const host_lock&) = delete;
  host_lock& operator=(const host_lock&) = delete;
  ~host_lock();

 private:
  host_lock(int fd, std::filesystem::path file) noexcept : fd_(fd), file_(std::move(file)) {}
  void release() noexcept;
  int fd_;
  std::filesystem::path file_;
};

}  // namespace rio::kernel::engine
