#include <rio/kernel/engine/run_paths.hpp>

namespace rio::kernel::engine {
namespace fs = std::filesystem;
namespace {

fs::path resolve(const fs::path& root, const env_lookup& env, const char* name, const fs::path& fallback) {
  auto value = env ? env(name) : std::nullopt;
  if (!value || value->empty()) return root / fallback;
  std::string text = *value;
  if (text == "~" || text.starts_with("~/")) {
    auto home = env("HOME");
    if (home && !home->empty()) text = *home + text.substr(1);
  }
  fs::path p{text};
  return (p.is_absolute() ? p : root / p).lexically_normal();
}

}  // namespace

run_paths resolve_run_paths(const fs::path& root, const env_lookup& env) {
  return {resolve(root, env, "COMFYVN_REMOTE_INSTALL_STATUS_ROOT", "data/remote/install"),
          resolve(root, env, "COMFYVN_REMOTE_INSTALL_LOG_ROOT", "logs/remote/install")};
}

}  // namespace rio::kernel::engine
