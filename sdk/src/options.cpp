#include <rio/sdk/options.hpp>

#include <rio/sdk/shell.hpp>

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <string>

namespace rio::sdk {

const char* to_string(option_type t) noexcept {
  switch (t) {
    case option_type::string: return "string";
    case option_type::identifier: return "identifier";
    case option_type::path: return "path";
    case option_type::url: return "url";
    case option_type::boolean: return "boolean";
    case option_type::integer: return "integer";
    case option_type::address: return "address";
    case option_type::version: return "version";
    case option_type::requirement: return "requirement";
    case option_type::port: return "port";
    case option_type::torch_build: return "torch_build";
    case option_type::python_installer: return "python_installer";
  }
  return "string";
}

namespace {

error invalid(const option_spec& option, const std::string& problem) {
  return fail(errc::invalid_option, "option '" + option.name + "' (" + to_string(option.type) + "): " + problem);
}

bool has_control_chars(std::string_view v) {
  return std::any_of(v.begin(), v.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

bool is_identifier_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '/' || c == '+' || c == '-';
}

bool starts_with_any(std::string_view v, std::initializer_list<std::string_view> prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(), [&](std::string_view p) { return v.starts_with(p); });
}

const option_spec* find_option(const module_spec& spec, std::string_view name) {
  auto it = std::find_if(spec.options.begin(), spec.options.end(), [&](const option_spec& o) { return o.name == name; });
  return it == spec.options.end() ? nullptr : &*it;
}

const snippet_spec* find_snippet(const module_spec& spec, std::string_view name);

template <class Insert>
result<std::string> render(std::string_view text, const module_spec& spec, const option_values& values, Insert insert,
                           const snippet_spec* inside);

template <class Insert>
result<std::string> render_snippet(const std::string& name, const module_spec& spec, const option_values& values,
                                   Insert insert, const snippet_spec* inside) {
  if (inside != nullptr) {
    return fail(errc::template_error, "snippet '" + inside->name + "' references {{>" + name + "}}: snippets do not nest");
  }
  const snippet_spec* snippet = find_snippet(spec, name);
  if (snippet == nullptr) return fail(errc::template_error, "{{>" + name + "}} names no declared snippet");
  return render(snippet->text, spec, values, insert, snippet);
}

const snippet_spec* find_snippet(const module_spec& spec, std::string_view name) {
  auto it = std::find_if(spec.snippets.begin(), spec.snippets.end(), [&](const snippet_spec& s) { return s.name == name; });
  return it == spec.snippets.end() ? nullptr : &*it;
}

// Shared by render_command and render_path: walks {{name}} placeholders and asks `insert` how
// each value goes into the text; {{>name}} is a snippet, rendered the same way (one level: a
// snippet that names another is an error, so no text can expand without end).
template <class Insert>
result<std::string> render(std::string_view text, const module_spec& spec, const option_values& values, Insert insert,
                           const snippet_spec* inside) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      out.append(text.substr(pos));
      break;
    }
    out.append(text.substr(pos, open - pos));
    auto close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return fail(errc::template_error, "unterminated '{{' in: " + std::string{text});
    }
    std::string name{text.substr(open + 2, close - open - 2)};
    if (name.starts_with('>')) {
      auto piece = render_snippet(name.substr(1), spec, values, insert, inside);
      if (!piece) return piece.error();
      out += *piece;
      pos = close + 2;
      continue;
    }
    const option_spec* option = find_option(spec, name);
    if (option == nullptr) {
      return fail(errc::template_error, "placeholder {{" + name + "}} names no declared option");
    }
    auto value = values.find(name);
    const std::string& v = value == values.end() ? option->default_value : value->second;
    auto piece = insert(*option, v);
    if (!piece) return piece.error();
    out += *piece;
    pos = close + 2;
  }
  return out;
}

bool is_host_name(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  std::size_t start = 0;
  for (;;) {
    const auto dot = h.find('.', start);
    const auto label = h.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    if (!std::all_of(label.begin(), label.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; })) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// host:port, the host a name (RFC 1123 labels), an IPv4 address or an [IPv6] address: nothing
// else, so the value cannot carry quotes or separators into the files it is written to (a
// systemd drop-in, an environment assignment).
bool is_address(std::string_view v) {
  const auto colon = v.rfind(':');
  if (colon == std::string_view::npos) return false;
  const auto port = v.substr(colon + 1);
  if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  unsigned n = 0;
  std::from_chars(port.data(), port.data() + port.size(), n);  // at most five digits: no overflow
  if (n < 1 || n > 65535) return false;
  auto host = v.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    in6_addr a{};
    return ::inet_pton(AF_INET6, std::string{host.substr(1, host.size() - 2)}.c_str(), &a) == 1;
  }
  in_addr a{};
  return ::inet_pton(AF_INET, std::string{host}.c_str(), &a) == 1 || is_host_name(host);
}

