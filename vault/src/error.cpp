#include <rio/vault/error.hpp>

namespace rio::vault {
namespace {

// error_category's destructor is protected and non-virtual by design; categories are never
// deleted through a base pointer.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class vault_category_impl final : public boost::system::error_category {
 public:
  // "rio.vlt1": fixed so that codes compare equal wherever this object is duplicated.
  constexpr vault_category_impl() noexcept : error_category(0x72696f2e766c7431ULL) {}
  const char* name() const noexcept override { return "rio.vault"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::no_key: return "no_key";
      case errc::bad_key: return "bad_key";
      case errc::unsafe_key_file: return "unsafe_key_file";
      case errc::wrong_key: return "wrong_key";
      case errc::decrypt_failed: return "decrypt_failed";
      case errc::corrupt_file: return "corrupt_file";
      case errc::unsupported_version: return "unsupported_version";
      case errc::unsupported_algorithm: return "unsupported_algorithm";
      case errc::legacy_format: return "legacy_format";
      case errc::stale_key: return "stale_key";
      case errc::io_error: return "io_error";
      case errc::invalid_argument: return "invalid_argument";
      case errc::invalid_field: return "invalid_field";
      case errc::conflict: return "conflict";
      case errc::not_found: return "not_found";
      case errc::audit_failed: return "audit_failed";
      case errc::crypto_unavailable: return "crypto_unavailable";
    }
    return "unknown rio.vault error " + std::to_string(ev);
  }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& vault_category() noexcept {
  static const vault_category_impl instance;
  return instance;
}

}  // namespace rio::vault
