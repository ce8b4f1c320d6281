#include <rio/kernel/ssh/error.hpp>

namespace rio::kernel::ssh {
namespace {

// error_category's destructor is protected and non-virtual by design.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class ssh_category_impl final : public boost::system::error_category {
 public:
  constexpr ssh_category_impl() noexcept : error_category(0x72696f2e73736831ULL) {}
  const char* name() const noexcept override { return "rio.ssh"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::invalid_target: return "invalid_target";
      case errc::resolve_failed: return "resolve_failed";
      case errc::connect_failed: return "connect_failed";
      case errc::connect_timed_out: return "connect_timed_out";
      case errc::handshake_failed: return "handshake_failed";
      case errc::host_key_unknown: return "host_key_unknown";
      case errc::host_key_changed: return "host_key_changed";
      case errc::auth_failed: return "auth_failed";
      case errc::channel_failed: return "channel_failed";
      case errc::connection_lost: return "connection_lost";
      case errc::upload_failed: return "upload_failed";
      case errc::not_allowed: return "not_allowed";
      case errc::bad_option: return "bad_option";
    }
    return "unknown rio.ssh error " + std::to_string(ev);
  }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& ssh_category() noexcept {
  static const ssh_category_impl instance;
  return instance;
}

}  // namespace rio::kernel::ssh
