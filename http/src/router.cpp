#include "api_errors.hpp"
#include "routes.hpp"

#include <rio/kernel/version_info.hpp>

#include <array>
#include <optional>

namespace rio::http::detail {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

struct path_match {
  bool known = false;          ///< the path exists for some method
  std::string allow;           ///< methods it takes, for 405
};

std::string run_id_of(std::string_view path, std::string_view suffix) {
  constexpr std::string_view prefix = "/api/remote/runs/";
  if (!path.starts_with(prefix) || !path.ends_with(suffix)) return {};
  std::string_view id = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
  if (id.empty() || id.find('/') != std::string_view::npos) return {};
  return std::string{id};
}

}  // namespace

std::optional<api_response> require_feature(api_state& state, const api_request& request) {
  if (state.remote_installer.enabled()) return std::nullopt;
  return error_response(403, "remote installer disabled", request.request_id);
}

namespace {

api_response wrong_method(const api_request& req, const char* allow) {
  api_response r = error_response(405, "method " + req.method + " not allowed on " + req.path + " (allowed: " + allow + ")",
                                  req.request_id);
  r.headers.emplace_back("Allow", allow);
  return r;
}

// The remote installer's own routes (REMOTE_INSTALLER.md), without the runs.
asio::awaitable<std::optional<api_response>> remote_route(api_state& state, const api_request& req) {
  const std::string& p = req.path;
  const std::string& m = req.method;
  if (p == "/api/remote/modules") {
    if (m != "GET") co_return wrong_method(req, "GET");
    api_response r;
    r.json_text = state.modules_text;
    co_return r;
  }
  if (p == "/api/remote/install") {
    if (m != "POST") co_return wrong_method(req, "POST");
    co_return co_await post_install(state, req);
  }
  // The lifecycle verbs: the install body and answers, plus the verb's switches (docs/api.md).
  using kernel::engine::run_verb;
  std::optional<run_verb> verb;
  if (p == "/api/remote/update") verb = run_verb::update;
  if (p == "/api/remote/rollback") verb = run_verb::rollback;
  if (p == "/api/remote/repair") verb = run_verb::repair;
  if (p == "/api/remote/uninstall") verb = run_verb::uninstall;
  if (verb) {
    if (m != "POST") co_return wrong_method(req, "POST");
    co_return co_await post_install(state, req, *verb);
  }
  if (p == "/api/remote/status") {
    if (m != "GET") co_return wrong_method(req, "GET");
    co_return get_status(state, req);
  }
  if (p == "/api/remote/logs") {
    if (m != "GET") co_return wrong_method(req, "GET");
    co_return host_log(state, req);
  }
  co_return std::nullopt;
}

// rio's runs: the list, one run, its events, its cancellation.
std::optional<api_response> run_route(api_state& state, const api_request& req) {
  const std::string& p = req.path;
  const std::string& m = req.method;
  if (p == "/api/remote/runs") {
    if (m != "GET") return wrong_method(req, "GET");
    return get_runs(state, req);
  }
  if (auto id = run_id_of(p, "/events"); !id.empty()) {
    if (m != "GET") return wrong_method(req, "GET");
    return run_events(state, req, id);
  }
  if (auto id = run_id_of(p, "/cancel"); !id.empty()) {
    if (m != "POST") return wrong_method(req, "POST");
    return cancel_run(state, req, id);
  }
  if (auto id = run_id_of(p, ""); !id.empty()) {
    if (m == "GET") return get_run(state, req, id);
    if (m == "DELETE") return cancel_run(state, req, id);
    return wrong_method(req, "GET, DELETE");
  }
  return std::nullopt;
}

// The modder-hook bus: catalogue, history, stream, test event, webhooks.
asio::awaitable<std::optional<api_response>> hook_route(api_state& state, const api_request& req) {
  const std::string& p = req.path;
  const std::string& m = req.method;
  if (p == "/api/modder/hooks") {
    if (m != "GET") co_return wrong_method(req, "GET");
    co_return get_hooks(state, req);
  }
  if (p == "/api/modder/hooks/history") {
    if (m != "GET") co_return wrong_method(req, "GET");
    co_return get_hook_history(state, req);
  }
  if (p == "/api/modder/hooks/stream") {
    if (m != "GET") co_return wrong_method(req, "GET");
    co_return hook_stream(state, req);
  }
  if (p == "/api/modder/hooks/ws") {
    if (m != "GET") co_return wrong_method(req, "GET");
    co_return hook_socket(state, req);
  }
  if (p == "/api/modder/hooks/test") {
    if (m != "POST") co_return wrong_method(req, "POST");
    co_return post_hook_test(state, req);
  }
  if (p == "/api/modder/hooks/webhooks") {
    if (m == "POST") co_return co_await put_webhook(state, req);
    if (m == "DELETE") co_return co_await delete_webhook(state, req);
    co_return wrong_method(req, "POST, DELETE");
  }
  co_return std::nullopt;
}

// The original's security API: the vault's summary and rotation, the audit log, the sandbox rules.
asio::awaitable<std::optional<api_response>> security_route(api_state& state, const api_request& req) {
  const std::string& p = req.path;
  const std::string& m = req.method;
  if (p == "/api/security/secrets/providers") {
    if (m != "GET") co_return wrong_method(req, "GET");
    co_return co_await get_secret_providers(state, req);
  }
  if (p == "/api/security/secrets/rotate") {
    if (m != "POST") co_return wrong_method(req, "POST");
    co_return co_await post_rotate_key(state, req);
  }
  if (p == "/api/security/audit") {
    if (m != "GET") co_return wrong_method(req, "GET");
    co_return get_security_audit(state, req);
  }
  if (p == "/api/security/sandbox/defaults") {
    if (m != "GET") co_return wrong_method(req, "GET");
    co_return get_sandbox_defaults(state, req);
  }
  if (p == "/api/security/sandbox/check") {
    if (m != "POST") co_return wrong_method(req, "POST");
    co_return post_sandbox_check(state, req);
  }
  co_return std::nullopt;
}

// The server's own: its OpenAPI document and liveness.
std::optional<api_response> service_route(api_state& state, const api_request& req) {
  const std::string& p = req.path;
  const std::string& m = req.method;
  if (p == "/api/openapi.json") {
    if (m != "GET") return wrong_method(req, "GET");
    return json_response(200, openapi_document());
  }
  if (p == "/api/health") {
    if (m != "GET") return wrong_method(req, "GET");
    return json_response(200, json::object{{"ok", true},
                                           {"version", kernel::rio_version()},
                                           {"remote_installer_enabled", state.remote_installer.enabled()},
                                           {"active_runs", state.runs.active()}});
  }
  return std::nullopt;
}

}  // namespace

asio::awaitable<api_response> route(api_state& state, const api_request& req) {
  if (auto r = co_await remote_route(state, req)) co_return std::move(*r);
  if (auto r = run_route(state, req)) co_return std::move(*r);
  if (auto r = co_await hook_route(state, req)) co_return std::move(*r);
  if (auto r = co_await security_route(state, req)) co_return std::move(*r);
  if (auto r = service_route(state, req)) co_return std::move(*r);
  co_return error_response(404, "no route " + req.path, req.request_id);
}

}  // namespace rio::http::detail
