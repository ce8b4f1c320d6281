#include <rio/sdk/error.hpp>

#include <boost/system/system_error.hpp>
#include <boost/throw_exception.hpp>

namespace rio::sdk {
namespace {

// error_category's destructor is protected and non-virtual by design; categories are never
// deleted through a base pointer.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class sdk_category_impl final : public boost::system::error_category {
 public:
  // A fixed id makes codes from different shared objects compare equal even though each
  // module has its own copy of this object (hidden visibility).
  constexpr sdk_category_impl() noexcept : error_category(0x72696f2e73646b31ULL) {}

  const char* name() const noexcept override { return "rio.sdk"; }

  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::invalid_option: return "invalid_option";
      case errc::unknown_option: return "unknown_option";
      case errc::template_error: return "template_error";
      case errc::invalid_spec: return "invalid_spec";
      case errc::exec_failed: return "exec_failed";
      case errc::connection_lost: return "connection_lost";
      case errc::timed_out: return "timed_out";
      case errc::cancelled: return "cancelled";
      case errc::upload_failed: return "upload_failed";
      case errc::missing_asset: return "missing_asset";
      case errc::bad_probe_report: return "bad_probe_report";
      case errc::module_threw: return "module_threw";
      case errc::not_supported: return "not_supported";
    }
    return "unknown rio.sdk error " + std::to_string(ev);
  }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& sdk_category() noexcept {
  static const sdk_category_impl instance;
  return instance;
}

std::string error::describe() const {
  std::string text = message.empty() ? code.message() : message;
  text += " (";
  text += code.category().name();
  text += ':';
  text += code.message();
  text += ')';
  return text;
}

void throw_exception_from_error(const error& e, const boost::source_location& loc) {
  boost::throw_exception(boost::system::system_error(e.code, e.message), loc);
}

}  // namespace rio::sdk
