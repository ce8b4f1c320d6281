#pragma once
// One sshd child of a throwaway host: started with `-D -e -f <config>`, ready when it logs that
// it listens (never a sleep), its stderr copied into a log file by a thread so it never blocks,
// and stopped together with everything its sessions started.

#include <rio/kernel/error.hpp>

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace rio::kernel::sandbox::detail {

class sshd_process {
 public:
  /**
   * Spawns `program -D -e -f config` (in rio's process group, so a Ctrl-C that ends rio ends sshd
   * too) with `marker` ("NAME=value") and `extra_env` added to its environment, and waits until sshd logs
   * "Server listening on". Everything it logs is appended to `log_file`. When it does not start,
   * it is ended and reaped; `port_taken` then tells whether its port was in use (try another).
   * Errors: errc::bad_config with the tail of sshd's log.
   */
  static result<std::unique_ptr<sshd_process>> start(const std::filesystem::path& program,
                                                     const std::filesystem::path& config, const std::string& marker,
                                                     const std::filesystem::path& log_file,
                                                     std::chrono::seconds ready_timeout, bool& port_taken,
                                                     const std::vector<std::string>& extra_env = {});

  ~sshd_process();  ///< stop()
  sshd_process(const sshd_process&) = delete;
  sshd_process& operator=(const sshd_process&) = delete;

  pid_t pid() const noexcept { return pid_; }

  /**
   * Ends sshd and every process that descends from it or carries `marker` in its environment
   * (end_processes), reaps sshd and joins the log thread. Idempotent.
   */
  void stop(bool hard = false);

 private:
  sshd_process(pid_t pid, std::string marker) : pid_(pid), marker_(std::move(marker)) {}

  pid_t pid_ = -1;
  std::string marker_;
  int wake_read_ = -1;  // owned here, not by the thread: stop() can always write to wake_write_
  int wake_write_ = -1;
  std::thread drain_;
};

}  // namespace rio::kernel::sandbox::detail
