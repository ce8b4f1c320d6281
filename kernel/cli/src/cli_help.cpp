#include "cli_help.hpp"

#include "cli_options.hpp"
#include "suggest.hpp"
#include "text_table.hpp"
#include <rio/kernel/version_info.hpp>

#include <algorithm>
#include <ostream>

namespace rio::kernel::cli_detail {
namespace {

// An option the operands already show ("-i INVENTORY") is not repeated in the synopsis.
bool in_operands(const cli_command& c, const cli_option& o) {
  std::string_view ops = c.operands;
  if (!o.long_name.empty() && ops.find(o.long_name) != std::string_view::npos) return true;
  return o.short_name != 0 && ops.find(std::string{"-"} + o.short_name + " ") != std::string_view::npos;
}

// The option rows of one table; a section heading whenever the section changes.
void add_options(text_table& t, std::span<const cli_option> options) {
  std::string_view section = "\x01";
  for (const auto& o : options) {
    std::string_view heading = o.section.empty() ? std::string_view{"Options"} : o.section;
    if (heading != section) {
      if (section != "\x01") t.heading("");
      t.heading(std::string{heading} + ":");
      section = heading;
    }
    t.row({option_label(o), std::string{o.help} + (o.repeatable ? " (repeatable)" : "")});
  }
}

std::string indented(std::string_view text, std::size_t by) {
  std::string out, pad(by, ' ');
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    auto line = text.substr(pos, end - pos);
    out += (line.empty() ? "" : pad) + std::string{line} + "\n";
    pos = end + 1;
  }
  return out;
}

std::string subcommand_help(const cli_command& c, const cli_command& parent, std::size_t width) {
  std::string out = "rio " + std::string{parent.name} + " " + synopsis(c) + "\n" + indented(c.description, 2);
  if (c.options.empty()) return out;
  text_table t{4};
  for (const auto& o : c.options) t.row({option_label(o), std::string{o.help} + (o.repeatable ? " (repeatable)" : "")});
  return out + t.render(width);
}

}  // namespace

std::string synopsis(const cli_command& c) {
  std::string out{c.name};
  if (!c.operands.empty()) out += " " + std::string{c.operands};
  std::vector<const cli_option*> shown;
  for (const auto& o : c.options) {
    if (!o.positional && !in_operands(c, o)) shown.push_back(&o);
  }
  if (shown.size() > 3) return out + " [options]";
  for (const auto* o : shown) {
    // The short form when there is one: "[-m MODULES]", as usage lines are written.
    std::string label = o->short_name != 0 ? std::string{"-"} + o->short_name : std::string{o->long_name};
    if (o->kind == value_kind::optional) label += "[=" + std::string{o->value_name} + "]";
    else if (!o->value_name.empty()) label += " " + std::string{o->value_name};
    out += " [" + label + "]" + (o->repeatable ? "..." : "");
  }
  return out;
}

std::string main_help(std::size_t width) {
  std::string out =
      "rio - Remote Installer Orchestrator: installs ComfyUI, SillyTavern, LM Studio and Ollama\n"
      "on SSH hosts, idempotently, with credentials kept in an encrypted vault.\n"
      "\n"
      "Usage: rio [global options] <command> [command options]\n"
      "\n";
  text_table t;
  t.heading("Commands:");
  for (const auto& c : cli_commands()) t.row({synopsis(c), std::string{c.summary}});
  t.heading("");
  t.heading("Global options:");
  for (const auto& o : global_options()) t.row({option_label(o), std::string{o.help}});
  return out + t.render(width) +
         "\n"
         "`rio help COMMAND` (or `rio COMMAND --help`) shows one command. Shell completion:\n"
         "`source <(rio completion bash)`; the manual page: `rio help --man | man -l -`.\n"
         "\n"
         "Exit status: 0 on success, 1 when the command failed, 2 for a usage error.\n";
}

std::string command_help(const cli_command& c, const cli_command* parent, std::size_t width) {
  if (parent != nullptr) return subcommand_help(c, *parent, width);
  std::string out = "Usage: rio " + synopsis(c) + (c.subcommands.empty() ? "" : " [options]") + "\n";
  if (!c.description.empty()) out += "\n" + std::string{c.description};
  if (!c.options.empty()) {
    text_table t;
    add_options(t, c.options);
    out += "\n" + t.render(width);
  }
  if (!c.subcommands.empty()) {
    out += "\nSubcommands:\n";
    for (const auto& sub : c.subcommands) out += "\n" + subcommand_help(sub, c, width);
  }
  if (!c.epilogue.empty()) out += "\n" + std::string{c.epilogue};
  return out;
}

int show_help(const cli_io& io, std::string_view topic, std::string_view sub) {
  const std::size_t width = kernel::output_width(io);
  if (topic.empty()) {
    io.out << main_help(width);
    return exit_ok;
  }
  const cli_command* c = find_command(topic);
  std::vector<std::string> names;
  for (const auto& x : cli_commands()) names.emplace_back(x.name);
  if (c == nullptr) return usage_error(io, "help", "unknown command '" + std::string{topic} + "'" + did_you_mean(topic, names));
  if (sub.empty() || c->subcommands.empty()) {
    io.out << command_help(*c, nullptr, width);
    return exit_ok;
  }
  const cli_command* s = find_command(sub, c);
  if (s == nullptr) {
    names.clear();
    for (const auto& x : c->subcommands) names.emplace_back(x.name);
    return usage_error(io, std::string{c->name}, "unknown subcommand '" + std::string{sub} + "'" + did_you_mean(sub, names));
  }
  io.out << command_help(*s, c, width);
  return exit_ok;
}

int cli_help(const cli_args& args, const cli_io& io) {
  const cli_command& self = *find_command("help");
  auto p = parse_options(self.options, args.rest);
  if (!p) return usage_error(io, "help", p.error().message);
  if (p->has("--man")) {
    io.out << man_page();
    return exit_ok;
  }
  if (p->positional.size() > 2) return usage_error(io, "help", "takes at most a command and a subcommand");
  auto at = [&](std::size_t i) { return i < p->positional.size() ? std::string_view{p->positional[i]} : std::string_view{}; };
  return show_help(io, at(0), at(1));
}

int cli_version(const cli_args& args, const cli_io& io) {
  if (!args.rest.empty()) return usage_error(io, "version", "takes no arguments");
  io.out << version_report();
  return exit_ok;
}

}  // namespace rio::kernel::cli_detail
