// The fixture upstreams' scripts, put together from kernel/sandbox/fixtures/*.sh (embedded at
// build time; shellcheck reads them there). State that a real host would keep system-wide
// (installed packages, a running daemon) lives in $HOME/.rio-fixture, so every throwaway host
// (its own $HOME) starts as a fresh machine even when several hosts share one set of fixtures.
// A stub for a tool is common.sh followed by the tool's own file.

#include <rio/kernel/sandbox/fixture_scripts.hpp>

#include "embedded/common_sh.hpp"
#include "embedded/curl_sh.hpp"
#include "embedded/dpkg_query_sh.hpp"
#include "embedded/lms_sh.hpp"
#include "embedded/lmstudio_install_sh.hpp"
#include "embedded/node_sh.hpp"
#include "embedded/npm_sh.hpp"
#include "embedded/ollama_install_sh.hpp"
#include "embedded/ollama_sh.hpp"
#include "embedded/package_manager_sh.hpp"
#include "embedded/python_sh.hpp"
#include "embedded/rpm_sh.hpp"
#include "embedded/sudo_sh.hpp"
#include "embedded/systemctl_sh.hpp"
#include "embedded/uv_install_sh.hpp"
#include "embedded/uv_sh.hpp"
#include "embedded/venv_python_sh.hpp"
#include <rio/sdk/shell.hpp>

namespace rio::kernel::sandbox::detail {
namespace fs = std::filesystem;

namespace {

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string with_log(std::string_view text, const fs::path& calls_log) {
  return replace_all(std::string{text}, "@CALLS_LOG@", sdk::shell_quote(calls_log.string()));
}

std::string stub(std::string_view body, const fs::path& calls_log) {
  return with_log(std::string{common_sh} + std::string{body}, calls_log);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> stub_scripts(const fs::path& calls_log, const fs::path& real_curl) {
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back("apt-get", replace_all(stub(package_manager_sh, calls_log), "@TOOL@", "apt-get"));
  out.emplace_back("dnf", replace_all(stub(package_manager_sh, calls_log), "@TOOL@", "dnf"));
  out.emplace_back("dpkg-query", stub(dpkg_query_sh, calls_log));
  out.emplace_back("rpm", stub(rpm_sh, calls_log));
  out.emplace_back("sudo", stub(sudo_sh, calls_log));
  out.emplace_back("systemctl", stub(systemctl_sh, calls_log));
  const std::string curl_path = real_curl.empty() ? std::string{"/nonexistent/curl"} : real_curl.string();
  out.emplace_back("curl", replace_all(stub(curl_sh, calls_log), "@REAL_CURL@", sdk::shell_quote(curl_path)));
  out.emplace_back("node", stub(node_sh, calls_log));
  out.emplace_back("npm", stub(npm_sh, calls_log));
  out.emplace_back(python_stub_name,
                   replace_all(stub(python_sh, calls_log), "@VENV_PYTHON@", with_log(venv_python_sh, calls_log)));
  return out;
}

std::string lmstudio_installer(const fs::path& calls_log) {
  return replace_all(with_log(lmstudio_install_sh, calls_log), "@LMS@", with_log(lms_sh, calls_log));
}

std::string uv_stub(const fs::path& calls_log) { return stub(uv_sh, calls_log); }

std::string uv_installer(const fs::path& calls_log) {
  std::string body = stub(uv_sh, calls_log);
  while (!body.empty() && body.back() == '\n') body.pop_back();  // the here-document's terminator follows
  return replace_all(with_log(uv_install_sh, calls_log), "@UV@", body);
}

std::string ollama_installer(const fs::path& calls_log) {
  return replace_all(with_log(ollama_install_sh, calls_log), "@OLLAMA@", with_log(ollama_sh, calls_log));
}

}  // namespace rio::kernel::sandbox::detail
