#include <rio/kernel/module_registry.hpp>

#include <rio/kernel/module_loader.hpp>

#include <algorithm>

namespace rio::kernel {
namespace fs = std::filesystem;

namespace {

std::size_t rank(std::string_view id) {
  const auto& order = module_registry::builtin_order;
  auto it = std::find(std::begin(order), std::end(order), id);
  return static_cast<std::size_t>(it - std::begin(order));
}

}  // namespace

result<module_registry> module_registry::load_directory(const fs::path& dir, std::vector<load_problem>& problems,
                                                        const abi_identity& expected) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return fail(errc::plugin_dir_missing, "plugin directory " + dir.string() + " does not exist or is not a directory");
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".so") files.push_back(entry.path());
  }
  if (ec) return fail(errc::plugin_dir_missing, "cannot list plugin directory " + dir.string() + ": " + ec.message());
  // Deterministic order, so which of two duplicates wins never depends on directory order:
  // files with rio's own naming (rio-<id>.so) first, then the rest, each group by name.
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    bool ra = a.filename().string().starts_with("rio-");
    bool rb = b.filename().string().starts_with("rio-");
    if (ra != rb) return ra;
    return a < b;
  });

  module_registry registry;
  for (const auto& file : files) {
    auto module = load_module(file, expected);
    if (!module) {
      // Subscriber plugins share the directory; they are loaded by load_subscribers.
      if (module.error().code != make_error_code(errc::other_plugin_kind)) problems.push_back({file, module.error().message});
      continue;
    }
    if (auto added = registry.add(std::move(*module)); !added) problems.push_back({file, added.error().message});
  }
  return registry;
}

result<void> module_registry::add(std::unique_ptr<loaded_module> module) {
  if (const loaded_module* existing = find(module->id)) {
    return fail(errc::duplicate_module,
                "module id '" + module->id + "' is already provided by " + existing->file.filename().string());
  }
  modules_.push_back(std::move(module));
  sort();
  return {};
}

const loaded_module* module_registry::find(std::string_view id) const noexcept {
  for (const auto& m : modules_) {
    if (m->id == id) return m.get();
  }
  return nullptr;
}

void module_registry::sort() {
  std::stable_sort(modules_.begin(), modules_.end(), [](const auto& a, const auto& b) {
    auto ra = rank(a->id);
    auto rb = rank(b->id);
    if (ra != rb) return ra < rb;
    return a->id < b->id;
  });
}

}  // namespace rio::kernel
