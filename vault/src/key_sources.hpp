#pragma once
// Finding and loading the keys that may open a vault: the configured source's key plus the
// fallbacks a crashed or unfinished rotation leaves (key file .previous, env key .pending,
// COMFYVN_SECRETS_NEW_PASSPHRASE). Passphrase stretches are cached per salt (and in the shared
// stretch_cache when the vault has one): Argon2id is slow.

#include <rio/vault/envelope.hpp>
#include <rio/vault/environment.hpp>
#include <rio/vault/key_source.hpp>
#include <rio/vault/master_key.hpp>
#include <rio/vault/stretch_cache.hpp>
#include <rio/vault/vault_paths.hpp>

#include <optional>
#include <string>
#include <vector>

namespace rio::vault::detail {

enum class key_origin { env_key, key_file, previous_key_file, pending_key_file, passphrase, new_passphrase };

struct key_candidate {
  key_origin origin;
  std::string label;  ///< names the source in messages: a variable name or a file path
  master_key key;
};

class key_sources {
 public:
  key_sources(const vault_paths& paths, const environment& env, stretch_cache* shared = nullptr)
      : paths_(paths), env_(env), shared_(shared) {}

  /** The configured source, or nullopt. Errors: io_error (the key file cannot be checked). */
  [[nodiscard]] result<std::optional<key_source>> configured() const;

  /** The keys that may open `e` under `source`, in trial order. Errors: bad_key, unsafe_key_file. */
  [[nodiscard]] result<std::vector<key_candidate>> candidates(const envelope& e, key_source source);

  /** COMFYVN_SECRETS_KEY. */
  [[nodiscard]] result<key_candidate> env_key() const;
  /** A key file (config/comfyvn.secrets.key or a fallback), or nullopt when it does not exist. */
  [[nodiscard]] result<std::optional<key_candidate>> file_key(const std::filesystem::path& file, key_origin origin) const;
  /** Argon2id of the passphrase in `variable` with this salt and these limits; nullopt when unset. */
  [[nodiscard]] result<std::optional<key_candidate>> passphrase_key(const char* variable, const kdf_header& kdf);

 private:
  struct cached_stretch {
    std::string variable;
    secret passphrase;
    std::string salt;
    kdf_params params;
    master_key key;
  };
  const vault_paths& paths_;
  const environment& env_;
  stretch_cache* shared_;  ///< may be null
  std::vector<cached_stretch> cache_;
};

}  // namespace rio::vault::detail
