#include <rio/kernel/hooks/bridges.hpp>

namespace rio::kernel::hooks {
namespace json = boost::json;

void vault_bridge::on_event(std::string_view name, const json::object& metadata) { (void)bus_.publish(name, metadata); }

void publish_run_event(hook_bus& bus, const engine::run_event& e) {
  using kind = engine::run_event_kind;
  json::object p{{"run_id", e.run_id}, {"host", e.host}};
  switch (e.kind) {
    case kind::host_started:
      p["address"] = e.detail;
      (void)bus.publish("on_remote_install_started", std::move(p));
      return;
    case kind::module_planned:
      p["module"] = e.module;
      p["action"] = e.state;
      p["reason"] = e.detail;
      (void)bus.publish("on_remote_module_planned", std::move(p));
      return;
    case kind::step_finished:
      p["module"] = e.module;
      p["step"] = e.step;
      p["outcome"] = e.state;
      p["detail"] = e.detail;
      (void)bus.publish("on_remote_step_finished", std::move(p));
      return;
    case kind::module_finished:
      p["module"] = e.module;
      p["state"] = e.state;
      p["error"] = e.state == "failed" ? e.detail : std::string{};
      (void)bus.publish("on_remote_module_finished", std::move(p));
      return;
    case kind::host_finished:
      p["status"] = e.state;
      p["error"] = e.detail;
      (void)bus.publish("on_remote_install_finished", std::move(p));
      return;
    case kind::verb_started:
      p["module"] = e.module;
      p["from_version"] = e.from_version;
      p["to_version"] = e.to_version;
      (void)bus.publish("on_remote_" + e.state + "_started", std::move(p));
      return;
    case kind::verb_finished:
      p["module"] = e.module;
      p["state"] = e.step;
      p["version"] = e.to_version;
      p["error"] = e.detail;
      (void)bus.publish("on_remote_" + e.state + "_finished", std::move(p));
      return;
    case kind::log_line:
      return;
  }
}

void publish_module_loaded(hook_bus& bus, const loaded_module& m) {
  const auto& s = m.spec();
  (void)bus.publish("on_module_loaded",
                    json::object{{"module", s.id}, {"name", s.name}, {"version", s.version}, {"file", m.file.string()}});
}

}  // namespace rio::kernel::hooks
