// `rio help --man`: the manual page rio(1) in roff, written from the command and option tables.
#include "cli_help.hpp"

#include "cli_options.hpp"
#include <rio/kernel/version_info.hpp>

#include <sstream>

namespace rio::kernel::cli_detail {
namespace {

// Roff-safe text: backslashes escaped, dashes as \-, a line never starting with a control character.
std::string roff(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out += c;
    line_start = c == '\n';
  }
  return out;
}

// Prose paragraphs: hand-wrapped lines join into filled paragraphs; a blank line starts a new one.
void paragraphs(std::ostream& out, std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find("\n\n", pos);
    if (end == std::string_view::npos) end = text.size();
    auto para = text.substr(pos, end - pos);
    while (!para.empty() && para.back() == '\n') para.remove_suffix(1);
    if (!para.empty()) out << ".PP\n" << roff(para) << "\n";
    pos = end + 2;
  }
}

void options(std::ostream& out, std::span<const cli_option> table) {
  for (const auto& o : table) {
    out << ".TP\n" << (o.positional ? "\\fI" : "\\fB") << roff(option_label(o)) << "\\fR\n"
        << roff(o.help) << (o.repeatable ? " (repeatable)" : "") << "\n";
  }
}

void command(std::ostream& out, const cli_command& c, std::string_view prefix) {
  out << ".SS \"" << roff(prefix) << roff(synopsis(c)) << "\"\n";
  if (!c.description.empty()) paragraphs(out, c.description);
  else out << ".PP\n" << roff(c.summary) << ".\n";
  options(out, c.options);
  for (const auto& sub : c.subcommands) command(out, sub, std::string{prefix} + std::string{c.name} + " ");
  if (!c.epilogue.empty()) paragraphs(out, c.epilogue);
}

}  // namespace

std::string man_page() {
  std::ostringstream out;
  // Ragged right: JSON shapes in the option help are single long words that cannot be justified.
  out << ".TH RIO 1 \"\" \"rio\" \"User Commands\"\n"
         ".ad l\n"
         ".SH NAME\n"
         "rio \\- Remote Installer Orchestrator: installs AI tools on SSH hosts\n"
         ".SH SYNOPSIS\n"
         ".B rio\n[\\fIglobal options\\fR] \\fIcommand\\fR [\\fIcommand options\\fR]\n"
         ".SH DESCRIPTION\n"
         "rio installs ComfyUI, SillyTavern, LM Studio and Ollama on SSH hosts, idempotently, with\n"
         "credentials kept in an encrypted vault. Every command below also answers\n"
         ".BR \"rio help \\fIcommand\\fR\" .\n"
         ".SH GLOBAL OPTIONS\n";
  options(out, global_options());
  out << ".SH COMMANDS\n";
  for (const auto& c : cli_commands()) command(out, c, "rio ");
  out << ".SH ENVIRONMENT\n"
         ".TP\n.B RIO_ROOT\nrio's root directory when \\-\\-root is not given.\n"
         ".TP\n.B RIO_PLUGIN_DIR\nthe plugin directory when \\-\\-plugin\\-dir is not given.\n"
         ".TP\n.B COMFYVN_SECRETS_KEY\\fR, \\fBCOMFYVN_SECRETS_PASSPHRASE\n"
         "the vault's key or passphrase (else the key file config/comfyvn.secrets.key).\n"
         ".TP\n.B COLUMNS\nthe width help and tables wrap to (default: the terminal's, else 100).\n"
         ".SH EXIT STATUS\n"
         "0 on success, 1 when the command failed, 2 for a usage error, 3 when every host was busy\n"
         "with another run (rio install).\n";
  return out.str();
}

}  // namespace rio::kernel::cli_detail
