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
  std::string bare{host};
  if (bare.size() > 2 && bare.front() == '[' && bare.back() == ']') bare = bare.substr(1, bare.size() - 2);
  const std::string p = ":" + std::to_string(port);
  for (const std::string& spelled : {bare, bare + p, "[" + bare + "]" + p, "[" + bare + "]"}) {
    if (name == spelled) return host_token(bare, port);
  }
  return host_token(name, port);
}

std::string lock_token(std::string_view host, std::uint16_t port) {
  return host_token(ssh::canonical_host(host), port);
}

}  // namespace rio::kernel::engine