bool is_version_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '+' || c == '!' || c == '-';
}

// 0.6.5, v1.2, 1!2.0.post1, 2.3.1+cu121: what a version pin looks like to pip, npm, git tags.
bool is_version(std::string_view v) {
  return !v.empty() && v.size() <= 64 && std::isalnum(static_cast<unsigned char>(v.front())) &&
         std::all_of(v.begin(), v.end(), is_version_char);
}

// A distribution or extra name as PEP 508 spells it: letters and digits, with . _ - inside.
std::size_t name_length(std::string_view v) {
  std::size_t n = 0;
  while (n < v.size() && (std::isalnum(static_cast<unsigned char>(v[n])) || v[n] == '.' || v[n] == '_' || v[n] == '-')) ++n;
  if (n == 0 || !std::isalnum(static_cast<unsigned char>(v.front())) || !std::isalnum(static_cast<unsigned char>(v[n - 1]))) {
    return 0;
  }
  return n;
}

// name[extra,extra] followed by comma-separated clauses such as ==0.6.5, >=2.3, <2.5, ~=1.4,
// !=1.0, ===1.0, ==2.*: no URLs, markers or spaces, which would take the value out of a pin.
bool is_requirement(std::string_view v) {
  if (v.size() > 255) return false;
  std::size_t n = name_length(v);
  if (n == 0) return false;
  v.remove_prefix(n);
  if (v.starts_with('[')) {
    const auto close = v.find(']');
    if (close == std::string_view::npos) return false;
    for (std::string_view extras = v.substr(1, close - 1);;) {
      const auto comma = extras.find(',');
      const auto extra = extras.substr(0, comma);
      if (name_length(extra) != extra.size() || extra.empty()) return false;
      if (comma == std::string_view::npos) break;
      extras.remove_prefix(comma + 1);
    }
    v.remove_prefix(close + 1);
  }
  while (!v.empty()) {
    std::size_t op = 0;
    for (std::string_view o : {"===", "==", "!=", "~=", "<=", ">=", "<", ">"}) {
      if (v.starts_with(o)) {
        op = o.size();
        break;
      }
    }
    if (op == 0) return false;
    v.remove_prefix(op);
    const auto comma = v.find(',');
    std::string version{v.substr(0, comma)};
    if (version.ends_with(".*")) version.resize(version.size() - 2);
    if (!is_version(version)) return false;
    v = comma == std::string_view::npos ? std::string_view{} : v.substr(comma + 1);
    if (comma != std::string_view::npos && v.empty()) return false;
  }
  return true;
}

bool is_port(std::string_view v) {
  if (v.empty() || v.size() > 5 || v.front() == '0' || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  unsigned n = 0;
  std::from_chars(v.data(), v.data() + v.size(), n);
  return n >= 1 && n <= 65535;
}

// cu118, rocm6.2.4: a tag, then digits separated by single dots (cuda tags have none).
bool is_tagged_line(std::string_view v, std::string_view tag, bool dotted) {
  if (!v.starts_with(tag) || v.size() == tag.size() || v.size() > tag.size() + 12) return false;
  v.remove_prefix(tag.size());
  if (v.front() == '.' || v.back() == '.' || v.find("..") != std::string_view::npos) return false;
  return std::all_of(v.begin(), v.end(), [dotted](char c) { return (c >= '0' && c <= '9') || (dotted && c == '.'); });
}

bool is_torch_build(std::string_view v) {
  return v == "auto" || v == "cpu" || v == "xpu" || v == "default" || is_tagged_line(v, "cu", false) ||
         is_tagged_line(v, "rocm", true);
}

// The types added with SDK 1.1, checked apart so validate_option stays one screen.
result<void> validate_newer_type(const option_spec& option, std::string_view value) {
  switch (option.type) {
    case option_type::version:
      if (is_version(value)) return {};
      return invalid(option, "must be 1-64 letters, digits and . _ + ! -, starting with a letter or digit (e.g. 0.6.5)");
    case option_type::requirement:
      if (is_requirement(value)) return {};
      return invalid(option, "must be a requirement such as open-webui==0.6.5 or torch>=2.3,<2.5 "
                             "(a name, optional [extras], comma-separated ==, !=, ~=, <=, >=, <, > clauses; no spaces)");
    case option_type::port:
      if (is_port(value)) return {};
      return invalid(option, "must be a TCP port, 1-65535");
    case option_type::torch_build:
      if (is_torch_build(value)) return {};
      return invalid(option, "must be auto, cpu, default (PyPI's wheels), xpu, a CUDA line such as cu124 or a ROCm "
                             "line such as rocm6.2 (got '" + std::string{value.substr(0, 40)} + "')");
    case option_type::python_installer:
      if (value == "auto" || value == "pip" || value == "uv") return {};
      return invalid(option, "must be auto, pip or uv");
    default:
      return {};
  }
}

}  // namespace

