#include <rio/kernel/cli_command.hpp>

#include <rio/kernel/module_registry.hpp>
#include <rio/kernel/registry_json.hpp>

#include <boost/json/serialize.hpp>

#include <iomanip>
#include <ostream>

namespace rio::kernel {

int cli_modules(const cli_args& args, const cli_io& io) {
  bool as_json = false;
  for (const auto& a : args.rest) {
    if (a == "--json") {
      as_json = true;
    } else {
      return usage_error(io, "modules: unknown argument '" + a + "'");
    }
  }
  auto cfg = settings_or_report(args, io);
  if (!cfg) return exit_failed;
  auto registry = registry_or_report(*cfg, io);
  if (!registry) return exit_failed;
  if (registry->modules().empty()) {
    io.err << "rio: no installer modules could be loaded from " << cfg->plugin_dir.string() << "\n";
    return exit_failed;
  }

  if (as_json) {
    io.out << boost::json::serialize(registry_to_json(*registry)) << "\n";
    return exit_ok;
  }
  io.out << std::left << std::setw(14) << "ID" << std::setw(14) << "NAME" << std::setw(9) << "VERSION"
         << std::setw(7) << "STEPS" << std::setw(8) << "PROBES" << std::setw(6) << "SYNC" << "FILE\n";
  for (const auto& m : registry->modules()) {
    const auto& s = m->spec();
    io.out << std::left << std::setw(14) << s.id << std::setw(14) << s.name << std::setw(9) << s.version
           << std::setw(7) << s.install_steps.size() << std::setw(8) << s.detect_steps.size() << std::setw(6)
           << s.config_sync.size() << m->file.filename().string() << "\n";
  }
  io.out << registry->modules().size() << " modules from " << cfg->plugin_dir.string() << "\n";
  return exit_ok;
}

}  // namespace rio::kernel
