#pragma once
// Kernel error codes (category "rio.kernel"). Results use rio::sdk::error so a kernel error and
// a module error travel the same way: a code plus a message naming the file, field or step.

#include <rio/sdk/error.hpp>

namespace rio::kernel {

enum class errc {
  plugin_dir_missing = 1,   ///< the plugin directory does not exist or is not a directory
  unsafe_plugin_file,       ///< group/world-writable, foreign owner, or not a regular file
  not_a_plugin,             ///< not an ELF shared object, or no rio_module_v<N> export
  load_failed,              ///< dlopen refused the file (missing symbols, wrong architecture)
  abi_mismatch,             ///< SDK ABI major/minor differ from the kernel's
  boost_mismatch,           ///< built against another BOOST_VERSION
  compiler_abi_mismatch,    ///< __GXX_ABI_VERSION or _GLIBCXX_USE_CXX11_ABI differ
  header_hash_mismatch,     ///< built against modified SDK headers
  invalid_module,           ///< the module's declared data is inconsistent
  duplicate_module,         ///< another loaded file already provides this module id
  module_threw,             ///< plugin code threw; converted at the boundary
  plugin_call_timed_out,    ///< a call into plugin code did not finish within its deadline
  bad_config,               ///< a configuration file is unreadable or has a wrong field
  bad_usage,                ///< the command line is wrong
  bad_request,              ///< a run request names an unknown module, a bad option or a bad host
  io_error,                 ///< a local file could not be read or written
  host_busy,                ///< another run holds the host's lock
  corrupt_manifest,         ///< a status manifest is not valid JSON of the expected shape
  other_plugin_kind,        ///< a valid plugin of another kind (a subscriber where an installer was wanted, or the reverse)
};

const boost::system::error_category& kernel_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), kernel_category()}; }

inline sdk::error fail(errc e, std::string message) { return sdk::error{make_error_code(e), std::move(message)}; }

template <class T>
using result = sdk::result<T>;

}  // namespace rio::kernel

template <>
struct boost::system::is_error_code_enum<rio::kernel::errc> : std::true_type {};
