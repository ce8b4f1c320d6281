#include <rio/kernel/registry_json.hpp>

#include <rio/sdk/options.hpp>

#include <boost/json/array.hpp>

namespace rio::kernel {
namespace json = boost::json;

namespace {

// Specs are validated at load time, so rendering with the defaults cannot fail here; fall
// back to the template text rather than throwing if it somehow does.
std::string shown(const std::string& text, const sdk::module_spec& spec, const sdk::option_values& defaults) {
  auto r = sdk::render_command(text, spec, defaults);
  return r ? *r : text;
}

json::array strings_json(const std::vector<std::string>& v) {
  json::array out;
  for (const auto& s : v) out.emplace_back(s);
  return out;
}

json::array steps_json(const sdk::module_spec& spec, const sdk::option_values& defaults) {
  json::array steps;
  for (const auto& s : spec.install_steps) {
    json::object o;
    o["type"] = "command";
    o["id"] = s.id;
    o["command"] = shown(s.command, spec, defaults);
    o["description"] = s.description;
    o["timeout"] = static_cast<std::int64_t>(s.timeout.count());
    if (!s.done_check.empty()) o["check"] = shown(s.done_check, spec, defaults);
    // What the step needs from the host (the preflight checks these), and what it provides.
    o["needs_tools"] = strings_json(s.needs_tools);
    o["provides_tools"] = strings_json(s.provides_tools);
    o["needs_root"] = s.needs_root;
    o["needs_package_manager"] = s.needs_package_manager;
    steps.emplace_back(std::move(o));
  }
  return steps;
}

json::array sync_json(const sdk::module_spec& spec, const sdk::option_values& defaults) {
  json::array sync;
  for (const auto& e : spec.config_sync) {
    auto destination = sdk::render_path(e.destination, spec, defaults);
    json::object o;
    o["type"] = "sync";
    o["source"] = e.source;
    o["destination"] = destination ? *destination : e.destination;
    o["description"] = e.description;
    if (e.optional) o["optional"] = true;  // the original emits the key only when true
    sync.emplace_back(std::move(o));
  }
  return sync;
}

json::array probes_json(const sdk::module_spec& spec, const sdk::option_values& defaults) {
  json::array probes;
  for (const auto& p : spec.detect_steps) {
    json::object o;
    o["type"] = "command";
    o["id"] = p.id;
    o["command"] = shown(p.command, spec, defaults);
    o["description"] = p.description;
    o["timeout"] = static_cast<std::int64_t>(p.timeout.count());
    probes.emplace_back(std::move(o));
  }
  return probes;
}

json::array options_json(const sdk::module_spec& spec) {
  json::array options;
  for (const auto& o : spec.options) {
    json::object item;
    item["name"] = o.name;
    item["type"] = sdk::to_string(o.type);
    item["default"] = o.default_value;
    item["description"] = o.description;
    item["allow_empty"] = o.allow_empty;
    options.emplace_back(std::move(item));
  }
  return options;
}

// The module's declared needs of the host as a whole (module_spec::requirements).
json::object requirements_json(const sdk::host_requirements& r) {
  json::object o;
  o["disk_mib"] = r.disk_mib;
  o["install_path"] = r.install_path;
  o["systems"] = strings_json(r.systems);
  o["architectures"] = strings_json(r.architectures);
  o["gpu_driver_option"] = r.gpu_driver_option;
  return o;
}

}  // namespace

json::object module_to_json(const loaded_module& module) {
  const sdk::module_spec& spec = module.spec();
  auto resolved = sdk::resolve_options(spec, {});
  const sdk::option_values defaults = resolved ? *resolved : sdk::option_values{};
  json::array tags;
  for (const auto& t : spec.tags) tags.emplace_back(t);

  // Key order follows the original's serialised registry, then rio's additions.
  json::object out;
  out["id"] = spec.id;
  out["name"] = spec.name;
  out["notes"] = spec.notes;
  out["tags"] = std::move(tags);
  out["install_steps"] = steps_json(spec, defaults);
  out["config_sync"] = sync_json(spec, defaults);
  out["detect_steps"] = probes_json(spec, defaults);
  out["version"] = spec.version;
  out["options"] = options_json(spec);
  out["requirements"] = requirements_json(spec.requirements);
  return out;
}

json::object registry_to_json(const module_registry& registry) {
  json::array modules;
  for (const auto& m : registry.modules()) modules.emplace_back(module_to_json(*m));
  json::object out;
  out["modules"] = std::move(modules);
  return out;
}

}  // namespace rio::kernel
