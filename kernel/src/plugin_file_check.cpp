#include <rio/kernel/plugin_file_check.hpp>

#include <rio/sdk/module.hpp>

#include <boost/dll/library_info.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>

namespace rio::kernel {
namespace fs = std::filesystem;

result<void> check_plugin_file(const fs::path& file) {
  struct ::stat st {};
  if (::stat(file.c_str(), &st) != 0) return fail(errc::not_a_plugin, "cannot stat the file");
  if (!S_ISREG(st.st_mode)) return fail(errc::unsafe_plugin_file, "not a regular file");
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    std::array<char, 8> mode{};
    std::snprintf(mode.data(), mode.size(), "%03o", static_cast<unsigned>(st.st_mode & 0777));
    return fail(errc::unsafe_plugin_file,
                std::string{"writable by group or others (mode "} + mode.data() + "); run chmod go-w on it");
  }
  if (st.st_uid != 0 && st.st_uid != ::geteuid()) {
    return fail(errc::unsafe_plugin_file, "owned by uid " + std::to_string(st.st_uid) + ", neither root nor rio's user");
  }

  std::array<char, 4> magic{};
  std::ifstream in(file, std::ios::binary);
  if (!in.read(magic.data(), magic.size()) || magic != std::array<char, 4>{'\x7f', 'E', 'L', 'F'}) {
    return fail(errc::not_a_plugin, "not an ELF shared object");
  }

  std::vector<std::string> aliases;
  try {
    boost::dll::library_info info(file, /*throw_if_not_native=*/true);
    aliases = info.symbols("boostdll");
  } catch (const std::exception& e) {
    return fail(errc::not_a_plugin, std::string{"unreadable shared object: "} + e.what());
  }
  if (std::find(aliases.begin(), aliases.end(), sdk::descriptor_alias) != aliases.end()) return {};
  for (const auto& alias : aliases) {
    if (alias.starts_with("rio_module_v")) {
      return fail(errc::abi_mismatch, "exports " + alias + ": built for SDK ABI major " + alias.substr(12) +
                                          ", this rio loads " + sdk::descriptor_alias);
    }
  }
  return fail(errc::not_a_plugin, std::string{"not a rio module (no "} + sdk::descriptor_alias + " export)");
}

}  // namespace rio::kernel
