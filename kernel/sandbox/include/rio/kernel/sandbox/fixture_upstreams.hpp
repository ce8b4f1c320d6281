#pragma once
// Offline stand-ins for the four modules' upstreams, so a demo or a test installs for real over
// SSH without the network: bare git repositories served by file:// URL, installer scripts,
// and PATH stubs for system tools (package managers, python, node, ...) that record each call.
//
// Layout of the fixture directory:
//   stubs/       apt-get dnf dpkg-query rpm sudo systemctl curl node npm python3-fixture
//   upstreams/   comfyui.git (branch master), sillytavern.git (branch release),
//                lmstudio-install.sh, ollama-install.sh, uv-install.sh
//   uv           the uv stand-in (not on PATH: a host "has uv" once a test copies it there)
//   calls.log    one line per stub call that would change the host
//
// The stubs behave like a fresh Debian host whose package manager works: `dpkg-query` reports a
// package installed only after the `apt-get install` stub recorded it, and python3-fixture, node
// and npm work only once their package is "installed", so the first install really runs the
// system-packages and nodejs steps. That host state lives in $HOME/.rio-fixture of the login
// (each throwaway host has its own $HOME), never in the fixture directory. The curl stub answers
// Ollama's health URL once the `ollama serve` stub ran, refuses every other network URL, and
// lets the machine's curl fetch file:// URLs only. `sudo` runs its command as the login user.
//
// Recorded in calls.log ("<tool> <args>"): apt-get, dnf, sudo, systemctl, `python3 -m venv DIR`,
// `pip install ...`, `npm install ...`, `lmstudio-install.sh`, `lms daemon up`,
// `ollama-install.sh`, `ollama serve`. Queries (dpkg-query, node -p, pip --version, curl) are not.

#include <rio/kernel/error.hpp>
#include <rio/sdk/options.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace rio::kernel::sandbox {

struct fixture_upstreams {
  std::filesystem::path dir;
  /** Put first on the throwaway host's PATH (host_options::stub_dir). */
  std::filesystem::path stub_dir;
  /** One line per stub call: "<tool> <args...>". */
  std::filesystem::path calls_log;
  /** A uv stand-in (`uv venv`, `uv pip`), on no PATH: a test copies it to a host's ~/.local/bin. */
  std::filesystem::path uv_stub;
  /**
   * Option overrides per module id that point each module at these fixtures:
   *   comfyui      repo_url=file://<dir>/upstreams/comfyui.git, ref=master,
   *                python=<stub_dir>/python3-fixture, uv_installer_url=file://<dir>/upstreams/uv-install.sh
   *   sillytavern  repo_url=file://<dir>/upstreams/sillytavern.git, ref=release
   *   lmstudio     installer_url=file://<dir>/upstreams/lmstudio-install.sh
   *   ollama       installer_url=file://<dir>/upstreams/ollama-install.sh, service=background
   * Install directories keep their `~/...` defaults, which land in the throwaway host's $HOME.
   */
  std::map<std::string, sdk::option_values> options;
};

/**
 * Creates the fixtures under dir (created; must not exist or be empty; its path may use only
 * [A-Za-z0-9._/+@,=-], since it ends up in file:// URLs and PATH). Needs git (the repositories
 * are built locally with rio's own git, ignoring the user's and the system's git config); uses
 * the machine's curl for file:// downloads when there is one. Errors: errc::bad_config naming
 * what is missing or what failed.
 */
result<fixture_upstreams> make_fixture_upstreams(const std::filesystem::path& dir);

/** One file of a commit: its path in the repository and its whole new text. */
struct upstream_file {
  std::string path;
  std::string text;
};

/**
 * Moves a fixture upstream (comfyui or sillytavern) on by one commit that writes `files`, tagged
 * `tag` when given: what `rio update` then fetches. Errors: errc::bad_config naming the git
 * command that failed.
 */
result<void> commit_to_upstream(const fixture_upstreams& f, const std::string& module, const std::vector<upstream_file>& files,
                                const std::string& tag = "");

}  // namespace rio::kernel::sandbox
