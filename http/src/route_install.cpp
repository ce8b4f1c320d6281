// POST /api/remote/install and GET /api/remote/status.
#include "api_errors.hpp"
#include "install_body.hpp"
#include "routes.hpp"

#include <rio/kernel/engine/engine_json.hpp>
#include <rio/kernel/engine/lifecycle_plan.hpp>
#include <rio/kernel/engine/status_query.hpp>
#include <rio/kernel/inventory.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace rio::http::detail {
namespace asio = boost::asio;
namespace json = boost::json;
namespace engine = kernel::engine;

namespace {

json::object final_response(const api_run& run, const api_state& state, const api_request& req) {
  const engine::result_view view = run.view_for(req.client_loopback);
  json::object o = run.single_host && run.results.size() == 1 ? engine::host_result_json(run.results.front(), view)
                                                              : engine::fleet_result_json(run.results, run.id, view);
  o["ok"] = true;
  // `ok` keeps the original's meaning (the request was processed); `succeeded` says whether the
  // run did what was asked, which the original left to parsing `status`.
  const std::string status = engine::fleet_status(run.results);
  bool clean = status != "failed" && status != "cancelled";
  for (const auto& r : run.results) clean = clean && r.failure == engine::host_failure::none;  // e.g. a dry run that reached no host
  o["succeeded"] = clean;
  o["registry"] = state.modules_json.at("modules");
  return o;
}

// A host asked for without a port that was installed on several: which one is meant cannot be
// guessed, so the answer lists them ("ports", and the spelling to ask for each).
api_response several_ports(const engine::host_status& status, const std::string& host, const std::string& request_id) {
  std::string spellings;
  json::array ports;
  for (auto p : status.recorded_ports) {
    spellings += (spellings.empty() ? "" : ", ") + host + ":" + std::to_string(p);
    ports.emplace_back(p);
  }
  auto r = error_response(409, "host '" + host + "' has status manifests for several ports; ask for one of: " + spellings,
                          request_id, "host");
  r.body.as_object()["ports"] = std::move(ports);
  return r;
}

// The verb's switches in the body: to (update), force (update, rollback), no_rollback and unpin
// (update), purge (uninstall). record_only is install's alone.
std::optional<body_error> read_verb(const json::object& body, engine::run_verb verb, install_call& call) {
  auto& v = call.settings.lifecycle;
  v.verb = verb;
  if (verb == engine::run_verb::install) return std::nullopt;
  if (call.settings.record_only) return body_error{400, "record_only applies to install only", "record_only"};
  auto flag = [&body](const char* name) {
    const json::value* f = body.if_contains(name);
    return f != nullptr && f->is_bool() && f->get_bool();
  };
  v.force = flag("force");
  v.no_rollback = flag("no_rollback");
  v.unpin = flag("unpin");
  v.purge = flag("purge");
  if (const json::value* to = body.if_contains("to"); to != nullptr && !to->is_null()) {
    if (verb != engine::run_verb::update) return body_error{400, "to applies to update only", "to"};
    if (!to->is_string() || to->get_string().empty()) return body_error{400, "to must be a non-empty string", "to"};
    v.to = std::string{to->get_string()};
    for (const auto& m : call.hosts.empty() ? std::vector<engine::module_request>{} : call.hosts.front().modules) {
      if (auto problem = engine::target_problem(m.spec(), v.to); !problem.empty()) return body_error{400, problem, "to"};
    }
  }
  return std::nullopt;
}

}  // namespace

asio::awaitable<api_response> post_install(api_state& state, const api_request& req, engine::run_verb verb) {
  // The flag is checked before anything else, as in the original.
  if (auto off = require_feature(state, req)) co_return *off;
  boost::system::error_code ec;
  json::value doc = json::parse(req.body, ec);
  if (ec) co_return validation_error("body is not valid JSON: " + ec.message(), req.request_id);
  if (!doc.is_object()) co_return validation_error("body must be a JSON object", req.request_id);

  auto read = co_await read_install_body(doc.get_object(), state);
  if (auto* e = std::get_if<body_error>(&read)) co_return error_response(e->status, e->message, req.request_id, e->field);
  install_call call = std::move(std::get<install_call>(read));
  if (auto e = read_verb(doc.get_object(), verb, call)) co_return error_response(e->status, e->message, req.request_id, e->field);

  auto run = std::make_shared<api_run>(state.ex);
  run->id = call.settings.run_id;
  run->dry_run = call.settings.dry_run;
  run->single_host = call.single_host;
  run->redact = std::move(call.redact);
  run->settings = std::move(call.settings);
  run->settings.redact = run->redact.get();
  state.runs.start(state.ex, run, std::move(call.hosts), call.parallel, [&state](const kernel::engine::run_event& e) {
    if (e.kind == kernel::engine::run_event_kind::log_line) state.log_activity.cancel();
    kernel::hooks::publish_run_event(state.bus, e);
  });

  if (call.async) {
    co_return json_response(202, json::object{{"ok", true},
                                              {"run_id", run->id},
                                              {"status", "running"},
                                              {"run_path", "/api/remote/runs/" + run->id},
                                              {"events_path", "/api/remote/runs/" + run->id + "/events"}});
  }
  // Synchronous, as the original: the answer comes when the run ends. The server keeps serving
  // other requests meanwhile (this coroutine only waits).
  while (!run->done) co_await run->wait_change(std::chrono::seconds{5});
  co_return json_response(200, final_response(*run, state, req));
}

api_response get_status(api_state& state, const api_request& req) {
  if (auto off = require_feature(state, req)) return *off;
  auto it = req.query.find("host");
  if (it == req.query.end() || it->second.empty()) {
    std::error_code ec;
    const auto dir_mtime = std::filesystem::last_write_time(state.paths.status_root, ec);
    const auto now = std::chrono::steady_clock::now();
    auto& cache = state.status_list;
    if (!cache.text || ec || cache.dir_mtime != dir_mtime || now - cache.made > std::chrono::milliseconds{100}) {
      auto list = engine::host_list_json(engine::list_host_statuses(state.paths, &state.manifests));
      cache.text = std::make_shared<const std::string>(boost::json::serialize(list));
      cache.dir_mtime = ec ? std::filesystem::file_time_type{} : dir_mtime;
      cache.made = now;
    }
    api_response r;
    r.json_text = cache.text;
    return r;
  }
  std::string host = it->second;
  while (!host.empty() && std::isspace(static_cast<unsigned char>(host.back()))) host.pop_back();
  while (!host.empty() && std::isspace(static_cast<unsigned char>(host.front()))) host.erase(0, 1);
  if (host.empty()) return error_response(400, "host is required", req.request_id, "host");
  auto entry = kernel::inventory::parse_host_spec(host);
  if (!entry) return error_response(400, entry.error().message, req.request_id, "host");
  auto status = engine::read_host_status(state.paths, *entry, &state.manifests);
  if (status.recorded_ports.size() > 1) return several_ports(status, host, req.request_id);
  if (!status.manifest) return error_response(500, status.manifest.error().message, req.request_id);
  return json_response(200, engine::host_status_json(status, it->second));
}

}  // namespace rio::http::detail
