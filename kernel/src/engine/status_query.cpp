#include <rio/kernel/engine/status_query.hpp>

#include <rio/kernel/engine/earlier_manifest.hpp>
#include <rio/kernel/engine/host_key.hpp>

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace rio::kernel::engine {
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

// The lock is keyed on the address, which an alias's file name does not spell: the manifest's
// `address` (user@host:port) says it; older manifests without it fall back to the file name.
std::string lock_of(const host_status& s) {
  if (s.manifest && !s.manifest->address.empty()) {
    auto spec = inventory::parse_host_spec(s.manifest->address);
    if (spec) return lock_token(spec->where.host, spec->where.port);
  }
  return s.status_path.stem().string();
}

// The ports other than 22 with a manifest for this host: files named <token>_p<port>.json, where
// <token> is the host's token without a port (a name without a port records the same host
// whatever the port, so the token's host part does not depend on it).
std::vector<std::uint16_t> recorded_ports(const run_paths& paths, const inventory::host_entry& e) {
  const std::string prefix = host_token(record_host(e.name, e.where.host, 22)) + "_p";
  std::vector<std::uint16_t> ports;
  std::error_code ec;
  for (fs::directory_iterator it{paths.status_root, ec}, end; !ec && it != end; it.increment(ec)) {
    const std::string file = it->path().filename().string();
    if (!file.starts_with(prefix) || !file.ends_with(".json")) continue;
    const std::string digits = file.substr(prefix.size(), file.size() - prefix.size() - 5);
    if (digits.empty() || digits.size() > 5 || digits.front() == '0' ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    const unsigned long port = std::stoul(digits);
    if (port != 22 && port <= 65535) ports.push_back(static_cast<std::uint16_t>(port));
  }
  std::sort(ports.begin(), ports.end());
  return ports;
}

result<host_manifest> load_with(manifest_cache* cache, const fs::path& file, const std::string& host) {
  return cache != nullptr ? cache->load(file, host) : load_manifest(file, host);
}

}  // namespace

result<host_manifest> manifest_cache::load(const fs::path& file, const std::string& host) {
  std::error_code ec;
  auto mtime = fs::last_write_time(file, ec);
  auto size = ec ? 0 : fs::file_size(file, ec);
  if (ec) {
    entries_.erase(file);
    return load_manifest(file, host);
  }
  auto it = entries_.find(file);
  if (it != entries_.end() && it->second.mtime == mtime && it->second.size == size) {
    auto copy = it->second.manifest;
    if (copy && copy->host.empty()) copy->host = host;
    return copy;
  }
  auto loaded = load_manifest(file, host);
  entries_[file] = entry{mtime, size, loaded};
  return loaded;
}

host_status read_host_status(const run_paths& paths, const inventory::host_entry& e, manifest_cache* cache) {
  host_status s;
  s.host = e.name;
  std::uint16_t port = e.where.port;
  s.status_path = paths.status_file(record_token(e.name, e.where.host, port));
  std::error_code ec;
  s.exists = fs::exists(s.status_path, ec);
  if (!s.exists) {
    if (auto earlier = earlier_manifest(paths, e.name, e.where.host, port)) {
      s.status_path = *earlier;
      s.exists = true;
    }
  }
  if (!s.exists && !e.port_set) {
    s.recorded_ports = recorded_ports(paths, e);
    if (s.recorded_ports.size() == 1) {
      port = s.recorded_ports.front();
      s.status_path = paths.status_file(record_token(e.name, e.where.host, port));
      s.exists = true;
    }
  }
  s.running = run_in_progress(paths.lock_file(lock_token(e.where.host, port)));
  s.manifest = load_with(cache, s.status_path, e.name);
  return s;
}

std::vector<host_status> list_host_statuses(const run_paths& paths, manifest_cache* cache) {
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
    s.manifest = load_with(cache, f, s.host);
    if (s.manifest && !s.manifest->host.empty()) s.host = s.manifest->host;
    s.running = run_in_progress(paths.lock_file(lock_of(s)));
    out.push_back(std::move(s));
  }
  return out;
}

json::object host_status_json(const host_status& s, const std::string& host_as_given) {
  json::object o{{"ok", true}, {"host", host_as_given}, {"status_path", s.status_path.string()}, {"running", s.running}};
  if (s.manifest) {
    o["status"] = manifest_to_json(*s.manifest);
  }
  return o;
}

json::object host_list_json(const std::vector<host_status>& statuses) {
  json::array hosts;
  for (const auto& s : statuses) {
    if (!s.manifest) continue;
    json::object modules;
    for (const auto& [id, rec] : s.manifest->modules) modules[id] = rec.state;
    json::object h{{"host", s.host}, {"modules", std::move(modules)}, {"status_path", s.status_path.string()}, {"running", s.running}};
    h["updated_at"] = s.manifest->updated_at.empty() ? json::value(nullptr) : json::value(s.manifest->updated_at);
    hosts.emplace_back(std::move(h));
  }
  return json::object{{"ok", true}, {"hosts", std::move(hosts)}};
}

}  // namespace rio::kernel::engine
