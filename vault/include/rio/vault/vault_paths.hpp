#pragma once
// Where the vault's files live under rio's root. The names are the Python original's, so an
// existing ComfyVN tree works unchanged; the .previous/.pending/.lock files are rio's.

#include <filesystem>

namespace rio::vault {

struct vault_paths {
  explicit vault_paths(const std::filesystem::path& root);

  std::filesystem::path root;
  std::filesystem::path config_dir;         ///< <root>/config (created 0700)
  std::filesystem::path vault_file;         ///< config/comfyvn.secrets.json: the envelope
  std::filesystem::path key_file;           ///< config/comfyvn.secrets.key: key text, 0600
  std::filesystem::path previous_key_file;  ///< key file + ".previous": the old key during a rotation
  std::filesystem::path pending_key_file;   ///< key file + ".pending": a rotated env key until adopted
  std::filesystem::path lock_file;          ///< config/comfyvn.secrets.lock: flock for writers
  std::filesystem::path audit_log;          ///< <root>/logs/security.log
  std::filesystem::path legacy_vault_file;  ///< <root>/comfyvn.secrets.json: the original's fallback
  std::filesystem::path legacy_key_file;    ///< <root>/comfyvn.secrets.key: the original's fallback
  /** config/comfyvn.secrets.json.legacy: the original's vault file, kept (a second name of the same
      file) while it is migrated in place, until the new vault has been read back. */
  std::filesystem::path legacy_backup_file;
};

}  // namespace rio::vault
