#include <rio/kernel/settings.hpp>

#include <boost/json/parse.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace rio::kernel {
namespace fs = std::filesystem;
namespace json = boost::json;

env_lookup process_env() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string{v};
  };
}

namespace {

fs::path absolute_from(const fs::path& base, const fs::path& p) {
  return (p.is_absolute() ? p : base / p).lexically_normal();
}

// config/rio.json is optional; when present it must be a JSON object with correctly typed fields.
result<std::optional<std::string>> plugin_dir_from_config(const fs::path& root) {
  const fs::path file = root / "config" / "rio.json";
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::optional<std::string>{};
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(errc::bad_config, file.string() + ": cannot be read");
  std::stringstream buffer;
  buffer << in.rdbuf();
  json::error_code jec;
  json::value doc = json::parse(buffer.str(), jec);
  if (jec) return fail(errc::bad_config, file.string() + ": not valid JSON (" + jec.message() + ")");
  if (!doc.is_object()) return fail(errc::bad_config, file.string() + ": must be a JSON object");
  const json::value* dir = doc.as_object().if_contains("plugin_dir");
  if (dir == nullptr || dir->is_null()) return std::optional<std::string>{};
  if (!dir->is_string() || dir->as_string().empty()) {
    return fail(errc::bad_config, file.string() + ": field 'plugin_dir' must be a non-empty string");
  }
  return std::optional<std::string>{std::string{dir->as_string()}};
}

}  // namespace

result<settings> resolve_settings(const settings_inputs& in) {
  settings out;
  if (in.root_flag) {
    out.root = absolute_from(in.cwd, *in.root_flag);
  } else if (auto env_root = in.env("RIO_ROOT")) {
    out.root = absolute_from(in.cwd, *env_root);
  } else {
    out.root = in.cwd;
  }

  if (in.plugin_dir_flag) {
    out.plugin_dir = absolute_from(in.cwd, *in.plugin_dir_flag);
    out.plugin_dir_source = "--plugin-dir";
    return out;
  }
  if (auto env_dir = in.env("RIO_PLUGIN_DIR")) {
    out.plugin_dir = absolute_from(in.cwd, *env_dir);
    out.plugin_dir_source = "RIO_PLUGIN_DIR";
    return out;
  }
  auto configured = plugin_dir_from_config(out.root);
  if (!configured) return configured.error();
  if (*configured) {
    out.plugin_dir = absolute_from(out.root, **configured);
    out.plugin_dir_source = "config/rio.json";
    return out;
  }
  std::error_code ec;
  fs::path beside = in.exe_dir / "plugins";
  out.plugin_dir = fs::is_directory(beside, ec) ? beside : (in.exe_dir / ".." / "lib" / "rio" / "plugins").lexically_normal();
  out.plugin_dir_source = "default";
  return out;
}

}  // namespace rio::kernel
