#pragma once
// Vault error codes (category "rio.vault"). Results use rio::sdk::error: a code plus a message
// that names the file, field or key source and the problem. Messages never contain a secret value,
// not even a fragment of one; they name things (paths, providers, fields, fingerprints) instead.

#include <rio/sdk/error.hpp>

namespace rio::vault {

enum class errc {
  no_key = 1,             ///< the vault is encrypted and no key source is configured
  bad_key,                ///< a key or passphrase has the wrong length or encoding
  unsafe_key_file,        ///< the key file is group/world accessible or not a regular file
  wrong_key,              ///< no available key matches the vault's key fingerprint
  decrypt_failed,         ///< authentication failed: the ciphertext or its header was altered
  corrupt_file,           ///< not JSON, a field missing or of the wrong type, bad base64, truncated
  unsupported_version,    ///< the envelope's version is not one rio reads
  unsupported_algorithm,  ///< the envelope names an algorithm rio does not implement
  legacy_format,          ///< the file was written by the Python original; import it first
  stale_key,              ///< the configured key was rotated away; writes are refused until updated
  io_error,               ///< a file system call failed (the message names the path and errno text)
  invalid_argument,       ///< a provider or field name, path or value is not acceptable
  invalid_field,          ///< a connection field (user, port, ...) fails validation
  conflict,               ///< legacy import would overwrite different data already in the vault
  not_found,              ///< the provider or field does not exist
  audit_failed,           ///< the audit line could not be appended to logs/security.log
  crypto_unavailable,     ///< libsodium or libcrypto could not be initialised, or ran out of memory
};

/** The category "rio.vault", with a fixed id so codes compare equal across shared objects. */
const boost::system::error_category& vault_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), vault_category()}; }

inline sdk::error fail(errc e, std::string message) { return sdk::error{make_error_code(e), std::move(message)}; }

template <class T>
using result = sdk::result<T>;

}  // namespace rio::vault

template <>
struct boost::system::is_error_code_enum<rio::vault::errc> : std::true_type {};
