#pragma once
// Hook subscriber plugins: loaded from the plugin directory with the installers' handshake, and
// attached to a hook bus, each with its own bounded queue and per-event deadline.

#include <rio/kernel/abi_identity.hpp>
#include <rio/kernel/error.hpp>
#include <rio/kernel/hooks/hook_bus.hpp>
#include <rio/kernel/module_registry.hpp>
#include <rio/sdk/subscriber.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace rio::kernel {

struct subscriber_deleter {
  void (*destroy)(sdk::hook_subscriber*) noexcept = nullptr;
  void operator()(sdk::hook_subscriber* p) const noexcept {
    if (p != nullptr && destroy != nullptr) destroy(p);
  }
};

struct loaded_subscriber {
  std::filesystem::path file;
  std::string id;
  std::unique_ptr<sdk::hook_subscriber, subscriber_deleter> instance;
  std::vector<std::string> events;  ///< validated against the catalogue ("*" allowed)
};

/** Loads one subscriber plugin. Errors: as load_module, plus unknown event names. */
result<std::unique_ptr<loaded_subscriber>> load_subscriber(const std::filesystem::path& file,
                                                           const abi_identity& expected = kernel_abi());

/** Every subscriber plugin in `dir` (installer plugins are left to module_registry). */
std::vector<std::unique_ptr<loaded_subscriber>> load_subscribers(const std::filesystem::path& dir,
                                                                 std::vector<load_problem>& problems,
                                                                 const abi_identity& expected = kernel_abi());

/** Subscribes `s` to `bus`; `s` must outlive the bus. */
void attach(hooks::hook_bus& bus, loaded_subscriber& s);

}  // namespace rio::kernel
