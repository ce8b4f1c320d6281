// `rio completion bash`: a bash completion script written from the command and option tables.
#include <rio/kernel/cli_command.hpp>

#include "cli_options.hpp"

#include <algorithm>
#include <ostream>
#include <sstream>

namespace rio::kernel {
namespace {

std::string words(std::span<const cli_option> options) {
  std::string out;
  for (const auto& o : options) {
    if (o.positional) continue;
    if (o.short_name != 0) out += std::string{" -"} + o.short_name;
    if (!o.long_name.empty()) out += " " + std::string{o.long_name} + (o.kind == value_kind::optional ? "=" : "");
  }
  return out.empty() ? out : out.substr(1);
}

// The case arm offering values after an option: files, directories, module ids, or nothing known.
void value_arms(std::ostream& out, std::span<const cli_option> options) {
  std::string files, dirs, modules, other;
  for (const auto& o : options) {
    if (o.positional || o.kind == value_kind::none || o.kind == value_kind::optional) continue;
    std::string names = o.long_name.empty() ? "" : std::string{o.long_name};
    if (o.short_name != 0) names += (names.empty() ? "-" : "|-") + std::string{o.short_name};
    std::string& bucket = o.kind == value_kind::file ? files : o.kind == value_kind::dir ? dirs
                          : o.kind == value_kind::module ? modules : other;
    bucket += (bucket.empty() ? "" : "|") + names;
  }
  if (!files.empty()) out << "        " << files << ") COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n";
  if (!dirs.empty()) out << "        " << dirs << ") COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n";
  if (!modules.empty()) out << "        " << modules << ") _rio_modules; return ;;\n";
  if (!other.empty()) out << "        " << other << ") return ;;\n";
}

void command_arm(std::ostream& out, const cli_command& c) {
  out << "    " << c.name << ")\n";
  if (!c.subcommands.empty()) {
    std::string subs;
    for (const auto& s : c.subcommands) subs += (subs.empty() ? "" : " ") + std::string{s.name};
    out << "      if [[ -z $sub ]]; then COMPREPLY=($(compgen -W \"" << subs << " help\" -- \"$cur\")); return; fi\n"
        << "      case $sub in\n";
    for (const auto& s : c.subcommands) {
      out << "        " << s.name << ")\n          case $prev in\n";
      value_arms(out, s.options);
      out << "          esac\n          opts=\"" << words(s.options) << " --help\" ;;\n";
    }
    out << "      esac ;;\n";
    return;
  }
  out << "      case $prev in\n";
  value_arms(out, c.options);
  out << "      esac\n";
  // An operand that is a module id (rio modules ID) completes to the loaded ids.
  const bool module_operand = std::any_of(c.options.begin(), c.options.end(), [](const cli_option& o) {
    return o.positional && o.kind == value_kind::module;
  });
  if (module_operand) out << "      if [[ $cur != -* ]]; then _rio_modules; return; fi\n";
  out << "      opts=\"" << words(c.options) << " --help\" ;;\n";
}

std::string script(const std::vector<std::string>& module_ids) {
  std::ostringstream out;
  std::string commands, ids;
  for (const auto& c : cli_commands()) commands += (commands.empty() ? "" : " ") + std::string{c.name};
  for (const auto& id : module_ids) ids += (ids.empty() ? "" : " ") + id;
  out << "# bash completion for rio, written by `rio completion bash` from rio's own option tables.\n"
         "_rio_modules() {\n"
         "  # -m takes a comma-separated list: complete its last item.\n"
         "  local prefix=\"\" last=\"$cur\"\n"
         "  if [[ $cur == *,* ]]; then prefix=\"${cur%,*},\"; last=\"${cur##*,}\"; fi\n"
         "  COMPREPLY=($(compgen -P \"$prefix\" -W \"all " << ids << "\" -- \"$last\"))\n"
         "}\n"
         "_rio() {\n"
         "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd=\"\" sub=\"\" opts=\"\" i\n"
         "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
         "    case ${COMP_WORDS[i]} in\n"
         "      --root|--plugin-dir) ((i++)) ;;\n"
         "      -*) ;;\n"
         "      *) if [[ -z $cmd ]]; then cmd=${COMP_WORDS[i]}; elif [[ -z $sub ]]; then sub=${COMP_WORDS[i]}; fi ;;\n"
         "    esac\n"
         "  done\n"
         "  case $prev in\n"
         "    --root|--plugin-dir) COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n"
         "  esac\n"
         "  case $cmd in\n"
         "    \"\") COMPREPLY=($(compgen -W \"" << commands << " " << words(global_options()) << "\" -- \"$cur\")); return ;;\n"
         "    help) COMPREPLY=($(compgen -W \"" << commands << " --man\" -- \"$cur\")); return ;;\n";
  for (const auto& c : cli_commands()) {
    if (c.name != "help") command_arm(out, c);
  }
  out << "  esac\n"
         "  if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\")); fi\n"
         "}\n"
         "complete -o default -F _rio rio\n";
  return out.str();
}

// The module ids of the plugin directory, when it loads; completion then offers them for -m.
std::vector<std::string> loaded_ids(const cli_args& args, const cli_io& io) {
  auto cfg = resolve_settings({args.root, args.plugin_dir, io.env, io.exe_dir, io.cwd});
  if (!cfg) return {};
  std::vector<load_problem> problems;
  auto registry = module_registry::load_directory(cfg->plugin_dir, problems);
  std::vector<std::string> ids;
  if (registry) {
    for (const auto& m : registry->modules()) ids.push_back(m->id);
  }
  return ids;
}

}  // namespace

int cli_completion(const cli_args& args, const cli_io& io) {
  auto p = cli_detail::parse_options(find_command("completion")->options, args.rest);
  if (!p) return usage_error(io, "completion", p.error().message);
  if (p->positional.size() != 1 || p->positional.front() != "bash") {
    return usage_error(io, "completion", "name the shell: rio completion bash (the only one so far)");
  }
  io.out << script(loaded_ids(args, io));
  return exit_ok;
}

}  // namespace rio::kernel
