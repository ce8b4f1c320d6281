#include <rio/kernel/abi_identity.hpp>

#include <boost/version.hpp>

#include <cstring>

namespace rio::kernel {

abi_identity kernel_abi() noexcept {
  // The hash of the SDK headers rio itself was compiled against; the abi tests check that it
  // equals the released RIO_SDK_HEADER_HASH.
  return {RIO_SDK_ABI_MAJOR, RIO_SDK_ABI_MINOR, BOOST_VERSION, __GXX_ABI_VERSION, RIO_SDK_DETAIL_CXX11_ABI,
          RIO_SDK_COMPILED_HEADER_HASH};
}

std::string boost_version_text(std::uint32_t v) {
  return std::to_string(v / 100000) + "." + std::to_string(v / 100 % 1000) + "." + std::to_string(v % 100);
}

std::string bounded_text(const char* text, std::size_t limit) {
  // A descriptor's strings live in the module's read-only data; a module built against other
  // headers may point anywhere near them, so no read runs past `limit` looking for a NUL.
  return text == nullptr ? std::string{} : std::string{text, ::strnlen(text, limit)};
}

result<void> check_handshake(const sdk::module_descriptor& d, const abi_identity& k) {
  auto version = [](std::uint32_t major, std::uint32_t minor) {
    return std::to_string(major) + "." + std::to_string(minor);
  };
  if (d.abi_major != k.abi_major || d.abi_minor != k.abi_minor) {
    return fail(errc::abi_mismatch, "built for SDK ABI " + version(d.abi_major, d.abi_minor) + ", but this rio has SDK ABI " +
                                        version(k.abi_major, k.abi_minor) + "; rebuild the module against SDK " +
                                        version(k.abi_major, k.abi_minor));
  }
  if (d.boost_version != k.boost_version) {
    return fail(errc::boost_mismatch, "built with Boost " + boost_version_text(d.boost_version) +
                                          ", but this rio uses Boost " + boost_version_text(k.boost_version));
  }
  if (d.gxx_abi_version != k.gxx_abi_version || d.glibcxx_cxx11_abi != k.glibcxx_cxx11_abi) {
    return fail(errc::compiler_abi_mismatch,
                "compiler ABI differs: module __GXX_ABI_VERSION " + std::to_string(d.gxx_abi_version) +
                    " / _GLIBCXX_USE_CXX11_ABI " + std::to_string(d.glibcxx_cxx11_abi) + ", rio " +
                    std::to_string(k.gxx_abi_version) + " / " + std::to_string(k.glibcxx_cxx11_abi));
  }
  std::string hash = bounded_text(d.sdk_header_hash, 64);
  if (hash != k.sdk_header_hash) {
    return fail(errc::header_hash_mismatch, "built against different SDK headers (hash " + hash.substr(0, 12) +
                                                ", rio's " + k.sdk_header_hash.substr(0, 12) +
                                                "); rebuild against the SDK installed with this rio");
  }
  return {};
}

}  // namespace rio::kernel
