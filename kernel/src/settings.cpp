#include <rio/kernel/settings.hpp>

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cstdint>
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

struct config_file {
  std::optional<std::string> plugin_dir;
  std::vector<std::string> allowed_sources;
  std::size_t max_hosts_per_request = settings::default_max_hosts_per_request;
};

// config/rio.json is optional; when present it must be a JSON object with correctly typed fields.
result<config_file> read_config_file(const fs::path& root) {
  const fs::path file = root / "config" / "rio.json";
  std::error_code ec;
  if (!fs::exists(file, ec)) return config_file{};
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(errc::bad_config, file.string() + ": cannot be read");
  std::stringstream buffer;
  buffer << in.rdbuf();
  json::error_code jec;
  json::value doc = json::parse(buffer.str(), jec);
  if (jec) return fail(errc::bad_config, file.string() + ": not valid JSON (" + jec.message() + ")");
  if (!doc.is_object()) return fail(errc::bad_config, file.string() + ": must be a JSON object");
  config_file out;
  const json::value* dir = doc.as_object().if_contains("plugin_dir");
  if (dir != nullptr && !dir->is_null()) {
    if (!dir->is_string() || dir->as_string().empty()) {
      return fail(errc::bad_config, file.string() + ": field 'plugin_dir' must be a non-empty string");
    }
    out.plugin_dir = std::string{dir->as_string()};
  }
  const json::value* sources = doc.as_object().if_contains("allowed_sources");
  if (sources != nullptr && !sources->is_null()) {
    const std::string problem = file.string() + ": field 'allowed_sources' must be a list of URL prefixes";
    if (!sources->is_array()) return fail(errc::bad_config, problem);
    for (const auto& v : sources->as_array()) {
      if (!v.is_string() || v.as_string().empty()) return fail(errc::bad_config, problem);
      out.allowed_sources.emplace_back(v.as_string());
    }
  }
  const json::value* cap = doc.as_object().if_contains("max_hosts_per_request");
  if (cap != nullptr && !cap->is_null()) {
    const auto n = cap->is_int64() ? cap->get_int64() : cap->is_uint64() ? static_cast<std::int64_t>(std::min<std::uint64_t>(cap->get_uint64(), 1u << 30)) : -1;
    if (n < 1 || n > 100000) {
      return fail(errc::bad_config, file.string() + ": field 'max_hosts_per_request' must be an integer from 1 to 100000");
    }
    out.max_hosts_per_request = static_cast<std::size_t>(n);
  }
  return out;
}

// The one rule of resolve_settings (settings.hpp). An empty variable counts as unset.
void choose_root(const settings_inputs& in, settings& out) {
  auto set = [&](const char* name) -> std::optional<std::string> {
    auto v = in.env(name);
    return v && !v->empty() ? v : std::nullopt;
  };
  std::error_code ec;
  if (in.root_flag) {
    out.root = absolute_from(in.cwd, *in.root_flag);
    out.root_source = "--root";
  } else if (auto env_root = set("RIO_ROOT")) {
    out.root = absolute_from(in.cwd, *env_root);
    out.root_source = "RIO_ROOT";
  } else if (fs::is_regular_file(in.cwd / "config" / "comfyvn.json", ec) || fs::is_regular_file(in.cwd / "config" / "rio.json", ec)) {
    out.root = in.cwd;
    out.root_source = "the current directory (it holds config/comfyvn.json or config/rio.json)";
  } else if (auto state = set("XDG_STATE_HOME"); state && fs::path{*state}.is_absolute()) {
    out.root = fs::path{*state} / "rio";
    out.root_source = "XDG_STATE_HOME";
  } else if (auto home = set("HOME"); home && fs::path{*home}.is_absolute()) {
    out.root = fs::path{*home} / ".local" / "state" / "rio";
    out.root_source = "~/.local/state";
  } else {
    out.root = in.cwd;
    out.root_source = "the current directory (no HOME)";
  }
}

}  // namespace

result<settings> resolve_settings(const settings_inputs& in) {
  settings out;
  choose_root(in, out);

  auto config = read_config_file(out.root);
  if (!config) return config.error();
  out.allowed_sources = std::move(config->allowed_sources);
  out.max_hosts_per_request = config->max_hosts_per_request;

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
  if (config->plugin_dir) {
    out.plugin_dir = absolute_from(out.root, *config->plugin_dir);
    out.plugin_dir_source = "config/rio.json";
    return out;
  }
  std::error_code ec;
  fs::path beside = in.exe_dir / "plugins";
  out.plugin_dir = fs::is_directory(beside, ec) ? beside : (in.exe_dir / installed_plugin_dir_from_bin()).lexically_normal();
  out.plugin_dir_source = "default";
  return out;
}

const char* installed_plugin_dir_from_bin() noexcept {
#ifdef RIO_PLUGIN_DIR_FROM_BIN
  return RIO_PLUGIN_DIR_FROM_BIN;
#else
  return "../lib/rio/plugins";
#endif
}

}  // namespace rio::kernel
