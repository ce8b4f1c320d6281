#include <rio/kernel/cli.hpp>

#include <rio/kernel/cli_command.hpp>

#include "cli_run_request.hpp"
#include <rio/kernel/version_info.hpp>

#include <algorithm>
#include <iomanip>
#include <ostream>
#include <sstream>

namespace rio::kernel {
namespace {

std::string main_help() {
  std::ostringstream text;
  text << "rio - Remote Installer Orchestrator: installs ComfyUI, SillyTavern, LM Studio and Ollama\n"
          "on SSH hosts, idempotently, with credentials kept in an encrypted vault.\n"
          "\n"
          "Usage: rio [global options] <command> [command options]\n"
          "\n"
          "Commands:\n";
  for (const auto& c : cli_commands()) {
    text << "  " << std::left << std::setw(20) << c.synopsis << c.summary << "\n";
  }
  text << "  " << std::left << std::setw(20) << "version" << "Print the versions of rio, its SDK ABI, Boost, libssh2 and libsodium\n"
       << "  " << std::left << std::setw(20) << "help [command]" << "Show this help, or one command's help\n"
       << "\n"
          "Global options:\n"
          "  --root DIR          rio's root directory (config/, data/, logs/).\n"
          "                      Default: $RIO_ROOT, else the current directory.\n"
          "  --plugin-dir DIR    Where installer modules (*.so) are loaded from.\n"
          "                      Default: $RIO_PLUGIN_DIR, else \"plugin_dir\" in <root>/config/rio.json,\n"
          "                      else plugins/ beside the rio binary, else <prefix>/lib/rio/plugins.\n"
          "  -h, --help          Show help\n"
          "  -V, --version       Same as `rio version`\n"
          "\n"
          "Exit status: 0 on success, 1 when the command failed, 2 for a usage error.\n";
  return text.str();
}

const cli_command* find_command(std::string_view name) {
  auto commands = cli_commands();
  auto it = std::find_if(commands.begin(), commands.end(), [&](const cli_command& c) { return c.name == name; });
  return it == commands.end() ? nullptr : &*it;
}

struct parsed_args {
  cli_args args;
  std::string command;
  bool help = false;
  bool version = false;
};

result<parsed_args> parse(const std::vector<std::string>& argv) {
  parsed_args p;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--root" || a == "--plugin-dir") {
      if (i + 1 >= argv.size() || argv[i + 1].empty()) {
        return fail(errc::bad_usage, a + " needs a directory argument");
      }
      (a == "--root" ? p.args.root : p.args.plugin_dir) = argv[++i];
    } else if (a.starts_with("--root=")) {
      p.args.root = a.substr(7);
    } else if (a.starts_with("--plugin-dir=")) {
      p.args.plugin_dir = a.substr(13);
    } else if ((a == "-h" || a == "--help") && p.command.empty()) {
      p.help = true;
    } else if (a == "-V" || a == "--version") {
      p.version = true;
    } else if (p.command.empty() && !a.starts_with("-")) {
      p.command = a;
    } else if (!p.command.empty()) {
      p.args.rest.push_back(a);
    } else {
      return fail(errc::bad_usage, "unknown option '" + a + "'");
    }
  }
  return p;
}

int show_help(const cli_io& io, std::string_view topic) {
  if (topic.empty()) {
    io.out << main_help();
    return exit_ok;
  }
  if (topic == "version" || topic == "help") {
    io.out << "Usage: rio " << topic << (topic == "help" ? " [command]\n" : "\n");
    return exit_ok;
  }
  const cli_command* c = find_command(topic);
  if (c == nullptr) return usage_error(io, "unknown command '" + std::string{topic} + "'");
  io.out << c->help;
  // plan and install share their host, module and connection options.
  if (c->run == &cli_plan || c->run == &cli_install) io.out << cli_detail::run_options_help;
  return exit_ok;
}

}  // namespace

int usage_error(const cli_io& io, const std::string& message) {
  io.err << "rio: " << message << "\nTry 'rio --help'.\n";
  return exit_usage;
}

std::optional<settings> settings_or_report(const cli_args& args, const cli_io& io) {
  auto cfg = resolve_settings({args.root, args.plugin_dir, io.env, io.exe_dir, io.cwd});
  if (!cfg) {
    io.err << "rio: " << cfg.error().message << "\n";
    return std::nullopt;
  }
  return *cfg;
}

std::optional<module_registry> registry_or_report(const settings& cfg, const cli_io& io) {
  std::vector<load_problem> problems;
  auto registry = module_registry::load_directory(cfg.plugin_dir, problems);
  if (!registry) {
    io.err << "rio: " << registry.error().message << " (from " << cfg.plugin_dir_source << ")\n";
    return std::nullopt;
  }
  for (const auto& problem : problems) {
    io.err << "rio: skipped plugin " << problem.file.string() << ": " << problem.reason << "\n";
  }
  return std::move(*registry);
}

int run_cli(const std::vector<std::string>& argv, const cli_io& io) {
  auto parsed = parse(argv);
  if (!parsed) return usage_error(io, parsed.error().message);
  const parsed_args& p = *parsed;

  if (p.version || p.command == "version") {
    io.out << version_report();
    return exit_ok;
  }
  if (p.command.empty()) {
    if (p.help || argv.empty()) return show_help(io, {});
    return usage_error(io, "no command given");
  }
  if (p.command == "help") return show_help(io, p.args.rest.empty() ? std::string_view{} : p.args.rest.front());
  // `rio <command> --help` shows the command's help; deeper forms (`rio vault set --help`) are the
  // command's own to answer.
  if (p.help || (p.args.rest.size() == 1 && (p.args.rest[0] == "--help" || p.args.rest[0] == "-h"))) {
    return show_help(io, p.command);
  }
  const cli_command* c = find_command(p.command);
  if (c == nullptr) return usage_error(io, "unknown command '" + p.command + "'");
  return c->run(p.args, io);
}

}  // namespace rio::kernel
