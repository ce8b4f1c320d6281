#include <rio/kernel/plugin_file_check.hpp>

#include <rio/sdk/module.hpp>

#include <boost/dll/library_info.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace rio::kernel {
namespace fs = std::filesystem;

namespace {

std::string octal(mode_t m) {
  std::array<char, 8> mode{};
  std::snprintf(mode.data(), mode.size(), "%03o", static_cast<unsigned>(m & 07777));
  return mode.data();
}

// OpenSSH's StrictModes for the directories: whoever can write to any directory on the way to the
// file can replace it (or a directory) by their own, whatever the file's own mode says. A sticky
// directory (/tmp) is the exception: there nobody can rename or remove entries they do not own.
result<void> check_directories(const fs::path& file) {
  std::error_code ec;
  std::vector<fs::path> dirs;
  for (const fs::path& start : {fs::absolute(file, ec).parent_path(), fs::weakly_canonical(file, ec).parent_path()}) {
    for (fs::path d = start; !d.empty(); d = d.parent_path()) {
      if (std::find(dirs.begin(), dirs.end(), d) == dirs.end()) dirs.push_back(d);
      if (d == d.root_path()) break;
    }
  }
  for (const auto& d : dirs) {
    struct ::stat st {};
    if (::stat(d.c_str(), &st) != 0) continue;  // the file's own stat decides then
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (st.st_mode & S_ISVTX) == 0) {
      return fail(errc::unsafe_plugin_file, "its directory " + d.string() + " is writable by group or others (mode " +
                                                octal(st.st_mode) + "); run chmod go-w on it");
    }
    if (st.st_uid != 0 && st.st_uid != ::geteuid()) {
      return fail(errc::unsafe_plugin_file, "its directory " + d.string() + " is owned by uid " +
                                                std::to_string(st.st_uid) + ", neither root nor rio's user");
    }
  }
  return {};
}

}  // namespace

result<void> check_plugin_file(const fs::path& file) {
  struct ::stat st {};
  if (::stat(file.c_str(), &st) != 0) return fail(errc::not_a_plugin, "cannot stat the file");
  if (!S_ISREG(st.st_mode)) return fail(errc::unsafe_plugin_file, "not a regular file");
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return fail(errc::unsafe_plugin_file, "writable by group or others (mode " + octal(st.st_mode & 0777) + "); run chmod go-w on it");
  }
  if (st.st_uid != 0 && st.st_uid != ::geteuid()) {
    return fail(errc::unsafe_plugin_file, "owned by uid " + std::to_string(st.st_uid) + ", neither root nor rio's user");
  }
  if (auto dirs = check_directories(file); !dirs) return dirs.error();

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
