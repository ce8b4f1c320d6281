#pragma once
// One installer module loaded from its shared object.

#include <rio/sdk/installer.hpp>
#include <rio/sdk/module.hpp>

#include <filesystem>
#include <memory>
#include <string>

namespace rio::kernel {

/** Deletes an installer through its own module's destroy(), never across allocators. */
struct installer_deleter {
  void (*destroy)(sdk::installer*) noexcept = nullptr;
  void operator()(sdk::installer* p) const noexcept {
    if (p != nullptr && destroy != nullptr) destroy(p);
  }
};

using installer_ptr = std::unique_ptr<sdk::installer, installer_deleter>;

/**
 * A module and where it came from. The shared object itself is opened with RTLD_NODELETE and
 * never closed, so code and coroutine frames of the module stay valid for the whole process.
 */
struct loaded_module {
  std::filesystem::path file;
  std::string id;
  installer_ptr instance;

  sdk::installer& installer() const noexcept { return *instance; }
  const sdk::module_spec& spec() const noexcept { return instance->spec(); }
};

}  // namespace rio::kernel
