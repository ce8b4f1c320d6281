#include <rio/kernel/cli.hpp>

#include <rio/kernel/module_registry.hpp>
#include <rio/kernel/registry_json.hpp>
#include <rio/kernel/version_info.hpp>

#include <boost/json/serialize.hpp>

#include <iomanip>
#include <map>
#include <ostream>

namespace rio::kernel {
namespace {

constexpr int exit_ok = 0;
constexpr int exit_failed = 1;
constexpr int exit_usage = 2;

constexpr const char* main_help =
    "rio - Remote Installer Orchestrator: installs ComfyUI, SillyTavern, LM Studio and Ollama\n"
    "on SSH hosts, idempotently, with credentials kept in an encrypted vault.\n"
    "\n"
    "Usage: rio [global options] <command> [command options]\n"
    "\n"
    "Commands:\n"
    "  modules [--json]   List the installer modules loaded from the plugin directory\n"
    "  version            Print the versions of rio, its SDK ABI, Boost, libssh2 and libsodium\n"
    "  help [command]     Show this help, or one command's help\n"
    "\n"
    "Global options:\n"
    "  --root DIR         rio's root directory (config/, data/, logs/).\n"
    "                     Default: $RIO_ROOT, else the current directory.\n"
    "  --plugin-dir DIR   Where installer modules (*.so) are loaded from.\n"
    "                     Default: $RIO_PLUGIN_DIR, else \"plugin_dir\" in <root>/config/rio.json,\n"
    "                     else plugins/ beside the rio binary, else <prefix>/lib/rio/plugins.\n"
    "  -h, --help         Show help\n"
    "  -V, --version      Same as `rio version`\n"
    "\n"
    "Exit status: 0 on success, 1 when the command failed, 2 for a usage error.\n";

const std::map<std::string, std::string, std::less<>> command_help = {
    {"modules",
     "Usage: rio modules [--json]\n"
     "\n"
     "Loads every installer module from the plugin directory and lists them in registry order\n"
     "(comfyui, sillytavern, lmstudio, ollama, then others by id). A plugin that cannot be loaded\n"
     "is skipped with one line on stderr naming the file and the reason.\n"
     "\n"
     "  --json   Print {\"modules\":[...]}, the shape of GET /api/remote/modules\n"},
    {"version", "Usage: rio version\n\nPrints rio's version, the SDK ABI and header hash, and library versions.\n"},
    {"help", "Usage: rio help [command]\n"},
};

struct parsed_args {
  std::optional<std::filesystem::path> root;
  std::optional<std::filesystem::path> plugin_dir;
  std::string command;
  std::vector<std::string> rest;
  bool help = false;
  bool version = false;
};

result<parsed_args> parse(const std::vector<std::string>& args) {
  parsed_args p;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* flag) -> result<std::string> {
      if (i + 1 >= args.size() || args[i + 1].empty()) {
        return fail(errc::bad_usage, std::string{flag} + " needs a directory argument");
      }
      return args[++i];
    };
    if (a == "--root" || a == "--plugin-dir") {
      auto v = value(a.c_str());
      if (!v) return v.error();
      (a == "--root" ? p.root : p.plugin_dir) = *v;
    } else if (a.starts_with("--root=")) {
      p.root = a.substr(7);
    } else if (a.starts_with("--plugin-dir=")) {
      p.plugin_dir = a.substr(13);
    } else if (a == "-h" || a == "--help") {
      p.help = true;
    } else if (a == "-V" || a == "--version") {
      p.version = true;
    } else if (p.command.empty() && !a.starts_with("-")) {
      p.command = a;
    } else if (!p.command.empty()) {
      p.rest.push_back(a);
    } else {
      return fail(errc::bad_usage, "unknown option '" + a + "'");
    }
  }
  return p;
}

int usage_error(const cli_io& io, const std::string& message) {
  io.err << "rio: " << message << "\nTry 'rio --help'.\n";
  return exit_usage;
}

int cmd_modules(const parsed_args& p, const cli_io& io) {
  bool as_json = false;
  for (const auto& a : p.rest) {
    if (a == "--json") {
      as_json = true;
    } else {
      return usage_error(io, "modules: unknown argument '" + a + "'");
    }
  }
  auto cfg = resolve_settings({p.root, p.plugin_dir, io.env, io.exe_dir, io.cwd});
  if (!cfg) {
    io.err << "rio: " << cfg.error().message << "\n";
    return exit_failed;
  }
  std::vector<load_problem> problems;
  auto registry = module_registry::load_directory(cfg->plugin_dir, problems);
  if (!registry) {
    io.err << "rio: " << registry.error().message << " (from " << cfg->plugin_dir_source << ")\n";
    return exit_failed;
  }
  for (const auto& problem : problems) {
    io.err << "rio: skipped plugin " << problem.file.string() << ": " << problem.reason << "\n";
  }
  if (registry->modules().empty()) {
    io.err << "rio: no installer modules could be loaded from " << cfg->plugin_dir.string() << "\n";
    return exit_failed;
  }

  if (as_json) {
    io.out << boost::json::serialize(registry_to_json(*registry)) << "\n";
    return exit_ok;
  }
  io.out << std::left << std::setw(14) << "ID" << std::setw(14) << "NAME" << std::setw(9) << "VERSION"
         << std::setw(7) << "STEPS" << std::setw(8) << "PROBES" << std::setw(6) << "SYNC" << "FILE\n";
  for (const auto& m : registry->modules()) {
    const auto& s = m->spec();
    io.out << std::left << std::setw(14) << s.id << std::setw(14) << s.name << std::setw(9) << s.version
           << std::setw(7) << s.install_steps.size() << std::setw(8) << s.detect_steps.size() << std::setw(6)
           << s.config_sync.size() << m->file.filename().string() << "\n";
  }
  io.out << registry->modules().size() << " modules from " << cfg->plugin_dir.string() << "\n";
  return exit_ok;
}

}  // namespace

int run_cli(const std::vector<std::string>& args, const cli_io& io) {
  auto parsed = parse(args);
  if (!parsed) return usage_error(io, parsed.error().message);
  const parsed_args& p = *parsed;

  if (p.version || p.command == "version") {
    io.out << version_report();
    return exit_ok;
  }
  if (p.command == "help" || (p.help && p.command.empty()) || (p.command.empty() && args.empty())) {
    const std::string topic = p.command == "help" && !p.rest.empty() ? p.rest.front() : std::string{};
    if (topic.empty()) {
      io.out << main_help;
      return exit_ok;
    }
    auto it = command_help.find(topic);
    if (it == command_help.end()) return usage_error(io, "no help for unknown command '" + topic + "'");
    io.out << it->second;
    return exit_ok;
  }
  if (p.command.empty()) return usage_error(io, "no command given");
  if (p.help) {
    auto it = command_help.find(p.command);
    if (it == command_help.end()) return usage_error(io, "unknown command '" + p.command + "'");
    io.out << it->second;
    return exit_ok;
  }
  if (p.command == "modules") return cmd_modules(p, io);
  return usage_error(io, "unknown command '" + p.command + "'");
}

}  // namespace rio::kernel
