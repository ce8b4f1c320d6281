#pragma once
// The texts of the fixture upstreams' scripts (see fixture_upstreams.hpp): PATH stubs for system
// tools and the two offline installer scripts. Plain POSIX sh (they run under dash), except the
// LM Studio installer, which upstream documents as a bash script.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace rio::kernel::sandbox::detail {

/**
 * (file name, text) of every stub that goes into the stub directory. Each appends one line
 * "<tool> <args>" to `calls_log` for every call that would change the host; queries (dpkg-query,
 * rpm, `node -p`, `pip --version`, health checks) are not recorded. `real_curl` is the machine's
 * curl, used for file:// URLs only; empty when there is none (the stub then copies file:// URLs).
 */
std::vector<std::pair<std::string, std::string>> stub_scripts(const std::filesystem::path& calls_log,
                                                              const std::filesystem::path& real_curl);

/** The name of the python stub in the stub directory (comfyui's `python` option points at it). */
inline constexpr const char* python_stub_name = "python3-fixture";

/** Offline stand-in for https://lmstudio.ai/install.sh: installs an `lms` stub in ~/.lmstudio/bin. */
std::string lmstudio_installer(const std::filesystem::path& calls_log);

/** Offline stand-in for https://ollama.com/install.sh: installs an `ollama` stub in ~/.local/bin. */
std::string ollama_installer(const std::filesystem::path& calls_log);

/** The uv stub (`venv`, `pip`), and the offline stand-in for uv's installer that installs it. */
std::string uv_stub(const std::filesystem::path& calls_log);
std::string uv_installer(const std::filesystem::path& calls_log);

}  // namespace rio::kernel::sandbox::detail
