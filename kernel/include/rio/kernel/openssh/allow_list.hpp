#pragma once
// The local executables the OpenSSH transport may run. The list belongs to the server (its
// configuration or its PATH at start); a request may only NAME one of its entries, the original
// API's `ssh_command` / `scp_command`, and never adds arguments or environment to it.

#include <rio/kernel/ssh/error.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace rio::kernel::openssh {

class allow_list {
 public:
  struct entry {
    std::filesystem::path path;       ///< absolute, as configured: what is executed (argv[0] included)
    std::filesystem::path canonical;  ///< symlinks resolved: what requests are compared against
  };

  /**
   * `ssh` and `scp` as found on this process's PATH (the default allow-list).
   * Errors: ssh::errc::not_allowed when `ssh` is not on PATH (scp is optional).
   */
  [[nodiscard]] static result<allow_list> system_default();

  /**
   * An explicit list, e.g. from the server configuration. Every entry must be an absolute path to
   * an existing executable. Errors: ssh::errc::bad_option naming the entry.
   */
  [[nodiscard]] static result<allow_list> from(const std::vector<std::filesystem::path>& executables);

  /**
   * The entry a request's `field` names. `requested` is a bare name (looked up on this process's
   * PATH) or an absolute path; empty selects the first entry whose file name is `default_name`.
   * The request is matched by canonical path, but the entry's own path is what runs, so a
   * symlink the requester controls is never executed.
   * Errors: ssh::errc::not_allowed naming `field`.
   */
  [[nodiscard]] result<std::filesystem::path> select(const std::string& field, const std::string& requested,
                                       const std::string& default_name) const;

  const std::vector<entry>& entries() const noexcept { return entries_; }

 private:
  std::vector<entry> entries_;
};

/** `name` looked up on `path_env` (a PATH value) like execvp; empty when not found. */
std::filesystem::path find_on_path(const std::string& name, const std::string& path_env);

}  // namespace rio::kernel::openssh
