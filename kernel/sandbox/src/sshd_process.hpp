#pragma once
// One sshd child of the launcher: started with `-D` and a config file, ready when it logs that it
// listens on every address (never a fixed sleep), its log kept as sshd_settings::log says, and
// stopped together with everything its sessions started. Private to rio_sandbox.

#include <rio/kernel/sandbox/sshd_launcher.hpp>

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

namespace rio::kernel::sandbox::detail {

class sshd_process {
 public:
  /**
   * Spawns `settings.program -D -f config` with settings.marker and settings.process_env added
   * to its environment, and waits until sshd logs "Server listening on" `listeners` times. When
   * it does not start, it is ended and reaped; `port_taken` then tells whether one of its ports
   * was in use (try others). settings.marker must be set. Errors: errc::bad_config with the tail
   * of sshd's log.
   */
  static result<std::unique_ptr<sshd_process>> start(const sshd_settings& settings,
                                                     const std::filesystem::path& config, std::size_t listeners,
                                                     bool& port_taken);

  ~sshd_process();  ///< stop()
  sshd_process(const sshd_process&) = delete;
  sshd_process& operator=(const sshd_process&) = delete;

  pid_t pid() const noexcept { return pid_; }

  /**
   * Ends sshd and every process that descends from it or carries the marker in its environment
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

/** The sshd_config text for `settings` listening on `endpoints`. */
std::string sshd_config_text(const sshd_settings& settings, const std::vector<sshd_endpoint>& endpoints);

}  // namespace rio::kernel::sandbox::detail
