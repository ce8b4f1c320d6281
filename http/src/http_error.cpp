#include "http_error.hpp"

namespace rio::http {
namespace {

// error_category's destructor is protected and non-virtual by design; categories are never
// deleted through a base pointer.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class http_category_impl final : public boost::system::error_category {
 public:
  constexpr http_category_impl() noexcept : error_category(0x72696f2e68747470ULL) {}  // "rio.http"
  const char* name() const noexcept override { return "rio.http"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::too_many_webhooks: return "too_many_webhooks";
      case errc::unsafe_token_file: return "unsafe_token_file";
      case errc::bad_token_file: return "bad_token_file";
      case errc::unreadable_file: return "unreadable_file";
    }
    return "unknown rio.http error";
  }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& http_category() noexcept {
  static const http_category_impl instance;
  return instance;
}

}  // namespace rio::http
