#include "api_state.hpp"

#include <rio/kernel/registry_json.hpp>

namespace rio::http::detail {

api_state::api_state(api_config c, kernel::module_registry r, boost::asio::any_io_executor e)
    : config(std::move(c)),
      registry(std::move(r)),
      paths(kernel::engine::resolve_run_paths(config.settings.root, config.env)),
      remote_installer(config.settings.root / "config" / "comfyvn.json", "enable_remote_installer"),
      modules_json(kernel::registry_to_json(registry)),
      ex(e),
      log_activity(e, boost::asio::steady_timer::time_point::max()) {}

}  // namespace rio::http::detail
