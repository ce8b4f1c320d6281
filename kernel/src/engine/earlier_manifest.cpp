#include <rio/kernel/engine/earlier_manifest.hpp>

#include <rio/kernel/engine/host_key.hpp>
#include <rio/kernel/engine/status_manifest.hpp>

#include <cctype>

namespace rio::kernel::engine {
namespace fs = std::filesystem;

std::string original_record_token(std::string_view host) {
  while (!host.empty() && std::isspace(static_cast<unsigned char>(host.front()))) host.remove_prefix(1);
  while (!host.empty() && std::isspace(static_cast<unsigned char>(host.back()))) host.remove_suffix(1);
  std::string token;
  bool in_run = false;
  for (char c : host) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (keep) token += c;
    else if (!in_run) token += '_';
    in_run = !keep;
  }
  return token.empty() ? "remote" : token;
}

std::optional<fs::path> earlier_manifest(const run_paths& paths, std::string_view name, std::string_view host, std::uint16_t port) {
  std::error_code ec;
  const fs::path own = paths.status_file(record_token(name, host, port));
  if (fs::exists(own, ec)) return std::nullopt;
  const fs::path rio_before = paths.status_file(legacy_record_token(name, host, port));
  if (rio_before != own && fs::exists(rio_before, ec)) {
    auto old = load_manifest(rio_before, std::string{name});
    if (old && address_names(old->address, host, port)) return rio_before;
  }
  // The original keyed its file on the host field alone (never a user or a port), and its token
  // can be the one rio used before (`GPU.lab` in both): the manifest's own fields tell them apart.
  const fs::path original = paths.status_file(original_record_token(host));
  if (original != own && fs::exists(original, ec)) {
    auto old = load_manifest(original, std::string{host});
    if (old && old->address.empty() && old->host == host) return original;
  }
  return std::nullopt;
}

}  // namespace rio::kernel::engine
