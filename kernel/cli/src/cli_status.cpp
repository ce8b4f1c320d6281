// `rio status`: what the status manifests say, per host or for every host, without touching
// anything (no directory is created, nothing is locked).
#include <rio/kernel/cli_command.hpp>
#include <rio/kernel/engine/status_query.hpp>
#include <rio/kernel/engine/run_paths.hpp>
#include <rio/kernel/engine/status_manifest.hpp>
#include <rio/kernel/inventory.hpp>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <iomanip>
#include <ostream>

namespace rio::kernel {
namespace fs = std::filesystem;
namespace json = boost::json;
namespace {

using engine::host_status;

void print_human(std::ostream& out, const std::vector<host_status>& statuses) {
  if (statuses.empty()) {
    out << "No runs recorded yet.\n";
    return;
  }
  out << std::left << std::setw(24) << "HOST" << std::setw(13) << "MODULE" << std::setw(11) << "STATE" << std::setw(34)
      << "SINCE" << "LAST REASON\n";
  for (const auto& s : statuses) {
    if (!s.manifest) {
      out << std::setw(24) << s.host << "UNREADABLE: " << s.manifest.error().message << "\n";
      continue;
    }
    const auto& m = *s.manifest;
    if (m.modules.empty()) out << std::setw(24) << s.host << (s.exists ? "no modules recorded" : "no runs recorded") << "\n";
    for (const auto& [id, rec] : m.modules) {
      const std::string& since = rec.state == "failed" ? rec.failed_at : rec.installed_at.empty() ? rec.updated_at : rec.installed_at;
      out << std::setw(24) << s.host << std::setw(13) << id << std::setw(11) << rec.state << std::setw(34) << since
          << (rec.state == "failed" ? rec.error : rec.reason) << "\n";
    }
    if (s.running) out << std::setw(24) << s.host << "a run is in progress now\n";
    else if (m.last_run && m.last_run->state == "running") {
      out << std::setw(24) << s.host << "last run " << m.last_run->id << " was interrupted (rerun to resume)\n";
    }
  }
}

}  // namespace

int cli_status(const cli_args& args, const cli_io& io) {
  bool as_json = false;
  std::vector<std::string> host_args;
  std::string inventory_file, limit;
  const auto& rest = args.rest;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == "--json") as_json = true;
    else if ((rest[i] == "-i" || rest[i] == "--inventory") && i + 1 < rest.size()) inventory_file = rest[++i];
    else if (rest[i] == "--limit" && i + 1 < rest.size()) limit = rest[++i];
    else if (rest[i].starts_with("-")) return usage_error(io, "status: unknown option '" + rest[i] + "'");
    else host_args.push_back(rest[i]);
  }
  auto cfg = settings_or_report(args, io);
  if (!cfg) return exit_failed;
  const auto paths = engine::resolve_run_paths(cfg->root, io.env);

  std::vector<host_status> statuses;
  bool listing = host_args.empty() && inventory_file.empty();
  if (listing) {
    statuses = engine::list_host_statuses(paths);
  } else {
    std::vector<inventory::host_entry> entries;
    for (const auto& h : host_args) {
      auto e = inventory::parse_host_spec(h);
      if (!e) return usage_error(io, "status: " + e.error().message);
      entries.push_back(std::move(*e));
    }
    if (!inventory_file.empty()) {
      auto inv = inventory::load_inventory(inventory_file);
      if (!inv) return usage_error(io, "status: " + inv.error().message);
      if (!limit.empty()) {
        auto sel = inventory::select_hosts(*inv, limit);
        if (!sel) return usage_error(io, "status: " + sel.error().message);
        inv = std::move(*sel);
      }
      for (auto& h : inv->hosts) entries.push_back(std::move(h));
    }
    for (const auto& e : entries) statuses.push_back(engine::read_host_status(paths, e));
  }

  int code = exit_ok;
  for (const auto& s : statuses) {
    if (!s.manifest) {
      io.err << "rio: status: " << s.manifest.error().message << "\n";
      code = exit_failed;
    }
  }
  if (as_json) {
    if (!listing && statuses.size() == 1 && statuses.front().manifest) io.out << json::serialize(engine::host_status_json(statuses.front(), statuses.front().host)) << "\n";
    else io.out << json::serialize(engine::host_list_json(statuses)) << "\n";
  } else {
    print_human(io.out, statuses);
  }
  return code;
}

}  // namespace rio::kernel
