#include <rio/kernel/engine/status_manifest.hpp>

#include <rio/kernel/engine/durable_file.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace rio::kernel::engine {
namespace fs = std::filesystem;
namespace json = boost::json;
namespace {

// Reads fields of one JSON object, remembering the first wrong type with its dotted path.
class reader {
 public:
  reader(const json::object& o, std::string path, std::string& problem) : o_(o), path_(std::move(path)), problem_(problem) {}

  void str(const char* key, std::string& out) {
    if (auto* v = o_.if_contains(key); v != nullptr && !v->is_null()) {
      if (v->is_string()) out = std::string{v->get_string()};
      else wrong(key, "a string");
    }
  }
  void boolean(const char* key, std::optional<bool>& out) {
    if (auto* v = o_.if_contains(key); v != nullptr && !v->is_null()) {
      if (v->is_bool()) out = v->get_bool();
      else wrong(key, "true or false");
    }
  }
  template <class Int>
  void integer(const char* key, Int& out) {
    if (auto* v = o_.if_contains(key); v != nullptr && !v->is_null()) {
      if (v->is_int64()) out = static_cast<Int>(v->get_int64());
      else if (v->is_uint64()) out = static_cast<Int>(v->get_uint64());
      else wrong(key, "an integer");
    }
  }
  void strings(const char* key, std::vector<std::string>& out) {
    const json::array* a = array(key);
    if (a == nullptr) return;
    for (const auto& item : *a) {
      if (!item.is_string()) return wrong(key, "a list of strings");
      out.emplace_back(item.get_string());
    }
  }
  const json::array* array(const char* key) {
    auto* v = o_.if_contains(key);
    if (v == nullptr || v->is_null()) return nullptr;
    if (!v->is_array()) {
      wrong(key, "a list");
      return nullptr;
    }
    return &v->get_array();
  }
  const json::object* object(const char* key) {
    auto* v = o_.if_contains(key);
    if (v == nullptr || v->is_null()) return nullptr;
    if (!v->is_object()) {
      wrong(key, "an object");
      return nullptr;
    }
    return &v->get_object();
  }
  std::string child(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

 private:
  void wrong(const char* key, const char* expected) {
    if (problem_.empty()) problem_ = "field '" + child(key) + "' must be " + expected;
  }
  const json::object& o_;
  std::string path_;
  std::string& problem_;
};

// "options": {"version": "0.6.5"}: string values only.
void read_state_options(reader& r, std::map<std::string, std::string>& out, std::string& problem) {
  const json::object* options = r.object("options");
  if (options == nullptr) return;
  for (const auto& [name, value] : *options) {
    if (!value.is_string()) {
      if (problem.empty()) problem = "field '" + r.child("options." + std::string{name}) + "' must be a string";
      continue;
    }
    out.emplace(std::string{name}, std::string{value.get_string()});
  }
}

// rio's lifecycle fields: pin, created paths, the rollback point.
void read_lifecycle(reader& r, module_record& m, std::string& problem) {
  r.str("pin", m.pin);
  r.str("pin_version", m.pin_version);
  r.str("uninstalled_at", m.uninstalled_at);
  if (const json::array* created = r.array("created")) {
    for (std::size_t i = 0; i < created->size(); ++i) {
      const std::string item = r.child("created[" + std::to_string(i) + "]");
      if (!(*created)[i].is_object()) {
        if (problem.empty()) problem = "field '" + item + "' must be an object";
        continue;
      }
      reader c{(*created)[i].get_object(), item, problem};
      created_record rec;
      c.str("path", rec.path);
      c.str("kind", rec.kind);
      c.str("step", rec.step);
      m.created.push_back(std::move(rec));
    }
  }
  if (const json::object* rollback = r.object("rollback")) {
    reader b{*rollback, r.child("rollback"), problem};
    rollback_record rec;
    b.str("version", rec.version);
    b.str("saved_at", rec.saved_at);
    b.str("run_id", rec.run_id);
    m.rollback = std::move(rec);
  }
}

void lifecycle_to_json(const module_record& m, json::object& o) {
  if (!m.pin.empty()) o["pin"] = m.pin;
  if (!m.pin_version.empty()) o["pin_version"] = m.pin_version;
  if (!m.uninstalled_at.empty()) o["uninstalled_at"] = m.uninstalled_at;
  if (!m.created.empty()) {
    json::array created;
    for (const auto& c : m.created) created.emplace_back(json::object{{"path", c.path}, {"kind", c.kind}, {"step", c.step}});
    o["created"] = std::move(created);
  }
  if (m.rollback) {
    o["rollback"] = json::object{{"version", m.rollback->version}, {"saved_at", m.rollback->saved_at}, {"run_id", m.rollback->run_id}};
  }
}

module_record read_module(const json::object& o, const std::string& path, std::string& problem) {
  reader r{o, path, problem};
  module_record m;
  r.str("state", m.state);
  r.str("installed_at", m.installed_at);
  r.str("failed_at", m.failed_at);
  r.str("error", m.error);
  r.str("notes", m.notes);
  r.strings("tags", m.tags);
  r.str("reason", m.reason);
  r.boolean("detected", m.detected);
  r.str("run_id", m.run_id);
  r.str("stderr_tail", m.stderr_tail);
  r.str("updated_at", m.updated_at);
  r.str("version", m.version);
  read_state_options(r, m.state_options, problem);
  read_lifecycle(r, m, problem);
  if (const json::array* steps = r.array("steps")) {
    for (std::size_t i = 0; i < steps->size(); ++i) {
      const std::string step_path = r.child("steps[" + std::to_string(i) + "]");
      if (!(*steps)[i].is_object()) {
        if (problem.empty()) problem = "field '" + step_path + "' must be an object";
        continue;
      }
      reader s{(*steps)[i].get_object(), step_path, problem};
      step_record step;
      s.str("id", step.id);
      s.str("outcome", step.outcome);
      s.integer("exit_code", step.exit_code);
      s.integer("duration_ms", step.duration_ms);
      s.str("reason", step.reason);
      m.steps.push_back(std::move(step));
    }
  }
  return m;
}

json::object module_to_json(const module_record& m) {
  json::object o;
  o["state"] = m.state;
  if (!m.installed_at.empty()) o["installed_at"] = m.installed_at;
  if (!m.failed_at.empty()) o["failed_at"] = m.failed_at;
  if (!m.error.empty()) o["error"] = m.error;
  o["notes"] = m.notes;
  json::array tags;
  for (const auto& t : m.tags) tags.emplace_back(t);
  o["tags"] = std::move(tags);
  if (!m.reason.empty()) o["reason"] = m.reason;
  if (m.detected) o["detected"] = *m.detected;
  if (!m.run_id.empty()) o["run_id"] = m.run_id;
  if (!m.steps.empty()) {
    json::array steps;
    for (const auto& s : m.steps) {
      steps.emplace_back(json::object{{"id", s.id},
                                      {"outcome", s.outcome},
                                      {"exit_code", s.exit_code},
                                      {"duration_ms", s.duration_ms},
                                      {"reason", s.reason}});
    }
    o["steps"] = std::move(steps);
  }
  if (!m.stderr_tail.empty()) o["stderr_tail"] = m.stderr_tail;
  if (!m.reason.empty()) o["last_reason"] = m.reason;
  if (!m.updated_at.empty()) o["updated_at"] = m.updated_at;
  if (!m.version.empty()) o["version"] = m.version;
  if (!m.state_options.empty()) {
    json::object options;
    for (const auto& [name, value] : m.state_options) options[name] = value;
    o["options"] = std::move(options);
  }
  lifecycle_to_json(m, o);
  return o;
}

}  // namespace

std::string utc_timestamp() {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto secs = time_point_cast<seconds>(now);
  auto micros = duration_cast<microseconds>(now - secs).count();
  std::time_t t = system_clock::to_time_t(secs);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[96];  // generous: GCC's -Wformat-truncation counts the widest possible ints
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld+00:00", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(micros));
  return buf;
}

result<host_manifest> parse_manifest(std::string_view text, const std::string& source) {
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec) return fail(errc::corrupt_manifest, source + ": not valid JSON (" + ec.message() + ")");
  if (!doc.is_object()) return fail(errc::corrupt_manifest, source + ": must be a JSON object");
  const json::object& root = doc.get_object();
  std::string problem;
  reader r{root, "", problem};
  host_manifest m;
  r.str("host", m.host);
  r.str("address", m.address);
  r.str("updated_at", m.updated_at);
  std::int64_t version = 1;
  r.integer("version", version);
  if (problem.empty() && version != 1) {
    return fail(errc::corrupt_manifest, source + ": version " + std::to_string(version) + " is not supported (expected 1)");
  }
  if (const json::object* modules = r.object("modules")) {
    for (const auto& [key, value] : *modules) {
      std::string path = "modules." + std::string{key};
      if (!value.is_object()) {
        if (problem.empty()) problem = "field '" + path + "' must be an object";
        continue;
      }
      m.modules.emplace(std::string{key}, read_module(value.get_object(), path, problem));
    }
  }
  if (const json::object* run = r.object("last_run")) {
    reader rr{*run, "last_run", problem};
    run_record rec;
    rr.str("id", rec.id);
    rr.str("state", rec.state);
    rr.str("status", rec.status);
    rr.str("started_at", rec.started_at);
    rr.str("finished_at", rec.finished_at);
    rr.integer("pid", rec.pid);
    rr.str("error", rec.error);
    m.last_run = std::move(rec);
  }
  if (!problem.empty()) return fail(errc::corrupt_manifest, source + ": " + problem);
  return m;
}

