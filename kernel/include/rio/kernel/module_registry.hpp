#pragma once
// The set of loaded installer modules, in the fixed registry order.

#include <rio/kernel/abi_identity.hpp>
#include <rio/kernel/loaded_module.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rio::kernel {

/** A plugin file that was skipped, and why (one line for operators). */
struct load_problem {
  std::filesystem::path file;
  std::string reason;
};

/**
 * Owns every loaded module for the life of the process. Declare it before any io_context that
 * runs module coroutines, so it is destroyed after them.
 */
class module_registry {
 public:
  /** The built-in modules, in the order the original tool lists them; others follow by id. */
  static constexpr std::string_view builtin_order[] = {"comfyui", "sillytavern", "lmstudio", "ollama"};

  /**
   * Loads every `*.so` in `dir` (not recursive). Broken, duplicate or mismatched files are
   * reported in `problems` and skipped; the rest load. Files named rio-*.so load first, then
   * the others, each group in name order; of two files with one module id the first wins.
   * Error: errc::plugin_dir_missing.
   */
  static result<module_registry> load_directory(const std::filesystem::path& dir, std::vector<load_problem>& problems,
                                                const abi_identity& expected = kernel_abi());

  /** Adds one module; refuses a duplicate id (naming the file that already provides it). */
  result<void> add(std::unique_ptr<loaded_module> module);

  const std::vector<std::unique_ptr<loaded_module>>& modules() const noexcept { return modules_; }
  const loaded_module* find(std::string_view id) const noexcept;

 private:
  void sort();
  std::vector<std::unique_ptr<loaded_module>> modules_;
};

}  // namespace rio::kernel
