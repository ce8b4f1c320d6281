#include "key_sources.hpp"

#include "secure_file.hpp"
#include "sodium.hpp"

#include <cerrno>

#include <sys/stat.h>

namespace rio::vault {

std::string_view describe(key_source source) noexcept {
  switch (source) {
    case key_source::environment: return env_secrets_key;
    case key_source::key_file: return "key file";
    case key_source::passphrase: return env_secrets_passphrase;
  }
  return "unknown";
}

namespace detail {

result<std::optional<key_source>> key_sources::configured() const {
  if (env_.find(env_secrets_key) != nullptr) return std::optional{key_source::environment};
  struct stat st {};
  // lstat: a key file that is a link (even a dangling one) is configured, and then refused.
  if (::lstat(paths_.key_file.c_str(), &st) == 0) return std::optional{key_source::key_file};
  if (errno != ENOENT) return io_failure("cannot check", paths_.key_file, errno);
  if (env_.find(env_secrets_passphrase) != nullptr) return std::optional{key_source::passphrase};
  return std::optional<key_source>{};
}

result<key_candidate> key_sources::env_key() const {
  const secret* text = env_.find(env_secrets_key);
  if (text == nullptr) return fail(errc::no_key, std::string{env_secrets_key} + " is not set");
  auto key = master_key::parse(text->reveal(), env_secrets_key);
  if (!key) return key.error();
  return key_candidate{key_origin::env_key, env_secrets_key, std::move(*key)};
}

result<std::optional<key_candidate>> key_sources::file_key(const std::filesystem::path& file, key_origin origin) const {
  auto text = read_private_file(file);
  if (!text) return text.error();
  if (!*text) return std::optional<key_candidate>{};
  auto key = master_key::parse((*text)->reveal(), file.string());
  if (!key) return key.error();
  return std::optional{key_candidate{origin, file.string(), std::move(*key)}};
}

result<std::optional<key_candidate>> key_sources::passphrase_key(const char* variable, const kdf_header& kdf) {
  const secret* passphrase = env_.find(variable);
  if (passphrase == nullptr) return std::optional<key_candidate>{};
  const key_origin origin = std::string_view{variable} == env_secrets_passphrase ? key_origin::passphrase
                                                                                 : key_origin::new_passphrase;
  for (const auto& c : cache_) {
    if (c.variable == variable && c.salt == kdf.salt && c.params.opslimit == kdf.params.opslimit &&
        c.params.memlimit == kdf.params.memlimit && equal_constant_time(c.passphrase.reveal(), passphrase->reveal())) {
      return std::optional{key_candidate{origin, variable, c.key}};
    }
  }
  std::optional<master_key> kept = shared_ != nullptr ? shared_->find(passphrase->reveal(), kdf.salt, kdf.params) : std::nullopt;
  if (kept) {
    cache_.push_back({variable, *passphrase, kdf.salt, kdf.params, *kept});
    return std::optional{key_candidate{origin, variable, std::move(*kept)}};
  }
  auto key = master_key::from_passphrase(passphrase->reveal(), kdf.salt, kdf.params, variable);
  if (!key) return key.error();
  if (shared_ != nullptr) shared_->keep(passphrase->reveal(), kdf.salt, kdf.params, *key);
  cache_.push_back({variable, *passphrase, kdf.salt, kdf.params, *key});
  return std::optional{key_candidate{origin, variable, std::move(*key)}};
}

result<std::vector<key_candidate>> key_sources::candidates(const envelope& e, key_source source) {
  std::vector<key_candidate> out;
  switch (source) {
    case key_source::environment: {
      auto primary = env_key();
      if (!primary) return primary.error();
      out.push_back(std::move(*primary));
      // A rotation under an env key leaves the new key here until the operator adopts it.
      auto pending = file_key(paths_.pending_key_file, key_origin::pending_key_file);
      if (!pending) return pending.error();
      if (*pending) out.push_back(std::move(**pending));
      break;
    }
    case key_source::key_file: {
      for (auto [file, origin] : {std::pair{&paths_.key_file, key_origin::key_file},
                                  std::pair{&paths_.previous_key_file, key_origin::previous_key_file}}) {
        auto key = file_key(*file, origin);
        if (!key) return key.error();
        if (*key) out.push_back(std::move(**key));
      }
      break;
    }
    case key_source::passphrase: {
      if (!e.kdf) {
        return fail(errc::wrong_key, paths_.vault_file.string() + ": sealed with a key, not a passphrase; set " +
                                         env_secrets_key + " or restore the key file");
      }
      // COMFYVN_SECRETS_NEW_PASSPHRASE is only set while a passphrase change is under way; a
      // rotation killed after its rename leaves the vault sealed under it.
      for (const char* variable : {env_secrets_passphrase, env_secrets_new_passphrase}) {
        auto key = passphrase_key(variable, *e.kdf);
        if (!key) return key.error();
        if (*key) out.push_back(std::move(**key));
      }
      break;
    }
  }
  return out;
}

}  // namespace detail
}  // namespace rio::vault
