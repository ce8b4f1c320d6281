#include <rio/kernel/engine/lifecycle_scripts.hpp>

#include <rio/kernel/engine/remote_text.hpp>
#include <rio/sdk/shell.hpp>
#include <rio/sdk/steps.hpp>

#include <charconv>

namespace rio::kernel::engine {
namespace {

constexpr std::size_t named_operator_files = 20;
constexpr std::size_t purge_lines = 50;

std::string key(std::size_t k, std::size_t j) { return std::to_string(k) + " " + std::to_string(j); }

// "/", "~", "/usr", "~/..": never a path rio removes, whatever a manifest says.
bool too_broad(const std::string& path) {
  if (path.find("/../") != std::string::npos || path.ends_with("/..") || path.find("/./") != std::string::npos) return true;
  std::string rest = path.starts_with("~/") ? path.substr(2) : path.starts_with("/") ? path.substr(1) : std::string{};
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty() || rest == ".." || rest == ".") return true;
  return path.starts_with("/") && rest.find('/') == std::string::npos;  // a top-level directory
}

result<std::string> quoted(const std::string& path) {
  if (too_broad(path)) return fail(errc::bad_request, "recorded path '" + path + "' is too broad to remove; edit the status manifest");
  auto q = sdk::shell_quote_path(path);
  if (!q) return fail(errc::bad_request, "recorded path '" + path + "': " + q.error().message);
  return *q;
}

// Other recorded paths inside `checkout` (a venv, node_modules, synced extensions) are removed on
// their own: they are not the operator's files, so the survey leaves them out.
std::string exclusions(const std::vector<removal_item>& removals, const std::string& checkout) {
  std::string out;
  const std::string prefix = checkout + "/";
  for (const auto& r : removals) {
    if (r.path.starts_with(prefix)) out += " " + sdk::shell_quote(":(exclude)" + r.path.substr(prefix.size()));
  }
  return out;
}

std::string survey_checkout(const std::vector<removal_item>& removals, const removal_item& r, const std::string& k) {
  return "if [ -d \"$rio_p/.git\" ]; then\n"
         "  rio_ops=$(cd \"$rio_p\" && { git -c core.quotePath=false ls-files --others --directory -- ." +
         exclusions(removals, r.path) + "; git -c core.quotePath=false ls-files -m; } 2>/dev/null)\n"
         "  printf 'rio-ops " + k + " %s\\n' \"$(printf '%s\\n' \"$rio_ops\" | grep -c .)\"\n"
         "  printf '%s\\n' \"$rio_ops\" | grep . | head -n " + std::to_string(named_operator_files) +
         " | sed 's/^/rio-op " + k + " /'\n"
         "fi\n";
}

// A purge-only directory (operator data, a models store): what is in it, for the plan.
std::string survey_directory(const std::string& k) {
  const std::string list = "ls -A \"$rio_p\" | grep -vxF " + sdk::shell_quote(sdk::steps::uninstalled_mark);
  return "if [ -d \"$rio_p\" ]; then\n"
         "  printf 'rio-ops " + k + " %s\\n' \"$(" + list + " | grep -c .)\"\n"
         "  " + list + " | head -n " + std::to_string(named_operator_files) + " | sed 's/^/rio-op " + k + " /'\n"
         "fi\n";
}

}  // namespace

std::string save_rollback_wrapper(const std::string& body) {
  return "rio_new=\"$RIO_ROLLBACK_DIR.new.$$\"\n"
         "rm -rf \"$rio_new\" && mkdir -p \"$rio_new\" || exit 1\n" +
         sdk::cleanup_on_exit("rm -rf \"$rio_new\"") +
         "(\ncd \"$rio_new\" || exit 1\nset -e\n" + body +
         "\n)\nrio_rc=$?\n[ \"$rio_rc\" -eq 0 ] || exit \"$rio_rc\"\n"
         "rm -rf \"$RIO_ROLLBACK_DIR\" && mv \"$rio_new\" \"$RIO_ROLLBACK_DIR\"\n";
}

