// Ollama: the official install script (downloaded, then run; never piped), then the service is
// started and rio waits for its health endpoint. The original ran `ollama serve` in the
// foreground, which never returns; here systemd runs it, or a detached background server when
// the host has no systemd (option `service`: auto, systemd or background).

#include <rio/sdk/data_installer.hpp>
#include <rio/sdk/module.hpp>
#include <rio/sdk/steps.hpp>

#include "embedded/install_guard_sh.hpp"
#include "embedded/purge_sh.hpp"
#include "embedded/service_sh.hpp"

namespace rio::plugins::ollama {
namespace {

constexpr const char* installed_version = "ollama --version 2>/dev/null | sed -n 's/^ollama version is //p'";

// Updates go through upstream's own route, the install script with OLLAMA_VERSION; so does a
// rollback, to the version saved before. Uninstall stops the server rio started; Ollama itself
// is system-wide, so only --purge runs upstream's documented removal (docs/linux.md).
void add_lifecycle(sdk::module_spec& s, const sdk::step_spec& install) {
  sdk::step_spec update = install;
  update.id = "update-script";
  update.description = "Run the official install script for the wanted version (OLLAMA_VERSION; empty: the latest).";
  update.done_check = std::string{"[ -n {{version}} ] && [ \"$("} + installed_version + ")\" = {{version}} ]";
  s.lifecycle.update = {update};
  s.lifecycle.save_rollback = std::string{installed_version} + " >version\n[ -s version ]\n";
  sdk::step_spec back = sdk::steps::run_installer_script(
      "rollback-script", "Reinstall the version saved before the update with the official install script.", "installer_url",
      "sh", "OLLAMA_VERSION=\"$(cat \"$RIO_ROLLBACK_DIR/version\")\"",
      std::string{"[ \"$("} + installed_version + ")\" = \"$(cat \"$RIO_ROLLBACK_DIR/version\" 2>/dev/null)\" ]");
  back.command = std::string{install_guard_sh} + back.command;  // the same guard as the install
  back.needs_root = true;
  s.lifecycle.rollback = {back};

  sdk::step_spec stop;
  stop.id = "stop";
  stop.description = "Stop the Ollama server rio started (the systemd service, or the background server).";
  stop.command =
      "if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1 && systemctl cat ollama >/dev/null 2>&1; then\n"
      "  rio_sudo systemctl disable --now ollama || exit $?\n"
      "fi\n"
      // Only while that pid is still an ollama: a pid is reused once its process is gone.
      "rio_pid=$(cat \"$HOME/.ollama/rio-serve.pid\" 2>/dev/null) || exit 0\n"
      "if grep -qx ollama \"/proc/$rio_pid/comm\" 2>/dev/null; then kill \"$rio_pid\" || exit $?; fi";
  stop.timeout = std::chrono::seconds{120};
  s.lifecycle.stop = {stop};

  sdk::step_spec purge;
  purge.id = "purge";
  purge.description = "Ollama's documented uninstall: service, binary, libraries, the ollama user and group, models.";
  purge.command = std::string{purge_sh};
  purge.timeout = std::chrono::seconds{300};
  purge.needs_root = true;
  s.lifecycle.purge = {purge};
  s.lifecycle.purge_lists =
      "rio_bin=$(command -v ollama) && { echo \"$rio_bin\"; rio_lib=$(dirname \"$(dirname \"$rio_bin\")\")/lib/ollama; "
      "[ ! -d \"$rio_lib\" ] || echo \"$rio_lib\"; }\n"
      "for rio_p in /etc/systemd/system/ollama.service /usr/share/ollama \"$HOME/.ollama\"; do [ ! -e \"$rio_p\" ] || echo \"$rio_p\"; done\n"
      "if id ollama >/dev/null 2>&1; then echo 'user ollama'; fi\n"
      "if getent group ollama >/dev/null 2>&1; then echo 'group ollama'; fi";
}

// long-function: one declarative module spec (options, steps, probes), read top to bottom as data
sdk::module_spec make_spec() {
  sdk::module_spec s;
  s.id = "ollama";
  s.name = "Ollama";
  s.version = "1.0.0";
  s.notes = "Installs Ollama runtime and seeds shared model registry metadata.";
  s.tags = {"ssh", "llm", "registry"};
  s.options = {
      {"installer_url", sdk::option_type::url, "https://ollama.com/install.sh", "Ollama's official install script.",
       false},
      {"version", sdk::option_type::identifier, "", "Pin an Ollama version (OLLAMA_VERSION); empty installs the latest.",
       true},
      {"api_address", sdk::option_type::address, "127.0.0.1:11434", "host:port where the Ollama API answers.", false},
      {"health_timeout", sdk::option_type::integer, "60", "Seconds to wait for the API after starting Ollama.",
       false},
      {"gpu_drivers", sdk::option_type::boolean, "false",
       "Let Ollama's installer install NVIDIA drivers (CUDA repository, cuda-drivers, dkms) when the host has an "
       "NVIDIA GPU without a working driver. Off: such a host is refused in the plan (ollama#8708).",
       false},
      {"service", sdk::option_type::identifier, "auto",
       "How the server runs: auto (systemd when the host runs it, else background), systemd, or background "
       "(a detached `ollama serve` owned by the login user).",
       false},
  };

  // The script uses sudo itself when not root; check first that it cannot hang on a password.
  sdk::step_spec install = sdk::steps::run_installer_script(
      "install-script", "Install Ollama using the official script.", "installer_url", "sh",
      "OLLAMA_VERSION={{version}}", "command -v ollama >/dev/null 2>&1");
  // The same guard as the preflight's, at the moment it matters: the installer adds NVIDIA's
  // CUDA repository and installs drivers when nvidia-smi does not work on an NVIDIA GPU.
  install.command = std::string{install_guard_sh} + install.command;
  install.needs_root = true;
  install.provides_tools = {"ollama"};
  s.install_steps.push_back(install);

  sdk::step_spec serve;
  serve.id = "service";
  serve.description = "Start the Ollama service and wait for its API.";
  // The option's type only guarantees an identifier: service.sh checks the value itself, first.
  // Under systemd the address goes into a drop-in, never into the unit file the Ollama installer
  // rewrites on every upgrade (ollama#1278 and many duplicates).
  // The address is quoted for systemd's own syntax too (rio_unit_addr in service.sh; the option's
  // type already allows no quote, backslash or '%'): inside "..." a '"' or '\' would end the value
  // or escape, and '%' is a specifier; one unescaped '"' could add an assignment such as
  // LD_PRELOAD= to a service that runs as root. The comment lives here, not in the script, since
  // the script's text is sent to every host.
  serve.command = std::string{service_sh};
  // "Our Ollama is serving": without the binary on PATH the service step is due whatever answers
  // on the port, and the check skips curl, which costs the host more than the rest of the
  // module's detection (about 8 ms of CPU: libcurl's start-up) on every host without Ollama.
  serve.done_check = "command -v ollama >/dev/null 2>&1 && curl -fsS \"http://\"{{api_address}}\"/api/version\" >/dev/null 2>&1";
  serve.timeout = std::chrono::seconds{180};
  serve.needs_tools = {"curl"};
  serve.creates = {{"~/.ollama/rio-serve.pid", sdk::removal::owned},
                   {"/etc/systemd/system/ollama.service.d/rio.conf", sdk::removal::owned}};
  s.install_steps.push_back(serve);

  // install.sh is Linux-only, amd64 or arm64; it unpacks into /usr/local (about 4 GiB with the
  // CUDA and ROCm libraries) before any model is pulled.
  s.requirements.install_path = "/usr/local";
  s.requirements.systems = {"linux"};
  s.requirements.architectures = {"x86_64", "aarch64", "arm64"};
  s.requirements.gpu_driver_option = "gpu_drivers";
  // "ollama version is 0.5.7" (and a warning line when no server answers: only the version line counts).
  s.version_probe = "ollama --version | sed -n 's/^ollama version is //p'";
  s.version_option = "version";
  s.requirements.gpu_runtime = "ollama";  // the plan says whether Ollama will use each host's GPU
  s.detect_steps = {
      {"binary", "Check Ollama binary on PATH.", "command -v ollama", std::chrono::seconds{20}},
  };
  // ~/.ollama/config.json is not Ollama's format; the hints go beside rio's sentinel instead.
  s.config_sync = {
      {"config/settings/config.json", "~/.config/comfyvn/remote/ollama.json", "Push shared model registry settings.",
       true},
  };
  add_lifecycle(s, install);
  return s;
}

}  // namespace
}  // namespace rio::plugins::ollama

RIO_DECLARE_DATA_MODULE("ollama", rio::plugins::ollama::make_spec)
