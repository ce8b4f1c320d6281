// `rio modules`: the loaded installer modules as a table, or one module described (text or JSON).
#include <rio/kernel/cli_command.hpp>

#include "cli_module_describe.hpp"
#include "cli_options.hpp"
#include "suggest.hpp"
#include "text_table.hpp"
#include <rio/kernel/module_registry.hpp>
#include <rio/kernel/registry_json.hpp>

#include <boost/json/serialize.hpp>

#include <ostream>

namespace rio::kernel {
namespace {

void print_list(const module_registry& registry, const settings& cfg, const cli_io& io) {
  cli_detail::text_table t{0};
  t.row({"ID", "NAME", "VERSION", "STEPS", "PROBES", "SYNC", "FILE"});
  for (const auto& m : registry.modules()) {
    const auto& s = m->spec();
    t.row({s.id, s.name, s.version, std::to_string(s.install_steps.size()), std::to_string(s.detect_steps.size()),
           std::to_string(s.config_sync.size()), m->file.filename().string()});
  }
  io.out << t.render(output_width(io)) << registry.modules().size() << " modules from " << cfg.plugin_dir.string() << "\n";
}

int describe(const module_registry& registry, const std::string& id, bool as_json, const cli_io& io) {
  const loaded_module* m = registry.find(id);
  if (m == nullptr) {
    std::vector<std::string> ids;
    for (const auto& x : registry.modules()) ids.push_back(x->id);
    io.err << "rio: modules: no module '" << id << "'" << cli_detail::did_you_mean(id, ids) << " (loaded: ";
    for (std::size_t i = 0; i < ids.size(); ++i) io.err << (i ? ", " : "") << ids[i];
    io.err << ")\n";
    return exit_failed;
  }
  if (as_json) io.out << boost::json::serialize(cli_detail::module_description_json(*m)) << "\n";
  else io.out << cli_detail::module_description(*m, output_width(io));
  return exit_ok;
}

}  // namespace

int cli_modules(const cli_args& args, const cli_io& io) {
  auto p = cli_detail::parse_options(find_command("modules")->options, args.rest);
  if (!p) return usage_error(io, "modules", p.error().message);
  if (p->positional.size() > 1) return usage_error(io, "modules", "takes at most one module ID");
  const bool as_json = p->has("--json");
  auto cfg = settings_or_report(args, io);
  if (!cfg) return exit_failed;
  auto registry = registry_or_report(*cfg, io);
  if (!registry) return exit_failed;
  if (registry->modules().empty()) {
    io.err << "rio: no installer modules could be loaded from " << cfg->plugin_dir.string() << "\n";
    return exit_failed;
  }
  if (!p->positional.empty()) return describe(*registry, p->positional.front(), as_json, io);
  if (as_json) {
    io.out << boost::json::serialize(registry_to_json(*registry)) << "\n";
    return exit_ok;
  }
  print_list(*registry, *cfg, io);
  return exit_ok;
}

}  // namespace rio::kernel
