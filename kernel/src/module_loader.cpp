#include <rio/kernel/module_loader.hpp>

#include <rio/kernel/plugin_file_check.hpp>
#include <rio/kernel/spec_validation.hpp>

#include <boost/dll/shared_library.hpp>

#include <dlfcn.h>

namespace rio::kernel {
namespace dll = boost::dll;

namespace {

// Runs plugin code and turns anything it throws into an error value; the exception object (a
// plugin type) is destroyed inside the catch, and only a kernel-owned string survives.
template <class F>
auto guarded(const char* what, F f) -> result<decltype(f())> {
  std::string message;
  try {
    return f();
  } catch (const std::exception& e) {
    message = e.what();
  } catch (...) {
    message = "unknown exception";
  }
  return fail(errc::module_threw, std::string{what} + " threw: " + message);
}

}  // namespace

result<const sdk::module_descriptor*> open_plugin(const std::filesystem::path& file, const abi_identity& expected) {
  if (auto ok = check_plugin_file(file); !ok) return ok.error();

  // RTLD_NODELETE: the object is never unmapped, even when the shared_library handle goes
  // away, so no coroutine frame or vtable of a module can outlive its code.
  const auto mode = dll::load_mode::rtld_now | dll::load_mode::rtld_local |
                    static_cast<dll::load_mode::type>(RTLD_NODELETE);
  dll::shared_library library;
  boost::dll::fs::error_code ec;
  library.load(file, mode, ec);
  if (ec) {
    const char* detail = ::dlerror();
    return fail(errc::load_failed, "dlopen failed: " + (detail != nullptr ? std::string{detail} : ec.message()));
  }

  auto& get_descriptor = library.get_alias<sdk::descriptor_fn>(sdk::descriptor_alias);
  auto descriptor = guarded("descriptor function", [&] { return get_descriptor(); });
  if (!descriptor) return descriptor.error();
  if (*descriptor == nullptr) return fail(errc::not_a_plugin, "descriptor function returned null");
  const sdk::module_descriptor& d = **descriptor;
  if (auto ok = check_handshake(d, expected); !ok) return ok.error();
  return &d;
}

result<std::unique_ptr<loaded_module>> load_module(const std::filesystem::path& file, const abi_identity& expected) {
  auto opened = open_plugin(file, expected);
  if (!opened) return opened.error();
  const sdk::module_descriptor& d = **opened;
  if (d.kind != nullptr && std::string_view{d.kind} == "subscriber") {
    return fail(errc::other_plugin_kind, "a hook subscriber, not an installer module");
  }
  if (d.kind == nullptr || std::string_view{d.kind} != "installer") {
    return fail(errc::not_a_plugin, "descriptor kind is not 'installer'");
  }
  if (d.create == nullptr || d.destroy == nullptr || d.id == nullptr) {
    return fail(errc::not_a_plugin, "descriptor lacks id, create or destroy");
  }

  auto created = guarded("create()", [&] { return d.create(); });
  if (!created) return created.error();
  installer_ptr instance{*created, installer_deleter{d.destroy}};
  if (!instance) return fail(errc::not_a_plugin, "create() returned null");

  auto spec = guarded("spec()", [&] { return &instance->spec(); });
  if (!spec) return spec.error();
  if (auto ok = validate_spec(**spec); !ok) return ok.error();
  if ((*spec)->id != d.id) {
    return fail(errc::invalid_module, "descriptor id '" + std::string{d.id} + "' differs from spec id '" + (*spec)->id + "'");
  }

  auto module = std::make_unique<loaded_module>();
  module->file = file;
  module->id = d.id;
  module->instance = std::move(instance);
  return module;
}

}  // namespace rio::kernel
