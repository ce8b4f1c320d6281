#pragma once
// A throwaway host whose account has another login shell (dash, busybox sh, bash in POSIX mode),
// without touching /etc/passwd or creating accounts: sshd runs under nss_wrapper (Debian's
// libnss-wrapper, the Samba project's test library that libssh's own tests use with sshd), which
// answers getpwnam() from a copy of /etc/passwd where only this account's shell differs. sshd
// then starts every session with that shell (`shell -c command`), exactly as on a real host.

#include <rio/kernel/error.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace rio::kernel::sandbox::detail {

/** The shells a throwaway host can give its account: "dash", "busybox" or "bash-posix". */
const std::vector<std::string>& login_shell_names();

/**
 * Creates `<dir>/shells/sh` (a link to the shell's program: busybox and bash choose their POSIX
 * sh personality from the name `sh`), `<dir>/passwd` and `<dir>/group`, and returns the
 * environment entries that make sshd see `user`'s shell as that link. Errors: errc::bad_config
 * naming the unknown shell, the missing program or the missing libnss_wrapper.so.
 */
result<std::vector<std::string>> login_shell_environment(const std::filesystem::path& dir, const std::string& user,
                                                         const std::string& shell);

}  // namespace rio::kernel::sandbox::detail
