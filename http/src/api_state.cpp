#include "api_state.hpp"

#include <rio/kernel/registry_json.hpp>

#include <boost/json/serialize.hpp>

namespace rio::http::detail {

api_state::api_state(api_config c, kernel::module_registry r, boost::asio::any_io_executor e, api_limits l)
    : config(std::move(c)),
      registry(std::move(r)),
      paths(kernel::engine::resolve_run_paths(config.settings.root, config.env)),
      remote_installer(config.settings.root / "config" / "comfyvn.json", "enable_remote_installer"),
      security_api(config.settings.root / "config" / "comfyvn.json", "enable_security_api"),
      modules_json(kernel::registry_to_json(registry)),
      ex(e),
      limits(l),
      bus(e, 200, limits.hook_history_bytes),
      vault(config.settings.root, config.env, &vault_events),
      webhooks(config.settings.root, bus, vault, e, limits.max_webhooks, limits.webhook_delivery),
      log_activity(e, boost::asio::steady_timer::time_point::max()) {
  modules_text = std::make_shared<const std::string>(boost::json::serialize(modules_json));
  subscribers = kernel::load_subscribers(config.settings.plugin_dir, subscriber_problems);
  for (auto& s : subscribers) kernel::attach(bus, *s);
  for (const auto& m : registry.modules()) kernel::hooks::publish_module_loaded(bus, *m);
}

}  // namespace rio::http::detail
