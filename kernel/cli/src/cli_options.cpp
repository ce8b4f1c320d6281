#include "cli_options.hpp"

#include "suggest.hpp"

#include <algorithm>
#include <optional>

namespace rio::kernel::cli_detail {
namespace {

const cli_option* find_long(std::span<const cli_option> table, std::string_view name) {
  auto it = std::find_if(table.begin(), table.end(), [&](const cli_option& o) { return !o.positional && o.long_name == name; });
  return it == table.end() ? nullptr : &*it;
}

const cli_option* find_short(std::span<const cli_option> table, char c) {
  auto it = std::find_if(table.begin(), table.end(), [&](const cli_option& o) { return !o.positional && o.short_name == c; });
  return it == table.end() ? nullptr : &*it;
}

std::string unknown(std::span<const cli_option> table, const std::string& arg) {
  std::vector<std::string> names;
  for (const auto& o : table) {
    if (!o.positional) names.push_back(o.long_name.empty() ? std::string{"-"} + o.short_name : std::string{o.long_name});
  }
  std::string typed = arg.substr(0, arg.find('='));
  return "unknown option '" + typed + "'" + did_you_mean(typed, names);
}

// Files one occurrence of `o`; `inline_value` is what followed '=' (or a short option's letter).
result<void> take(parsed_options& p, const cli_option& o, const std::string& shown, std::optional<std::string> inline_value,
                  std::span<const std::string> args, std::size_t& i) {
  const std::string key = option_key(o);
  if (p.has(key) && !o.repeatable) return fail(errc::bad_usage, shown + " given twice (it takes one value)");
  if (o.kind == value_kind::none) {
    if (inline_value) return fail(errc::bad_usage, shown + " takes no value");
    p.values[key].emplace_back();
    return {};
  }
  if (!inline_value && o.kind != value_kind::optional) {
    if (i + 1 >= args.size()) return fail(errc::bad_usage, shown + " needs a value (" + std::string{o.value_name} + ")");
    inline_value = args[++i];
  }
  p.values[key].push_back(inline_value.value_or(""));
  return {};
}

}  // namespace

std::string parsed_options::value(std::string_view name) const {
  auto it = values.find(name);
  return it == values.end() || it->second.empty() ? std::string{} : it->second.back();
}

std::vector<std::string> parsed_options::all(std::string_view name) const {
  auto it = values.find(name);
  return it == values.end() ? std::vector<std::string>{} : it->second;
}

std::string option_key(const cli_option& o) {
  return o.long_name.empty() ? std::string{"-"} + o.short_name : std::string{o.long_name};
}

std::string option_label(const cli_option& o) {
  if (o.positional) return std::string{o.value_name};
  std::string label;
  if (o.short_name != 0) label = std::string{"-"} + o.short_name + (o.long_name.empty() ? "" : ", ");
  label += o.long_name;
  if (o.kind == value_kind::optional) return label + "[=" + std::string{o.value_name} + "]";
  if (!o.value_name.empty()) label += " " + std::string{o.value_name};
  return label;
}

bool asks_help(std::span<const std::string> args) {
  for (const auto& a : args) {
    if (a == "--") return false;
    if (a == "-h" || a == "--help") return true;
  }
  return false;
}

result<parsed_options> parse_options(std::span<const cli_option> table, std::span<const std::string> args) {
  parsed_options p;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      p.positional.insert(p.positional.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
      break;
    }
    if (a.size() < 2 || a[0] != '-') {
      p.positional.push_back(a);
      continue;
    }
    if (a.starts_with("--")) {
      const auto eq = a.find('=');
      const cli_option* o = find_long(table, std::string_view{a}.substr(0, eq));
      if (o == nullptr) return fail(errc::bad_usage, unknown(table, a));
      std::optional<std::string> inline_value;
      if (eq != std::string::npos) inline_value = a.substr(eq + 1);
      if (auto ok = take(p, *o, std::string{o->long_name}, inline_value, args, i); !ok) return ok.error();
      continue;
    }
    const cli_option* o = find_short(table, a[1]);
    if (o == nullptr || (a.size() > 2 && o->kind == value_kind::none)) return fail(errc::bad_usage, unknown(table, a));
    std::optional<std::string> inline_value;
    if (a.size() > 2) inline_value = a.substr(2);  // -mcomfyui
    if (auto ok = take(p, *o, a.substr(0, 2), inline_value, args, i); !ok) return ok.error();
  }
  return p;
}

}  // namespace rio::kernel::cli_detail
