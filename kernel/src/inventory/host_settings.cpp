// key=value settings of a host: rio's own keys, their Ansible spellings and module overrides.
// Both formats funnel through here so a value means the same thing wherever it is written.

#include "inventory_detail.hpp"

#include <algorithm>
#include <array>

namespace rio::kernel::inventory::detail {
namespace {

struct spelling {
  std::string_view key;
  std::string_view canonical;
  bool ansible_only;
};

// Synonyms share one canonical key, so a host's ansible_user beats its group's `user`. The
// ansible_ssh_* spellings have keys of their own: Ansible's ssh connection reads them after the
// plain ones, so a group's ansible_ssh_user beats a host's ansible_user (apply_settings).
constexpr std::array<spelling, 11> spellings{{
    {"user", "user", false},
    {"port", "port", false},
    {"identity", "identity", false},
    {"ansible_user", "user", true},
    {"ansible_ssh_user", "ssh_user", true},
    {"ansible_port", "port", true},
    {"ansible_ssh_port", "ssh_port", true},
    {"ansible_host", "host", true},
    {"ansible_ssh_host", "ssh_host", true},
    {"ansible_ssh_private_key_file", "identity", true},
    {"ansible_private_key_file", "identity", true},
}};

bool is_lower_or_digit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool is_module_id(std::string_view s) {
  return !s.empty() && s.front() >= 'a' && s.front() <= 'z' &&
         std::all_of(s.begin(), s.end(), [](char c) { return is_lower_or_digit(c) || c == '_' || c == '-'; });
}

bool is_option_name(std::string_view s) {
  return !s.empty() && s.front() >= 'a' && s.front() <= 'z' &&
         std::all_of(s.begin(), s.end(), [](char c) { return is_lower_or_digit(c) || c == '_'; });
}

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

// Checks a value of a connection setting; the message names the field.
result<void> check_value(std::string_view canonical, const std::string& value, dialect d) {
  if (canonical.starts_with("ssh_")) canonical.remove_prefix(4);
  // Ansible reads an empty ansible_user as "no user": the default applies.
  if (value.empty() && canonical == "user" && d == dialect::ansible) return {};
  if (value.empty()) return problem(std::string{canonical} + " is empty");
  if (canonical == "port") {
    auto port = parse_port(value);
    if (!port) return port.error();
    return {};
  }
  if (canonical == "user") return check_target({"localhost", 22, value});
  if (canonical == "host") return check_target({value, 22, ""});
  // identity: a local path handed to ssh as an argument; a leading '-' could be read as an option.
  if (value.starts_with('-')) {
    return problem("identity " + shown(value) + " starts with '-', which ssh would read as an option; prefix it with ./");
  }
  if (has_control(value)) return problem("identity " + shown(value) + " contains control characters");
  return {};
}

}  // namespace

bool ignored_key(std::string_view key, dialect d) {
  if (d != dialect::ansible || key.empty() || key.find('.') != std::string_view::npos) return false;
  return std::none_of(spellings.begin(), spellings.end(), [&](const spelling& s) { return s.key == key; });
}

result<std::optional<setting>> make_setting(std::string_view key, std::string value, int line, dialect d) {
  if (key.empty()) return problem("'=' without a key before it");
  auto known = std::find_if(spellings.begin(), spellings.end(), [&](const spelling& s) {
    return s.key == key && (d == dialect::ansible || !s.ansible_only);
  });
  if (known != spellings.end()) {
    if (has_template(value)) return template_problem(key, value);
    if (auto ok = check_value(known->canonical, value, d); !ok) {
      // Name the spelling used when it differs from the field the message talks about.
      if (known->key == known->canonical) return ok.error();
      return problem(std::string{key} + ": " + ok.error().message);
    }
    return std::optional<setting>{setting{std::string{known->canonical}, std::move(value), line}};
  }
  // Ansible variable names cannot contain '.', so a dotted key is always meant for rio.
  if (auto dot = key.find('.'); dot != std::string_view::npos) {
    if (!is_module_id(key.substr(0, dot)) || !is_option_name(key.substr(dot + 1))) {
      return problem("key " + shown(key) +
                     " is not <module>.<option> (module id [a-z][a-z0-9_-]*, option [a-z][a-z0-9_]*)");
    }
    return std::optional<setting>{setting{std::string{key}, std::move(value), line}};
  }
  // Real Ansible inventories carry many variables for other tools; they are not rio's business.
  if (ignored_key(key, d)) return std::optional<setting>{};
  std::string message = "unknown key " + shown(key) + " (expected user, port, identity or <module>.<option>)";
  if (key.starts_with("ansible_")) message += "; Ansible variables need an Ansible inventory with [group] headers";
  return problem(std::move(message));
}

namespace {

void apply_one(host_entry& host, std::string_view key, const std::string& value) {
  if (key.starts_with("ssh_")) key.remove_prefix(4);
  if (key == "user") {
    // Empty: Ansible's "no user", so the run's default applies.
    host.where.user = value;
    host.user_set = !value.empty();
  } else if (key == "port") {
    // make_setting checked it already; testing again keeps a throwing value() out of here.
    if (auto port = parse_port(value)) {
      host.where.port = *port;
      host.port_set = true;
    }
  } else if (key == "host") {
    host.where.host = ssh::bare_host(value);
  } else if (key == "identity") {
    host.identity = value;
  } else {
    auto dot = key.find('.');
    host.module_options[std::string{key.substr(0, dot)}][std::string{key.substr(dot + 1)}] = value;
  }
}

}  // namespace

void apply_settings(host_entry& host, const settings& values) {
  // ansible_ssh_{user,port,host} after the plain spellings: Ansible's ssh connection lists them
  // last among its variables, so they win wherever they were set.
  for (const auto& [key, s] : values) {
    if (!key.starts_with("ssh_")) apply_one(host, key, s.value);
  }
  for (const auto& [key, s] : values) {
    if (key.starts_with("ssh_")) apply_one(host, key, s.value);
  }
}

}  // namespace rio::kernel::inventory::detail
