#include "api_errors.hpp"
#include "routes.hpp"

#include <rio/kernel/version_info.hpp>

#include <array>

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

asio::awaitable<api_response> route(api_state& state, const api_request& req) {
  const std::string& p = req.path;
  const std::string& m = req.method;
  auto wrong_method = [&](const char* allow) {
    api_response r = error_response(405, "method " + m + " not allowed on " + p + " (allowed: " + allow + ")", req.request_id);
    r.headers.emplace_back("Allow", allow);
    return r;
  };

  if (p == "/api/remote/modules") {
    if (m != "GET") co_return wrong_method("GET");
    api_response r;
    r.json_text = state.modules_text;
    co_return r;
  }
  if (p == "/api/remote/install") {
    if (m != "POST") co_return wrong_method("POST");
    co_return co_await post_install(state, req);
  }
  if (p == "/api/remote/status") {
    if (m != "GET") co_return wrong_method("GET");
    co_return get_status(state, req);
  }
  if (p == "/api/remote/logs") {
    if (m != "GET") co_return wrong_method("GET");
    co_return host_log(state, req);
  }
  if (p == "/api/remote/runs") {
    if (m != "GET") co_return wrong_method("GET");
    co_return get_runs(state, req);
  }
  if (auto id = run_id_of(p, "/events"); !id.empty()) {
    if (m != "GET") co_return wrong_method("GET");
    co_return run_events(state, req, id);
  }
  if (auto id = run_id_of(p, "/cancel"); !id.empty()) {
    if (m != "POST") co_return wrong_method("POST");
    co_return cancel_run(state, req, id);
  }
  if (auto id = run_id_of(p, ""); !id.empty()) {
    if (m == "GET") co_return get_run(state, req, id);
    if (m == "DELETE") co_return cancel_run(state, req, id);
    co_return wrong_method("GET, DELETE");
  }
  if (p == "/api/modder/hooks") {
    if (m != "GET") co_return wrong_method("GET");
    co_return get_hooks(state, req);
  }
  if (p == "/api/modder/hooks/history") {
    if (m != "GET") co_return wrong_method("GET");
    co_return get_hook_history(state, req);
  }
  if (p == "/api/modder/hooks/stream") {
    if (m != "GET") co_return wrong_method("GET");
    co_return hook_stream(state, req);
  }
  if (p == "/api/modder/hooks/test") {
    if (m != "POST") co_return wrong_method("POST");
    co_return post_hook_test(state, req);
  }
  if (p == "/api/modder/hooks/webhooks") {
    if (m == "POST") co_return co_await put_webhook(state, req);
    if (m == "DELETE") co_return co_await delete_webhook(state, req);
    co_return wrong_method("POST, DELETE");
  }
  if (p == "/api/openapi.json") {
    if (m != "GET") co_return wrong_method("GET");
    co_return json_response(200, openapi_document());
  }
  if (p == "/api/health") {
    if (m != "GET") co_return wrong_method("GET");
    co_return json_response(200, json::object{{"ok", true},
                                              {"version", kernel::rio_version()},
                                              {"remote_installer_enabled", state.remote_installer.enabled()},
                                              {"active_runs", state.runs.active()}});
  }
  co_return error_response(404, "no route " + p, req.request_id);
}

}  // namespace rio::http::detail