result<void> validate_option(const option_spec& option, std::string_view value) {
  if (value.empty()) {
    if (option.allow_empty) return {};
    return invalid(option, "must not be empty");
  }
  if (has_control_chars(value)) return invalid(option, "contains control characters");
  switch (option.type) {
    case option_type::string:
      return {};
    case option_type::identifier:
      if (value.front() == '-') return invalid(option, "must not start with '-'");
      if (value.size() > 255) return invalid(option, "is longer than 255 characters");
      if (!std::all_of(value.begin(), value.end(), is_identifier_char)) {
        return invalid(option, "may contain only letters, digits and . _ / + -");
      }
      return {};
    case option_type::path:
      if (value == "~" || value.starts_with("/") || value.starts_with("~/")) return {};
      return invalid(option, "must be absolute or start with ~/ (got '" + std::string{value} + "')");
    case option_type::url:
      if (std::any_of(value.begin(), value.end(), [](char c) { return c == ' '; })) {
        return invalid(option, "must not contain spaces");
      }
      if (starts_with_any(value, {"https://", "http://", "file://", "ssh://", "git://", "/"})) return {};
      return invalid(option, "must be an https, http, file, ssh or git URL, or an absolute path");
    case option_type::boolean:
      if (value == "true" || value == "false") return {};
      return invalid(option, "must be true or false");
    case option_type::integer:
      if (value.size() <= 18 && std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return {};
      }
      return invalid(option, "must be a non-negative decimal integer");
    case option_type::address:
      if (is_address(value)) return {};
      return invalid(option, "must be host:port (a host name, an IPv4 address or an [IPv6] address, and a port 1-65535)");
    case option_type::version:
    case option_type::requirement:
    case option_type::port:
    case option_type::torch_build:
    case option_type::python_installer:
      return validate_newer_type(option, value);
  }
  return {};
}

result<option_values> resolve_options(const module_spec& spec, const option_values& overrides) {
  option_values values;
  for (const auto& option : spec.options) values[option.name] = option.default_value;
  for (const auto& [name, value] : overrides) {
    const option_spec* option = find_option(spec, name);
    if (option == nullptr) {
      return fail(errc::unknown_option, "module '" + spec.id + "' has no option '" + name + "'");
    }
    values[name] = value;
  }
  for (const auto& option : spec.options) {
    if (auto ok = validate_option(option, values[option.name]); !ok) return ok.error();
  }
  return values;
}

result<std::string> render_command(std::string_view text, const module_spec& spec, const option_values& values) {
  return render(text, spec, values, [](const option_spec& option, const std::string& v) -> result<std::string> {
    switch (option.type) {
      case option_type::boolean:
      case option_type::integer:
      case option_type::port:
        if (v.empty()) return shell_quote(v);
        return v;  // validated to [0-9]+ or true/false: nothing to quote
      case option_type::path:
        if (v.empty()) return shell_quote(v);
        return shell_quote_path(v);
      // `auto` is resolved per host by the kernel from the host's facts; without facts (an SDK
      // caller, a run that skipped detection) it means what a plain install would do.
      case option_type::torch_build:
        return shell_quote(v == "auto" ? std::string{"default"} : v);
      case option_type::python_installer:
        return shell_quote(v == "auto" ? std::string{"pip"} : v);
      default:
        return shell_quote(v);
    }
  }, nullptr);
}

result<std::string> render_path(std::string_view text, const module_spec& spec, const option_values& values) {
  return render(text, spec, values, [](const option_spec&, const std::string& v) -> result<std::string> { return v; }, nullptr);
}

}  // namespace rio::sdk
