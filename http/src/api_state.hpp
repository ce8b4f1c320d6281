#pragma once
// Everything the routes share: configuration, the loaded modules, where records live, the
// feature flag and the runs in flight. Lives as long as the server; used on its one thread.

#include "feature_flag.hpp"
#include "run_registry.hpp"
#include "vault_worker.hpp"
#include "webhooks.hpp"

#include <rio/http/server.hpp>
#include <rio/kernel/engine/run_paths.hpp>
#include <rio/kernel/engine/status_query.hpp>
#include <rio/kernel/hooks/bridges.hpp>
#include <rio/kernel/hooks/hook_bus.hpp>
#include <rio/kernel/module_registry.hpp>
#include <rio/kernel/subscriber_loader.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

namespace rio::http::detail {

/** The limits the routes enforce (server_options has the documented defaults). */
struct api_limits {
  std::size_t max_webhooks = 32;
  std::size_t hook_payload_bytes = 64 * 1024;  ///< a test event's payload, serialised
  std::size_t hook_history_bytes = kernel::hooks::hook_bus::default_byte_limit;
  delivery_policy webhook_delivery;
  std::chrono::milliseconds hook_ws_ping{std::chrono::seconds{20}};             ///< see server_options
  std::chrono::milliseconds hook_ws_subscribe_wait{std::chrono::seconds{10}};  ///< see server_options
};

struct api_state {
  api_state(api_config c, kernel::module_registry r, boost::asio::any_io_executor e, api_limits limits = {});

  api_config config;
  kernel::module_registry registry;
  kernel::engine::run_paths paths;
  kernel::engine::manifest_cache manifests;  ///< status polls parse each manifest once per change
  /**
   * GET /api/remote/status without a host, serialised. Reused while the status directory is
   * unchanged (every manifest write renames into it, which changes its mtime) and for at most
   * 100 ms, the staleness allowed for the `running` flags (locks change no mtime).
   */
  struct {
    std::filesystem::file_time_type dir_mtime{};
    std::chrono::steady_clock::time_point made{};
    std::shared_ptr<const std::string> text;
  } status_list;
  feature_flag remote_installer;
  feature_flag security_api;  ///< the original's /api/security routes (route_security.cpp)
  run_registry runs;
  boost::json::object modules_json;  ///< GET /api/remote/modules, built once
  std::shared_ptr<const std::string> modules_text;  ///< ...and serialised once
  boost::asio::any_io_executor ex;
  /** Hook subscriber plugins from the plugin directory; declared before the bus, which they outlive. */
  std::vector<std::unique_ptr<kernel::loaded_subscriber>> subscribers;
  std::vector<kernel::load_problem> subscriber_problems;
  api_limits limits;
  kernel::hooks::hook_bus bus;
  kernel::hooks::vault_bridge vault_events{bus};
  /** Every vault operation of the API runs here, off the loop (declared after what it calls). */
  vault_worker vault;
  webhook_registry webhooks;
  boost::json::array webhooks_json() const { return webhooks.list_json(); }
  /** Broadcast (cancel() wakes every log stream) whenever a run writes a log line. Never expires. */
  boost::asio::steady_timer log_activity;
  bool stopping = false;
};

}  // namespace rio::http::detail
