#include <rio/kernel/cli_command.hpp>

namespace rio::kernel {

std::span<const cli_command> cli_commands() {
  static constexpr cli_command commands[] = {
      {"modules", "modules [--json]", "List the installer modules loaded from the plugin directory",
       "Usage: rio modules [--json]\n"
       "\n"
       "Loads every installer module from the plugin directory and lists them in registry order\n"
       "(comfyui, sillytavern, lmstudio, ollama, then others by id). A plugin that cannot be loaded\n"
       "is skipped with one line on stderr naming the file and the reason.\n"
       "\n"
       "  --json   Print {\"modules\":[...]}, the shape of GET /api/remote/modules\n",
       &cli_modules},
  };
  return commands;
}

}  // namespace rio::kernel
