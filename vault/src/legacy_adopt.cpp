// Reading the Python original's vault where it lies (issue 16, point 1). Its users had a
// config/comfyvn.secrets.json in its format (Fernet, or the specification's plaintext "minimal
// entry") and no reason to run an import: every vault operation migrates such a file first, with
// the original's key sources, through the crash-safe import (legacy_import.cpp), audited as the
// original's `secrets.upgraded`. The cost for a vault already in rio's format is one stat.
#include "vault_impl.hpp"

#include "secure_file.hpp"

#include <filesystem>

namespace rio::vault {
namespace {

using detail::file_lock;

bool file_exists(const std::filesystem::path& file) {
  std::error_code ec;
  return std::filesystem::exists(std::filesystem::symlink_status(file, ec));
}

// A migration in place that a crash interrupted after the new vault was renamed in: the vault
// opens, so the original's copy (its second name) has done its job. Zeroed when it was plaintext.
result<void> drop_finished_backup(const vault::impl& v) {
  detail::scrubber scrub{v.paths.legacy_backup_file};
  if (auto gone = detail::remove_file_durably(v.paths.legacy_backup_file, v.options.fault, "import.remove_backup"); !gone) {
    return gone.error();
  }
  scrub.scrub();
  return {};
}

// file_lock moves but does not assign.
void hold(std::optional<file_lock>& into, std::optional<file_lock>&& from) {
  into.reset();
  if (from) into.emplace(std::move(*from));
}

}  // namespace

result<detail::loaded_vault> vault::impl::load_adopting(std::optional<file_lock>& held, file_lock::mode m) {
  auto loaded = detail::load_vault(paths, keys, audit);
  const bool legacy = !loaded && loaded.error().code == make_error_code(errc::legacy_format);
  const bool fallback = loaded && !loaded->exists && file_exists(paths.legacy_vault_file);
  const bool leftover = loaded && loaded->exists && file_exists(paths.legacy_backup_file);
  if (!legacy && !fallback && !leftover) return loaded;

  // The migration writes, so it needs the exclusive lock: a reader lets go of its shared one
  // first (flock cannot upgrade in place) and takes it again afterwards.
  std::optional<file_lock> exclusive;
  if (m == file_lock::mode::shared) {
    held.reset();
    auto taken = lock(file_lock::mode::exclusive);
    if (!taken) return taken.error();
    hold(exclusive, std::move(*taken));
  }
  if (leftover && !legacy && !fallback) {
    if (auto dropped = drop_finished_backup(*this); !dropped) return dropped.error();
  } else if (auto migrated = import_locked({}, true); !migrated && migrated.error().code != make_error_code(errc::not_found)) {
    // not_found: another process migrated it while this one waited for the lock.
    return migrated.error();
  }
  if (m == file_lock::mode::shared) {
    exclusive.reset();
    auto again = lock(file_lock::mode::shared);
    if (!again) return again.error();
    hold(held, std::move(*again));
  }
  return detail::load_vault(paths, keys, audit);
}

}  // namespace rio::vault
