#pragma once
// Offline stand-ins for the four modules' upstreams, so a demo or a test installs for real over
// SSH without the network: bare git repositories served by file:// URL, installer scripts,
// and PATH stubs for system tools (package managers, python, node, ...) that record each call.

#include <rio/kernel/error.hpp>
#include <rio/sdk/options.hpp>

#include <filesystem>
#include <map>
#include <string>

namespace rio::kernel::sandbox {

struct fixture_upstreams {
  std::filesystem::path dir;
  /** Put first on the throwaway host's PATH (host_options::stub_dir). */
  std::filesystem::path stub_dir;
  /** One line per stub call: "<tool> <args...>". */
  std::filesystem::path calls_log;
  /** Option overrides per module id that point each module at these fixtures. */
  std::map<std::string, sdk::option_values> options;
};

/** Creates the fixtures under dir (created; must not exist or be empty). Needs git and tar. */
result<fixture_upstreams> make_fixture_upstreams(const std::filesystem::path& dir);

}  // namespace rio::kernel::sandbox
