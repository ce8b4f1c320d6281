#include <rio/kernel/version_info.hpp>

#include <rio/kernel/abi_identity.hpp>

#include <libssh2.h>
#include <sodium.h>

namespace rio::kernel {

const char* rio_version() noexcept { return RIO_VERSION; }

std::string version_report() {
  const abi_identity abi = kernel_abi();
  // Runtime versions of the shared libraries actually loaded, not the headers we compiled with.
  const char* ssh2 = libssh2_version(0);
  std::string text;
  text += "rio " + std::string{rio_version()} + "\n";
  text += "SDK ABI " + std::to_string(abi.abi_major) + "." + std::to_string(abi.abi_minor) + " (headers " +
          abi.sdk_header_hash.substr(0, 12) + ")\n";
  text += "Boost " + boost_version_text(abi.boost_version) + "\n";
  text += "libssh2 " + std::string{ssh2 != nullptr ? ssh2 : "unknown"} + "\n";
  text += "libsodium " + std::string{sodium_version_string()} + "\n";
  return text;
}

}  // namespace rio::kernel
