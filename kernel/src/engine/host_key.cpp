#include <rio/kernel/engine/host_key.hpp>

#include <rio/kernel/ssh/target.hpp>

namespace rio::kernel::engine {

std::string host_token(std::string_view host, std::uint16_t port) {
  while (!host.empty() && (host.front() == ' ' || host.front() == '\t')) host.remove_prefix(1);
  while (!host.empty() && (host.back() == ' ' || host.back() == '\t')) host.remove_suffix(1);
  static constexpr char hex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char c : host) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    if (keep) {
      token += static_cast<char>(c);
    } else {
      token += '_';
      token += hex[c >> 4];
      token += hex[c & 0xf];
    }
  }
  // "." and ".." would name directories; an empty host still needs a file name.
  if (token.empty() || token == "." || token == "..") token = "_" + token + "_host";
  if (port != 22) token += "_p" + std::to_string(port);
  return token;
}

std::string record_host(std::string_view name, std::string_view host, std::uint16_t port) {
  const std::string canonical = ssh::canonical_host(host);
  auto spells_host = [&](std::string_view h) { return !h.empty() && ssh::canonical_host(h) == canonical; };
  // `h`, `[h]`, `h:port` and `[h]:port`, in any spelling of the address (canonical_host removes
  // the brackets).
  if (spells_host(name)) return canonical;
  const std::string p = ":" + std::to_string(port);
  if (name.ends_with(p) && spells_host(name.substr(0, name.size() - p.size()))) return canonical;
  return std::string{name};
}

std::string record_token(std::string_view name, std::string_view host, std::uint16_t port) {
  return host_token(record_host(name, host, port), port);
}

std::string legacy_record_token(std::string_view name, std::string_view host, std::uint16_t port) {
  // The name as typed carries the host as typed (`h`, `h:port`, `[v6]`, `[v6]:port`), which the
  // old token used; `host` itself may already be canonical.
  const std::string canonical = ssh::canonical_host(host);
  const std::string p = ":" + std::to_string(port);
  for (std::string_view typed : {name, name.ends_with(p) ? name.substr(0, name.size() - p.size()) : std::string_view{}}) {
    if (!typed.empty() && ssh::canonical_host(typed) == canonical) return host_token(ssh::bare_host(std::string{typed}), port);
  }
  return host_token(name, port);
}

bool address_names(std::string_view address, std::string_view host, std::uint16_t port) {
  if (const auto at = address.rfind('@'); at != std::string_view::npos) address.remove_prefix(at + 1);
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos || address.substr(colon + 1) != std::to_string(port)) return false;
  const auto named = address.substr(0, colon);
  return !named.empty() && ssh::canonical_host(named) == ssh::canonical_host(host);
}

std::string lock_token(std::string_view host, std::uint16_t port) {
  return host_token(ssh::canonical_host(host), port);
}

}  // namespace rio::kernel::engine
