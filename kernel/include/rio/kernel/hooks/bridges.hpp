#pragma once
// Where hook events come from: the vault's listener interface, the engine's run events and the
// module registry, each turned into a catalogued event on the bus.

#include <rio/kernel/engine/run_event.hpp>
#include <rio/kernel/hooks/hook_bus.hpp>
#include <rio/kernel/loaded_module.hpp>
#include <rio/vault/event_listener.hpp>

namespace rio::kernel::hooks {

/** Forwards the vault's events (metadata only: names, flags, fingerprints) to the bus. */
class vault_bridge final : public vault::event_listener {
 public:
  explicit vault_bridge(hook_bus& bus) : bus_(bus) {}
  void on_event(std::string_view name, const boost::json::object& metadata) override;

 private:
  hook_bus& bus_;
};

/** Publishes the on_remote_* event for a run event (log lines are not hook events). */
void publish_run_event(hook_bus& bus, const engine::run_event& e);

/** Publishes on_module_loaded. */
void publish_module_loaded(hook_bus& bus, const loaded_module& m);

}  // namespace rio::kernel::hooks
