#include <rio/kernel/error.hpp>

namespace rio::kernel {
namespace {

// error_category's destructor is protected and non-virtual by design; categories are never
// deleted through a base pointer.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class kernel_category_impl final : public boost::system::error_category {
 public:
  constexpr kernel_category_impl() noexcept : error_category(0x72696f2e6b726e31ULL) {}
  const char* name() const noexcept override { return "rio.kernel"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::plugin_dir_missing: return "plugin_dir_missing";
      case errc::unsafe_plugin_file: return "unsafe_plugin_file";
      case errc::not_a_plugin: return "not_a_plugin";
      case errc::load_failed: return "load_failed";
      case errc::abi_mismatch: return "abi_mismatch";
      case errc::boost_mismatch: return "boost_mismatch";
      case errc::compiler_abi_mismatch: return "compiler_abi_mismatch";
      case errc::header_hash_mismatch: return "header_hash_mismatch";
      case errc::invalid_module: return "invalid_module";
      case errc::duplicate_module: return "duplicate_module";
      case errc::module_threw: return "module_threw";
      case errc::plugin_call_timed_out: return "plugin_call_timed_out";
      case errc::bad_config: return "bad_config";
      case errc::bad_usage: return "bad_usage";
      case errc::bad_request: return "bad_request";
      case errc::io_error: return "io_error";
      case errc::host_busy: return "host_busy";
      case errc::corrupt_manifest: return "corrupt_manifest";
      case errc::other_plugin_kind: return "other_plugin_kind";
    }
    return "unknown rio.kernel error " + std::to_string(ev);
  }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& kernel_category() noexcept {
  static const kernel_category_impl instance;
  return instance;
}

}  // namespace rio::kernel
