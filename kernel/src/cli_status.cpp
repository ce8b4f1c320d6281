// `rio status`: what the status manifests say, per host or for every host, without touching
// anything (no directory is created, nothing is locked).
#include <rio/kernel/cli_command.hpp>
#include <rio/kernel/engine/host_key.hpp>
#include <rio/kernel/engine/run_paths.hpp>
#include <rio/kernel/engine/status_manifest.hpp>
#include <rio/kernel/inventory.hpp>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <fcntl.h>
#include <iomanip>
#include <ostream>
#include <sys/file.h>
#include <unistd.h>

namespace rio::kernel {
namespace fs = std::filesystem;
namespace json = boost::json;
namespace {

// A run holds the host's lock for its whole apply; a shared probe of it tells whether one does.
bool run_in_progress(const fs::path& lock_file) {
  int fd = ::open(lock_file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  bool busy = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return busy;
}

struct host_status {
  std::string host;
  fs::path status_path;
  bool exists = false;
  bool running = false;
  result<engine::host_manifest> manifest = engine::host_manifest{};
};

host_status read_status(const engine::run_paths& paths, const inventory::host_entry& e) {
  const std::string& host = e.name;
  const std::string token = engine::host_token(engine::record_host(e.name, e.where.host, e.where.port), e.where.port);
  host_status s;
  s.host = host;
  s.status_path = paths.status_file(token);
  std::error_code ec;
  s.exists = fs::exists(s.status_path, ec);
  s.running = run_in_progress(paths.lock_file(token));
  s.manifest = engine::load_manifest(s.status_path, host);
  return s;
}

std::vector<host_status> all_statuses(const engine::run_paths& paths) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it{paths.status_root, ec}, end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.extension() == ".json" && it->is_regular_file(ec)) files.push_back(p);
  }
  std::sort(files.begin(), files.end());
  std::vector<host_status> out;
  for (const auto& f : files) {
    host_status s;
    s.status_path = f;
    s.exists = true;
    s.host = f.stem().string();
    s.running = run_in_progress(paths.status_root / (f.stem().string() + ".lock"));
    s.manifest = engine::load_manifest(f, s.host);
    if (s.manifest && !s.manifest->host.empty()) s.host = s.manifest->host;
    out.push_back(std::move(s));
  }
  return out;
}

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

json::object single_json(const host_status& s) {
  json::object o{{"ok", true}, {"host", s.host}, {"status_path", s.status_path.string()}, {"running", s.running}};
  o["status"] = engine::manifest_to_json(*s.manifest);
  return o;
}

json::object list_json(const std::vector<host_status>& statuses) {
  json::array hosts;
  for (const auto& s : statuses) {
    if (!s.manifest) continue;  // unreadable files are reported on stderr
    json::object modules;
    for (const auto& [id, rec] : s.manifest->modules) modules[id] = rec.state;
    json::object h{{"host", s.host}, {"modules", std::move(modules)}, {"status_path", s.status_path.string()}, {"running", s.running}};
    h["updated_at"] = s.manifest->updated_at.empty() ? json::value(nullptr) : json::value(s.manifest->updated_at);
    hosts.emplace_back(std::move(h));
  }
  return json::object{{"ok", true}, {"hosts", std::move(hosts)}};
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
    statuses = all_statuses(paths);
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
    for (const auto& e : entries) statuses.push_back(read_status(paths, e));
  }

  int code = exit_ok;
  for (const auto& s : statuses) {
    if (!s.manifest) {
      io.err << "rio: status: " << s.manifest.error().message << "\n";
      code = exit_failed;
    }
  }
  if (as_json) {
    if (!listing && statuses.size() == 1 && statuses.front().manifest) io.out << json::serialize(single_json(statuses.front())) << "\n";
    else io.out << json::serialize(list_json(statuses)) << "\n";
  } else {
    print_human(io.out, statuses);
  }
  return code;
}

}  // namespace rio::kernel
