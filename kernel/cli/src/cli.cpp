// The dispatcher: global options, then the command from the table (cli_commands.cpp).
#include <rio/kernel/cli.hpp>

#include <rio/kernel/cli_command.hpp>

#include "cli_help.hpp"
#include "cli_options.hpp"
#include "suggest.hpp"
#include "text_table.hpp"
#include <rio/kernel/version_info.hpp>

#include <algorithm>
#include <ostream>

namespace rio::kernel {
namespace {

struct parsed_args {
  cli_args args;
  std::string command;
  bool help = false;
  bool version = false;
};

// A global option that takes a directory (--root, --plugin-dir), as `--opt DIR` or `--opt=DIR`.
// Returns false when `a` is not one; `error` is set when it is but lacks its value.
bool take_global_dir(const std::vector<std::string>& argv, std::size_t& i, cli_args& args, std::string& error) {
  const std::string& a = argv[i];
  for (std::string_view name : {std::string_view{"--root"}, std::string_view{"--plugin-dir"}}) {
    auto& slot = name == "--root" ? args.root : args.plugin_dir;
    if (a == name) {
      if (i + 1 >= argv.size() || argv[i + 1].empty()) error = a + " needs a directory argument";
      else slot = argv[++i];
      return true;
    }
    if (a.starts_with(std::string{name} + "=")) {
      slot = a.substr(name.size() + 1);
      return true;
    }
  }
  return false;
}

std::string unknown_global(const std::string& a) {
  std::vector<std::string> names;
  for (const auto& o : global_options()) names.emplace_back(o.long_name);
  std::string typed = a.substr(0, a.find('='));
  return "unknown option '" + typed + "'" + cli_detail::did_you_mean(typed, names);
}

// Global options may appear anywhere before a `--`; after the command everything else is its own.
result<parsed_args> parse(const std::vector<std::string>& argv) {
  parsed_args p;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    std::string error;
    if (a == "--" && !p.command.empty()) {
      p.args.rest.insert(p.args.rest.end(), argv.begin() + static_cast<std::ptrdiff_t>(i), argv.end());
      break;
    }
    if (take_global_dir(argv, i, p.args, error)) {
      if (!error.empty()) return fail(errc::bad_usage, error);
    } else if ((a == "-h" || a == "--help") && p.command.empty()) {
      p.help = true;
    } else if (a == "-V" || a == "--version") {
      p.version = true;
    } else if (p.command.empty() && !a.starts_with("-")) {
      p.command = a;
    } else if (!p.command.empty()) {
      p.args.rest.push_back(a);
    } else {
      return fail(errc::bad_usage, unknown_global(a));
    }
  }
  return p;
}

// `rio CMD --help`, and for a command with subcommands `rio vault set --help`.
int command_help(const cli_command& c, const cli_args& args, const cli_io& io) {
  const auto& rest = args.rest;
  if (!c.subcommands.empty() && !rest.empty() && find_command(rest.front(), &c) != nullptr) {
    return cli_detail::show_help(io, c.name, rest.front());
  }
  return cli_detail::show_help(io, c.name);
}

}  // namespace

int usage_error(const cli_io& io, std::string_view command, const std::string& message) {
  if (command.empty()) {
    io.err << "rio: " << message << "\nTry 'rio --help'.\n";
  } else {
    io.err << "rio: " << command << ": " << message << "\nTry 'rio help " << command << "'.\n";
  }
  return exit_usage;
}

std::size_t output_width(const cli_io& io) {
  auto columns = io.env ? io.env("COLUMNS") : std::nullopt;
  return cli_detail::output_width(columns ? columns->c_str() : nullptr, io.out_columns);
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
  if (!parsed) return usage_error(io, {}, parsed.error().message);
  const parsed_args& p = *parsed;

  if (p.version) {
    io.out << version_report();
    return exit_ok;
  }
  if (p.command.empty()) {
    if (p.help || argv.empty()) return cli_detail::show_help(io, {});
    return usage_error(io, {}, "no command given");
  }
  const cli_command* c = find_command(p.command);
  if (c == nullptr) {
    std::vector<std::string> names;
    for (const auto& x : cli_commands()) names.emplace_back(x.name);
    return usage_error(io, {}, "unknown command '" + p.command + "'" + cli_detail::did_you_mean(p.command, names));
  }
  if (p.help || cli_detail::asks_help(p.args.rest)) return command_help(*c, p.args, io);
  return c->run(p.args, io);
}

}  // namespace rio::kernel