result<std::string> survey_script(const std::vector<survey_module>& modules) {
  std::string script;
  for (const auto& m : modules) {
    for (std::size_t j = 0; j < m.removals->size(); ++j) {
      const removal_item& r = (*m.removals)[j];
      auto q = quoted(r.path);
      if (!q) return q.error();
      const std::string k = key(m.plan_index, j);
      script += "rio_p=" + *q + "\nif [ -e \"$rio_p\" ] || [ -L \"$rio_p\" ]; then echo 'rio-rm " + k +
                " present'; else echo 'rio-rm " + k + " absent'; fi\n";
      if (r.kind == "checkout") script += survey_checkout(*m.removals, r, k);
      if (r.kind == "purge") script += survey_directory(k);
    }
    if (!m.purge_lists.empty()) {
      script += "( " + m.purge_lists + "\n) </dev/null 2>/dev/null | head -n " + std::to_string(purge_lines) +
                " | sed 's/^/rio-purge " + std::to_string(m.plan_index) + " /'\n";
    }
  }
  return script + "exit 0\n";
}

void read_survey(std::string_view out, const survey_module& m, std::vector<std::string>& purge_list) {
  const std::string k = std::to_string(m.plan_index) + " ";
  while (!out.empty()) {
    std::string_view line = out.substr(0, out.find('\n'));
    out.remove_prefix(std::min(out.size(), line.size() + 1));
    auto take = [&](std::string_view prefix) {
      if (!line.starts_with(prefix) || !line.substr(prefix.size()).starts_with(k)) return false;
      line.remove_prefix(prefix.size() + k.size());
      return true;
    };
    if (take("rio-purge ")) {
      if (purge_list.size() < purge_lines) purge_list.push_back(printable_text(line, 200));
      continue;
    }
    const bool rm = take("rio-rm "), ops = !rm && take("rio-ops "), op = !rm && !ops && take("rio-op ");
    if (!rm && !ops && !op) continue;
    std::size_t j = 0;
    auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), j);
    if (ec != std::errc{} || j >= m.removals->size() || end == line.data() + line.size() || *end != ' ') continue;
    removal_item& r = (*m.removals)[j];
    const std::string_view rest = line.substr(static_cast<std::size_t>(end - line.data()) + 1);
    if (rm && rest == "absent") r.action = "absent";
    if (ops) std::from_chars(rest.data(), rest.data() + rest.size(), r.operator_file_count);
    if (op && r.operator_files.size() < named_operator_files) r.operator_files.push_back(printable_text(rest, 200));
  }
}

result<std::string> removal_script(const std::vector<removal_item>& removals, bool purge) {
  std::string script = "rio_fail=0\nrio_mod=$(mktemp) || exit 1\n" + sdk::cleanup_on_exit("rm -f \"$rio_mod\"");
  for (const auto& r : removals) {
    if (r.action == "keep" || r.action == "absent") continue;
    auto q = quoted(r.path);
    if (!q) return q.error();
    script += "rio_p=" + *q + "\n";
    if (r.kind == "checkout" && !purge) {
      // Tracked files the operator changed stay, as do files the operator added.
      script +=
          "if [ -d \"$rio_p/.git\" ]; then\n"
          "  ( cd \"$rio_p\" && git -c core.quotePath=false ls-files -m >\"$rio_mod\" &&\n"
          "    git -c core.quotePath=false ls-files | grep -vxF -f \"$rio_mod\" | tr '\\n' '\\0' | xargs -0 rm -f -- &&\n"
          "    rm -rf .git && find . -depth -mindepth 1 -type d -empty -delete ) ||\n"
          "    { echo \"rio: cannot remove the checkout $rio_p\" >&2; rio_fail=1; }\n"
          "  if rmdir \"$rio_p\" 2>/dev/null; then echo \"removed $rio_p\"; else\n"
          "    : >\"$rio_p/" + std::string{sdk::steps::uninstalled_mark} + "\"\n"
          "    echo \"kept $rio_p: it holds files that are not rio's (rio uninstall --purge removes them)\"; fi\n"
          "fi\n";
      continue;
    }
    script += "if [ -e \"$rio_p\" ] || [ -L \"$rio_p\" ]; then\n"
              "  if rm -rf -- \"$rio_p\" 2>/dev/null || rio_sudo rm -rf -- \"$rio_p\"; then echo \"removed $rio_p\"; else\n"
              "    echo \"rio: cannot remove $rio_p\" >&2; rio_fail=1; fi\n"
              "fi\n";
  }
  return script + "exit \"$rio_fail\"\n";
}

}  // namespace rio::kernel::engine
