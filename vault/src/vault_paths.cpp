#include <rio/vault/vault_paths.hpp>

namespace rio::vault {

vault_paths::vault_paths(const std::filesystem::path& root_dir)
    : root(root_dir),
      config_dir(root_dir / "config"),
      vault_file(config_dir / "comfyvn.secrets.json"),
      key_file(config_dir / "comfyvn.secrets.key"),
      previous_key_file(config_dir / "comfyvn.secrets.key.previous"),
      pending_key_file(config_dir / "comfyvn.secrets.key.pending"),
      lock_file(config_dir / "comfyvn.secrets.lock"),
      audit_log(root_dir / "logs" / "security.log"),
      legacy_vault_file(root_dir / "comfyvn.secrets.json"),
      legacy_key_file(root_dir / "comfyvn.secrets.key"),
      legacy_backup_file(config_dir / "comfyvn.secrets.json.legacy") {}

}  // namespace rio::vault
