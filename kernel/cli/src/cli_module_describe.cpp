#include "cli_module_describe.hpp"

#include "text_table.hpp"
#include <rio/kernel/engine/preflight.hpp>
#include <rio/kernel/registry_json.hpp>
#include <rio/sdk/options.hpp>

#include <boost/json/array.hpp>

#include <algorithm>

namespace rio::kernel::cli_detail {
namespace json = boost::json;
namespace {

// The host needs as a whole: the declared requirements plus what the steps call for.
struct needs {
  std::vector<std::string> tools;  ///< needed by a step and not provided by an earlier one
  bool root = false;
  bool package_manager = false;
};

needs step_needs(const sdk::module_spec& s) {
  needs n;
  std::vector<std::string> provided;
  for (const auto& step : s.install_steps) {
    for (const auto& t : step.needs_tools) {
      bool known = std::find(provided.begin(), provided.end(), t) != provided.end() ||
                   std::find(n.tools.begin(), n.tools.end(), t) != n.tools.end();
      if (!known) n.tools.push_back(t);
    }
    provided.insert(provided.end(), step.provides_tools.begin(), step.provides_tools.end());
    n.root = n.root || step.needs_root;
    n.package_manager = n.package_manager || step.needs_package_manager;
  }
  return n;
}

std::string listed(const std::vector<std::string>& v, const char* none) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : ", ") + x;
  return out.empty() ? none : out;
}

json::array names(const std::vector<std::string>& v) { return json::array(v.begin(), v.end()); }

void add_requirements(text_table& t, const sdk::module_spec& s) {
  const auto& r = s.requirements;
  const needs n = step_needs(s);
  t.heading("Requirements:");
  t.row({"disk", r.disk_mib == 0 ? "no check" : engine::format_gib(r.disk_mib) + " free at " +
                                                    (r.install_path.empty() ? "the home directory" : r.install_path)});
  t.row({"systems", listed(r.systems, "any")});
  t.row({"architectures", listed(r.architectures, "any")});
  t.row({"tools", listed(n.tools, "none beyond a POSIX shell")});
  t.row({"root", n.root ? "yes (root login or passwordless sudo)" : "no"});
  t.row({"package manager", n.package_manager ? "yes (apt-get or dnf)" : "no"});
  if (!r.gpu_driver_option.empty()) t.row({"GPU drivers", "only installed when option " + r.gpu_driver_option + " is true"});
}

}  // namespace

std::string module_description(const loaded_module& module, std::size_t width) {
  const sdk::module_spec& s = module.spec();
  std::string out = s.id + ": " + s.name + " " + s.version + " (" + module.file.filename().string() + ")\n";
  if (!s.notes.empty()) out += wrap(s.notes, width, 0) + "\n";
  if (!s.tags.empty()) out += "Tags: " + listed(s.tags, "") + "\n";
  text_table t;
  t.heading("");
  t.heading("Options (--set " + s.id + ".NAME=VALUE):");
  for (const auto& o : s.options) {
    // The default goes into the wrapped cell: a URL there would leave no room for the help.
    t.row({o.name, sdk::to_string(o.type), o.description + " Default: " + (o.default_value.empty() ? "\"\"" : o.default_value) + "."});
  }
  if (s.options.empty()) t.note(0, "none");
  t.heading("");
  t.heading("Install steps (a step whose check passes is skipped):");
  for (const auto& step : s.install_steps) t.row({step.id, step.description});
  t.heading("");
  t.heading("Detect probes (all pass: installed, noop):");
  for (const auto& p : s.detect_steps) t.row({p.id, p.description});
  t.heading("");
  t.heading("Config sync (uploaded only when the host lacks it):");
  for (const auto& c : s.config_sync) {
    t.row({c.source + " -> " + c.destination, c.description + (c.optional ? " (optional)" : "")});
  }
  if (s.config_sync.empty()) t.note(0, "none");
  t.heading("");
  add_requirements(t, s);
  return out + t.render(width);
}

json::object module_description_json(const loaded_module& module) {
  const sdk::module_spec& s = module.spec();
  json::object out = module_to_json(module);
  const needs n = step_needs(s);
  // The declared requirements (module_to_json) plus what the steps call for, summed.
  json::object& req = out["requirements"].as_object();
  req["tools"] = names(n.tools);
  req["root"] = n.root;
  req["package_manager"] = n.package_manager;
  out["file"] = module.file.string();
  return out;
}

}  // namespace rio::kernel::cli_detail
