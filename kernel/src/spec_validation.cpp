#include <rio/kernel/spec_validation.hpp>

#include <rio/sdk/options.hpp>

#include <algorithm>
#include <filesystem>
#include <set>
#include <utility>

namespace rio::kernel {
namespace {

bool is_id(std::string_view s, std::size_t max_len) {
  if (s.empty() || s.size() > max_len || s.front() < 'a' || s.front() > 'z') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

sdk::error invalid(const sdk::module_spec& spec, const std::string& what) {
  return fail(errc::invalid_module, "module '" + spec.id + "': " + what);
}

template <class Items, class IdOf>
result<void> unique_ids(const sdk::module_spec& spec, const Items& items, const char* kind, IdOf id_of) {
  std::set<std::string> seen;
  for (const auto& item : items) {
    const std::string& id = id_of(item);
    if (!is_id(id, 63)) return invalid(spec, std::string{kind} + " id '" + id + "' must match [a-z][a-z0-9_-]*");
    if (!seen.insert(id).second) return invalid(spec, std::string{"duplicate "} + kind + " id '" + id + "'");
  }
  return {};
}

// Tool, architecture and system names go into the preflight script unquoted: a strict charset.
bool is_word(std::string_view s) {
  if (s.empty() || s.size() > 64 || s.front() == '-') return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '+' || c == '-';
    if (!ok) return false;
  }
  return true;
}

result<void> words(const sdk::module_spec& spec, const std::vector<std::string>& list, const std::string& field) {
  for (const auto& w : list) {
    if (!is_word(w)) return invalid(spec, field + " entry '" + w + "' must match [A-Za-z0-9._+-]{1,64}");
  }
  return {};
}

result<void> validate_requirements(const sdk::module_spec& spec, const sdk::option_values& defaults) {
  const auto& r = spec.requirements;
  if (auto ok = words(spec, r.architectures, "requirements.architectures"); !ok) return ok;
  if (auto ok = words(spec, r.systems, "requirements.systems"); !ok) return ok;
  for (const auto& sys : r.systems) {
    if (sys != "linux" && sys != "windows" && sys != "macos") {
      return invalid(spec, "requirements.systems entry '" + sys + "' must be linux, windows or macos");
    }
  }
  if (!r.install_path.empty()) {
    if (auto p = sdk::render_path(r.install_path, spec, defaults); !p) {
      return invalid(spec, "requirements.install_path: " + p.error().message);
    }
  }
  for (const auto& [field, name] : {std::pair<const char*, const std::string&>{"gpu_driver_option", r.gpu_driver_option},
                                     {"cpu_fallback_option", r.cpu_fallback_option}}) {
    if (name.empty()) continue;
    bool found = false;
    for (const auto& o : spec.options) found = found || (o.name == name && o.type == sdk::option_type::boolean);
    if (!found) return invalid(spec, std::string{"requirements."} + field + " '" + name + "' is not a boolean option");
  }
  if (!r.gpu_runtime.empty() && r.gpu_runtime != "ollama" && r.gpu_runtime != "llama.cpp") {
    return invalid(spec, "requirements.gpu_runtime '" + r.gpu_runtime + "' must be ollama, llama.cpp or empty");
  }
  for (const auto& step : spec.install_steps) {
    if (auto ok = words(spec, step.needs_tools, "step '" + step.id + "' needs_tools"); !ok) return ok;
    if (auto ok = words(spec, step.provides_tools, "step '" + step.id + "' provides_tools"); !ok) return ok;
  }
  return {};
}

}  // namespace

// Snippet names as option names; each snippet renders with the defaults (so an unknown option or
// a nested snippet is refused at load time, not when a command first uses it).
result<void> validate_version(const sdk::module_spec& spec, const sdk::option_values& defaults) {
  if (!spec.version_probe.empty()) {
    if (auto r = sdk::render_command(spec.version_probe, spec, defaults); !r) {
      return invalid(spec, "version_probe: " + r.error().message);
    }
  }
  if (!spec.version_option.empty() && defaults.find(spec.version_option) == defaults.end()) {
    return invalid(spec, "version_option '" + spec.version_option + "' is not an option of the module");
  }
  return {};
}

result<void> validate_snippets(const sdk::module_spec& spec, const sdk::option_values& defaults) {
  for (const auto& snippet : spec.snippets) {
    if (!is_id(snippet.name, 63) || snippet.name.find('-') != std::string::npos) {
      return invalid(spec, "snippet name '" + snippet.name + "' must match [a-z][a-z0-9_]*");
    }
    if (snippet.text.empty()) return invalid(spec, "snippet '" + snippet.name + "' is empty");
    if (auto r = sdk::render_command("{{>" + snippet.name + "}}", spec, defaults); !r) {
      return invalid(spec, "snippet '" + snippet.name + "': " + r.error().message);
    }
  }
  return unique_ids(spec, spec.snippets, "snippet", [](const auto& s) -> const std::string& { return s.name; });
}

// Timeouts, the sentinel's place, commands, depends_on naming earlier steps, and every command
// and check rendering with the defaults.
result<void> validate_steps(const sdk::module_spec& spec, const sdk::option_values& defaults) {
  for (std::size_t i = 0; i < spec.install_steps.size(); ++i) {
    const auto& step = spec.install_steps[i];
    if (step.timeout.count() <= 0) return invalid(spec, "step '" + step.id + "' has no positive timeout");
    if (step.kind == sdk::step_kind::sentinel && i + 1 != spec.install_steps.size()) {
      return invalid(spec, "the sentinel step must be the last step");
    }
    if (step.kind == sdk::step_kind::command && step.command.empty()) {
      return invalid(spec, "step '" + step.id + "' has no command");
    }
    for (const auto& d : step.depends_on) {
      const auto earlier = spec.install_steps.begin() + static_cast<std::ptrdiff_t>(i);
      if (std::none_of(spec.install_steps.begin(), earlier, [&](const sdk::step_spec& e) { return e.id == d; })) {
        return invalid(spec, "step '" + step.id + "' depends_on '" + d + "', which is not an earlier step");
      }
    }
    for (const auto* text : {&step.command, &step.done_check}) {
      const char* field = text == &step.command ? "command" : "done_check";
      if (auto r = sdk::render_command(*text, spec, defaults); !r) {
        return invalid(spec, "step '" + step.id + "' " + field + ": " + r.error().message);
      }
    }
  }
  return {};
}

result<void> validate_spec(const sdk::module_spec& spec) {
  if (!is_id(spec.id, 63)) {
    return fail(errc::invalid_module, "module id '" + spec.id + "' must match [a-z][a-z0-9_-]{0,62}");
  }
  if (spec.name.empty()) return invalid(spec, "name is empty");

  for (const auto& option : spec.options) {
    if (!is_id(option.name, 63) || option.name.find('-') != std::string::npos) {
      return invalid(spec, "option name '" + option.name + "' must match [a-z][a-z0-9_]*");
    }
    if (auto ok = sdk::validate_option(option, option.default_value); !ok) {
      return invalid(spec, "default of " + ok.error().message);
    }
  }
  if (auto ok = unique_ids(spec, spec.options, "option", [](const auto& o) -> const std::string& { return o.name; }); !ok) {
    return ok;
  }
  if (auto ok = unique_ids(spec, spec.install_steps, "step", [](const auto& s) -> const std::string& { return s.id; }); !ok) {
    return ok;
  }
  if (auto ok = unique_ids(spec, spec.detect_steps, "probe", [](const auto& p) -> const std::string& { return p.id; }); !ok) {
    return ok;
  }

  auto defaults = sdk::resolve_options(spec, {});
  if (!defaults) return invalid(spec, defaults.error().message);
  if (auto ok = validate_snippets(spec, *defaults); !ok) return ok;
  if (auto ok = validate_steps(spec, *defaults); !ok) return ok;
  for (const auto& probe : spec.detect_steps) {
    if (probe.timeout.count() <= 0) return invalid(spec, "probe '" + probe.id + "' has no positive timeout");
    if (auto r = sdk::render_command(probe.command, spec, *defaults); !r) {
      return invalid(spec, "probe '" + probe.id + "' command: " + r.error().message);
    }
  }
  for (const auto& entry : spec.config_sync) {
    if (entry.source.empty() || entry.destination.empty()) return invalid(spec, "a config_sync entry lacks source or destination");
    if (std::filesystem::path{entry.source}.is_absolute() || entry.source.find("..") != std::string::npos) {
      return invalid(spec, "config_sync source '" + entry.source + "' must be relative to rio's root, without '..'");
    }
    if (auto r = sdk::render_path(entry.destination, spec, *defaults); !r) {
      return invalid(spec, "config_sync destination '" + entry.destination + "': " + r.error().message);
    }
  }
  if (auto ok = validate_version(spec, *defaults); !ok) return ok;
  return validate_requirements(spec, *defaults);
}

}  // namespace rio::kernel
