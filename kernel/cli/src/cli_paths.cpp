// `rio paths`: where this rio keeps its state and why (the root rule of settings.hpp), so an
// operator who finds "nothing recorded" can see which root was read, and a packager can check
// that the service and the CLI agree.
#include <rio/kernel/cli_command.hpp>

#include "cli_options.hpp"
#include "text_table.hpp"
#include <rio/kernel/engine/run_paths.hpp>
#include <rio/vault/vault_paths.hpp>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <ostream>

namespace rio::kernel {
namespace json = boost::json;

int cli_paths(const cli_args& args, const cli_io& io) {
  auto p = cli_detail::parse_options(find_command("paths")->options, args.rest);
  if (!p) return usage_error(io, "paths", p.error().message);
  auto cfg = settings_or_report(args, io);
  if (!cfg) return exit_usage;
  const auto runs = engine::resolve_run_paths(cfg->root, io.env);
  const vault::vault_paths secrets{cfg->root};
  const std::vector<std::pair<std::string, std::string>> rows{
      {"root", cfg->root.string()},
      {"root_source", cfg->root_source},
      {"config", (cfg->root / "config" / "comfyvn.json").string()},
      {"rio_config", (cfg->root / "config" / "rio.json").string()},
      {"status", runs.status_root.string()},
      {"logs", runs.log_root.string()},
      {"vault", secrets.vault_file.string()},
      {"plugins", cfg->plugin_dir.string()},
      {"plugins_source", cfg->plugin_dir_source},
  };
  if (p->has("--json")) {
    json::object o;
    for (const auto& [k, v] : rows) o[k] = v;
    io.out << json::serialize(o) << "\n";
    return exit_ok;
  }
  cli_detail::text_table t{0};
  for (const auto& [k, v] : rows) t.row({k, v});
  io.out << t.render(output_width(io));
  return exit_ok;
}

}  // namespace rio::kernel
