#pragma once
// The plugin handshake: one exported Boost.DLL alias per shared object.
//
//   RIO_DECLARE_INSTALLER("comfyui", rio::plugins::comfyui::module)   // a class
//   RIO_DECLARE_DATA_MODULE("comfyui", rio::plugins::comfyui::make_spec) // data only
//
// exports `rio_module_v1`, a function returning a module_descriptor that the kernel checks
// before it creates anything: SDK ABI major/minor, BOOST_VERSION, the compiler ABI and the SDK
// header hash must all equal the kernel's own.

#include <rio/sdk/abi_version.hpp>
#include <rio/sdk/data_installer.hpp>
#include <rio/sdk/installer.hpp>
#include <rio/sdk/subscriber.hpp>

#include <boost/dll/alias.hpp>
#include <boost/version.hpp>

#include <cstdint>

namespace rio::sdk {

/** Standard-layout, so the kernel can read it before trusting anything else in the plugin. */
struct module_descriptor {
  std::uint32_t abi_major;
  std::uint32_t abi_minor;
  std::uint32_t boost_version;          ///< BOOST_VERSION the module was built with
  std::uint32_t gxx_abi_version;        ///< __GXX_ABI_VERSION
  std::uint32_t glibcxx_cxx11_abi;      ///< _GLIBCXX_USE_CXX11_ABI
  const char* sdk_header_hash;          ///< RIO_SDK_HEADER_HASH
  const char* id;                       ///< must equal create()->spec().id
  const char* kind;                     ///< "installer" or "subscriber"
  installer* (*create)();               ///< installers: may throw; the kernel catches at the boundary
  void (*destroy)(installer*) noexcept; ///< installers: deletes with the module's own allocator
  hook_subscriber* (*create_subscriber)();               ///< subscribers: as create
  void (*destroy_subscriber)(hook_subscriber*) noexcept; ///< subscribers: as destroy
};

using descriptor_fn = const module_descriptor*();

/** The exported alias name for this ABI major version. */
inline constexpr const char* descriptor_alias = "rio_module_v1";

}  // namespace rio::sdk

#ifdef _GLIBCXX_USE_CXX11_ABI
#define RIO_SDK_DETAIL_CXX11_ABI _GLIBCXX_USE_CXX11_ABI
#else
#define RIO_SDK_DETAIL_CXX11_ABI 0
#endif

/** Declares the shared object's installer. Use once per module, at namespace scope. */
#define RIO_DECLARE_INSTALLER(ID, TYPE)                                                     \
  namespace rio_sdk_module_entry {                                                          \
  inline ::rio::sdk::installer* create() { return new TYPE(); }                             \
  inline void destroy(::rio::sdk::installer* p) noexcept { delete p; }                      \
  inline const ::rio::sdk::module_descriptor descriptor{                                    \
      RIO_SDK_ABI_MAJOR, RIO_SDK_ABI_MINOR, BOOST_VERSION, __GXX_ABI_VERSION,               \
      RIO_SDK_DETAIL_CXX11_ABI, RIO_SDK_HEADER_HASH, ID, "installer", &create, &destroy,    \
      nullptr, nullptr};                                                                    \
  inline const ::rio::sdk::module_descriptor* get() { return &descriptor; }                 \
  BOOST_DLL_ALIAS(rio_sdk_module_entry::get, rio_module_v1)                                 \
  }

/**
 * Declares the shared object's hook subscriber (a class deriving from rio::sdk::hook_subscriber).
 * Use once per shared object, at namespace scope, instead of RIO_DECLARE_INSTALLER.
 */
#define RIO_DECLARE_SUBSCRIBER(ID, TYPE)                                                     \
  namespace rio_sdk_module_entry {                                                          \
  inline ::rio::sdk::hook_subscriber* create() { return new TYPE(); }                       \
  inline void destroy(::rio::sdk::hook_subscriber* p) noexcept { delete p; }                \
  inline const ::rio::sdk::module_descriptor descriptor{                                    \
      RIO_SDK_ABI_MAJOR, RIO_SDK_ABI_MINOR, BOOST_VERSION, __GXX_ABI_VERSION,               \
      RIO_SDK_DETAIL_CXX11_ABI, RIO_SDK_HEADER_HASH, ID, "subscriber", nullptr, nullptr,    \
      &create, &destroy};                                                                   \
  inline const ::rio::sdk::module_descriptor* get() { return &descriptor; }                 \
  BOOST_DLL_ALIAS(rio_sdk_module_entry::get, rio_module_v1)                                 \
  }

/**
 * Declares a module defined purely as data: `SPEC_FN()` returns its module_spec and the SDK's
 * default coroutines (data_installer) run it. Use once per module, at namespace scope.
 */
#define RIO_DECLARE_DATA_MODULE(ID, SPEC_FN)                                          \
  namespace rio_sdk_data_module {                                                    \
  class module final : public ::rio::sdk::data_installer {                           \
   public:                                                                           \
    module() : data_installer(SPEC_FN()) {}                                          \
  };                                                                                 \
  }                                                                                  \
  RIO_DECLARE_INSTALLER(ID, rio_sdk_data_module::module)
