#pragma once
// The route handlers. Each takes the shared state and the request and returns the response; the
// router (router.cpp) picks one by method and path.

#include "api_state.hpp"
#include "api_types.hpp"

#include <rio/kernel/engine/lifecycle.hpp>

#include <boost/asio/awaitable.hpp>

#include <string>

namespace rio::http::detail {

boost::asio::awaitable<api_response> route(api_state& state, const api_request& request);

/** POST /api/remote/install, and with another verb /api/remote/update|rollback|repair|uninstall. */
boost::asio::awaitable<api_response> post_install(api_state& state, const api_request& request,
                                                  kernel::engine::run_verb verb = kernel::engine::run_verb::install);
api_response get_status(api_state& state, const api_request& request);
api_response get_runs(api_state& state, const api_request& request);
api_response get_run(api_state& state, const api_request& request, const std::string& id);
api_response cancel_run(api_state& state, const api_request& request, const std::string& id);
api_response run_events(api_state& state, const api_request& request, const std::string& id);
api_response host_log(api_state& state, const api_request& request);
const boost::json::object& openapi_document();
api_response get_hooks(api_state& state, const api_request& request);
api_response get_hook_history(api_state& state, const api_request& request);
api_response hook_stream(api_state& state, const api_request& request);
/** GET /api/modder/hooks/ws: 426 unless it is a WebSocket upgrade; the original's hook WebSocket. */
api_response hook_socket(api_state& state, const api_request& request);
api_response post_hook_test(api_state& state, const api_request& request);
boost::asio::awaitable<api_response> put_webhook(api_state& state, const api_request& request);
boost::asio::awaitable<api_response> delete_webhook(api_state& state, const api_request& request);

boost::asio::awaitable<api_response> get_secret_providers(api_state& state, const api_request& request);
boost::asio::awaitable<api_response> post_rotate_key(api_state& state, const api_request& request);
api_response get_security_audit(api_state& state, const api_request& request);
api_response get_sandbox_defaults(api_state& state, const api_request& request);
api_response post_sandbox_check(api_state& state, const api_request& request);

/** 403 "security api disabled" unless features.enable_security_api is on. */
std::optional<api_response> require_security_api(api_state& state, const api_request& request);

/** 403 "remote installer disabled" unless the feature flag is on. */
std::optional<api_response> require_feature(api_state& state, const api_request& request);

}  // namespace rio::http::detail
