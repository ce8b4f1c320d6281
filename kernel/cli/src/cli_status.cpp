// `rio status`: what the status manifests say, per host or for every host, without touching
// anything (no directory is created, nothing is locked).
#include <rio/kernel/cli_command.hpp>

#include "cli_options.hpp"
#include "text_table.hpp"
#include <rio/kernel/engine/run_paths.hpp>
#include <rio/kernel/engine/status_manifest.hpp>
#include <rio/kernel/engine/status_query.hpp>
#include <rio/kernel/inventory.hpp>

#include <boost/json/serialize.hpp>

#include <ostream>

namespace rio::kernel {
namespace fs = std::filesystem;
namespace json = boost::json;
namespace {

using engine::host_status;

// "2026-12-07T09:22:59.011965+00:00" (the manifest's ISO form) as "2026-12-07 09:22:59Z": to the
// second, in UTC, short enough for its column. Anything else is shown as it is.
std::string human_time(const std::string& iso) {
  if (iso.size() < 19 || iso[10] != 'T' || !iso.ends_with("+00:00")) return iso;
  return iso.substr(0, 10) + " " + iso.substr(11, 8) + "Z";
}

// The lines of one host: a row per module, then what the last run says when it matters.
void add_host(cli_detail::text_table& t, const host_status& s) {
  if (!s.manifest) {
    t.row({s.host, "UNREADABLE: " + s.manifest.error().message});
    return;
  }
  const auto& m = *s.manifest;
  const auto& last = m.last_run;
  if (m.modules.empty()) t.row({s.host, s.exists ? "no modules recorded" : "no runs recorded"});
  for (const auto& [id, rec] : m.modules) {
    const std::string& since = rec.state == "failed" ? rec.failed_at : rec.installed_at.empty() ? rec.updated_at : rec.installed_at;
    t.row({s.host, id, rec.state, human_time(since), rec.state == "failed" ? rec.error : rec.reason});
  }
  if (s.running) {
    t.row({s.host, "a run is in progress now"});
  } else if (last && last->state == "running") {
    t.row({s.host, "last run " + last->id + " was interrupted (rerun to resume)"});
  } else if (last && (!last->error.empty() || last->status == "failed")) {
    // A host-level failure (unreachable, refused) leaves no module records: say why here.
    t.row({s.host, "last run " + last->id + " failed" + (last->error.empty() ? "" : ": " + last->error)});
  }
}

void print_human(const cli_io& io, const std::vector<host_status>& statuses, const engine::run_paths& paths,
                 const settings& cfg) {
  if (statuses.empty()) {
    io.out << cli_detail::wrap("No runs recorded yet in " + paths.status_root.string() + " (root " +
                                   cfg.root.string() + ", from " + cfg.root_source +
                                   "; another root: --root DIR or RIO_ROOT; another status directory: "
                                   "COMFYVN_REMOTE_INSTALL_STATUS_ROOT; `rio paths` shows them all).",
                               output_width(io), 0)
           << "\n";
    return;
  }
  cli_detail::text_table t{0};
  t.row({"HOST", "MODULE", "STATE", "SINCE", "LAST REASON"});
  for (const auto& s : statuses) add_host(t, s);
  io.out << t.render(output_width(io));
}

result<std::vector<inventory::host_entry>> entries_of(const cli_detail::parsed_options& p) {
  std::vector<inventory::host_entry> entries;
  for (const auto& h : p.positional) {
    auto e = inventory::parse_host_spec(h);
    if (!e) return e.error();
    entries.push_back(std::move(*e));
  }
  if (auto file = p.value("--inventory"); !file.empty()) {
    auto inv = inventory::load_inventory(file);
    if (!inv) return inv.error();
    if (auto limit = p.value("--limit"); !limit.empty()) {
      auto sel = inventory::select_hosts(*inv, limit);
      if (!sel) return sel.error();
      inv = std::move(*sel);
    }
    for (auto& h : inv->hosts) entries.push_back(std::move(h));
  }
  return entries;
}

}  // namespace

int cli_status(const cli_args& args, const cli_io& io) {
  auto p = cli_detail::parse_options(find_command("status")->options, args.rest);
  if (!p) return usage_error(io, "status", p.error().message);
  auto cfg = settings_or_report(args, io);
  if (!cfg) return exit_failed;
  std::error_code ec;
  if (args.root && !fs::is_directory(cfg->root, ec)) {
    io.err << "rio: status: --root " << cfg->root.string() << " is not a directory\n";
    return exit_failed;
  }
  const auto paths = engine::resolve_run_paths(cfg->root, io.env);

  std::vector<host_status> statuses;
  const bool listing = p->positional.empty() && !p->has("--inventory");
  if (listing) {
    statuses = engine::list_host_statuses(paths);
  } else {
    auto entries = entries_of(*p);
    if (!entries) return usage_error(io, "status", entries.error().message);
    for (const auto& e : *entries) statuses.push_back(engine::read_host_status(paths, e));
  }

  int code = exit_ok;
  for (const auto& s : statuses) {
    if (!s.manifest) {
      io.err << "rio: status: " << s.manifest.error().message << "\n";
      code = exit_failed;
    }
  }
  if (p->has("--json")) {
    if (!listing && statuses.size() == 1 && statuses.front().manifest) io.out << json::serialize(engine::host_status_json(statuses.front(), statuses.front().host)) << "\n";
    else io.out << json::serialize(engine::host_list_json(statuses)) << "\n";
  } else {
    print_human(io, statuses, paths, *cfg);
  }
  return code;
}

}  // namespace rio::kernel