result<host_manifest> load_manifest(const fs::path& file, const std::string& host) {
  auto text = read_file_if_exists(file);
  if (!text) return text.error();
  if (!*text) {
    host_manifest empty;
    empty.host = host;
    return empty;
  }
  return parse_manifest(**text, file.string());
}

json::object manifest_to_json(const host_manifest& m) {
  json::object o;
  o["host"] = m.host;
  json::object modules;
  for (const auto& [id, rec] : m.modules) modules[id] = module_to_json(rec);
  o["modules"] = std::move(modules);
  o["version"] = 1;
  if (!m.updated_at.empty()) o["updated_at"] = m.updated_at;
  if (!m.address.empty()) o["address"] = m.address;
  if (m.last_run) {
    const run_record& r = *m.last_run;
    json::object run{{"id", r.id}, {"state", r.state}, {"started_at", r.started_at}, {"pid", r.pid}};
    if (!r.status.empty()) run["status"] = r.status;
    if (!r.finished_at.empty()) run["finished_at"] = r.finished_at;
    if (!r.error.empty()) run["error"] = r.error;
    o["last_run"] = std::move(run);
  }
  return o;
}

namespace {
// Indented like the original's json.dump(indent=2), so operators can read and diff it.
void pretty(std::string& out, const json::value& v, int depth) {
  auto pad = [&](int d) { out.append(static_cast<std::size_t>(d) * 2, ' '); };
  if (v.is_object()) {
    const auto& o = v.get_object();
    if (o.empty()) return out.append("{}"), void();
    out += "{\n";
    std::size_t i = 0;
    for (const auto& [k, val] : o) {
      pad(depth + 1);
      out += json::serialize(json::value(json::string(k)));
      out += ": ";
      pretty(out, val, depth + 1);
      out += ++i < o.size() ? ",\n" : "\n";
    }
    pad(depth);
    out += "}";
  } else if (v.is_array()) {
    const auto& a = v.get_array();
    if (a.empty()) return out.append("[]"), void();
    out += "[\n";
    for (std::size_t i = 0; i < a.size(); ++i) {
      pad(depth + 1);
      pretty(out, a[i], depth + 1);
      out += i + 1 < a.size() ? ",\n" : "\n";
    }
    pad(depth);
    out += "]";
  } else {
    out += json::serialize(v);
  }
}
}  // namespace

result<void> save_manifest(const fs::path& file, const host_manifest& m) {
  if (auto dir = ensure_directory(file.parent_path()); !dir) return dir.error();
  std::string text;
  pretty(text, manifest_to_json(m), 0);
  text += "\n";
  return write_file_atomic(file, text, 0644);
}

result<fs::path> quarantine_manifest(const fs::path& file) {
  std::string stamp = utc_timestamp().substr(0, 19);
  for (char& c : stamp) {
    if (c == ':') c = '-';
  }
  fs::path aside{file.string() + ".corrupt-" + stamp};
  std::error_code ec;
  fs::rename(file, aside, ec);
  if (ec) return fail(errc::io_error, "cannot move unreadable manifest " + file.string() + " aside: " + ec.message());
  return aside;
}

}  // namespace rio::kernel::engine
