#pragma once
// Errors crossing the SDK boundary: an error_code from rio::sdk::errc plus a human message
// that names the field or step at fault. Modules and the kernel exchange these as values;
// exceptions never cross the boundary (the kernel converts any that escape a module).

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <string>
#include <type_traits>

namespace rio::sdk {

/** Error conditions of the SDK and of the remote-shell contract. */
enum class errc {
  invalid_option = 1,    ///< an option value does not fit its declared type
  unknown_option,        ///< an override names an option the module does not declare
  template_error,        ///< a command template references an undeclared option or is malformed
  invalid_spec,          ///< a module's declared data is inconsistent (ids, order, timeouts)
  exec_failed,           ///< the remote command could not be started
  connection_lost,       ///< the transport dropped while a command ran
  timed_out,             ///< an operation exceeded its deadline
  cancelled,             ///< the run was cancelled by the operator
  upload_failed,         ///< a file could not be transferred to the host
  missing_asset,         ///< a required local config-sync source does not exist
  bad_probe_report,      ///< the detect script's output could not be parsed
  module_threw,          ///< a module hook threw; the kernel converted it at the boundary
  not_supported,         ///< the operation is not available on this transport or platform
};

/** The category "rio.sdk". It carries a fixed id so that codes compare equal across modules. */
const boost::system::error_category& sdk_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), sdk_category()};
}

/** An error value: a machine-checkable code plus a message for people. */
struct error {
  boost::system::error_code code;
  std::string message;  ///< names the field or step and the problem; never contains secrets

  /** "message (rio.sdk:timed_out)" style text for logs. */
  std::string describe() const;
};

/** Builds an error from an errc and a message. */
inline error fail(errc e, std::string message) { return error{make_error_code(e), std::move(message)}; }

/** Called by result<T>::value() when it holds an error; throws boost::system::system_error. */
[[noreturn]] void throw_exception_from_error(const error& e, const boost::source_location& loc);

/** The result type of every fallible SDK and module operation. */
template <class T>
using result = boost::system::result<T, error>;

}  // namespace rio::sdk

template <>
struct boost::system::is_error_code_enum<rio::sdk::errc> : std::true_type {};
