// Ollama: the official install script (downloaded, then run; never piped), then the service is
// started and rio waits for its health endpoint. The original ran `ollama serve` in the
// foreground, which never returns; here systemd runs it, or a detached background server when
// the host has no systemd (option `service`: auto, systemd or background).

#include <rio/sdk/data_installer.hpp>
#include <rio/sdk/module.hpp>
#include <rio/sdk/steps.hpp>

namespace rio::plugins::ollama {
namespace {

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
  install.command =
      "if [ \"$(id -u)\" != 0 ] && ! sudo -n true 2>/dev/null; then\n"
      "  echo 'rio: the Ollama installer needs root or passwordless sudo' >&2; exit 1\n"
      "fi\n"
      "if [ {{gpu_drivers}} != true ] && ! nvidia-smi >/dev/null 2>&1 &&\n"
      "   { lspci -n 2>/dev/null | grep -q ' 03[0-9][0-9]: 10de:' ||\n"
      "     grep -qsx 0x10de /sys/bus/pci/devices/*/vendor; }; then\n"
      "  echo 'rio: this host has an NVIDIA GPU without a working driver; the Ollama installer would install "
      "drivers. Install the driver first, or set option gpu_drivers=true' >&2; exit 1\n"
      "fi\n" +
      install.command;
  install.needs_root = true;
  install.provides_tools = {"ollama"};
  s.install_steps.push_back(install);

  sdk::step_spec serve;
  serve.id = "service";
  serve.description = "Start the Ollama service and wait for its API.";
  serve.command =
      // The option's type only guarantees an identifier; the value itself is checked here, first.
      "case {{service}} in\n"
      "  auto)\n"
      "    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then rio_service=systemd\n"
      "    else rio_service=background; fi ;;\n"
      "  systemd|background) rio_service={{service}} ;;\n"
      "  *) echo \"rio: option 'service' must be auto, systemd or background, not \"{{service}} >&2; exit 2 ;;\n"
      "esac\n"
      "if [ \"$rio_service\" = systemd ]; then\n"
      "  command -v systemctl >/dev/null 2>&1 ||\n"
      "    { echo \"rio: service is 'systemd' but this host has no systemctl; use 'background'\" >&2; exit 1; }\n"
      // Under systemd the address goes into a drop-in, never into the unit file the Ollama
      // installer rewrites on every upgrade (ollama#1278 and many duplicates).
      "  rio_dropin=/etc/systemd/system/ollama.service.d/rio.conf\n"
      // Quoted for systemd's own syntax as well (the option's type already allows no quote,
      // backslash or '%'): inside "..." a '"' or '\' would end the value or escape, and a '%'
      // is a specifier; one unescaped '"' could add an assignment such as LD_PRELOAD= to a
      // service that runs as root.
      "  rio_unit_addr=$(printf '%s' {{api_address}} | sed -e 's/[\\\\\"]/\\\\&/g' -e 's/%/%%/g')\n"
      "  rio_want=$(printf '[Service]\\nEnvironment=\"OLLAMA_HOST=%s\"' \"$rio_unit_addr\")\n"
      "  if [ \"$(cat \"$rio_dropin\" 2>/dev/null)\" != \"$rio_want\" ]; then\n"
      "    rio_sudo mkdir -p /etc/systemd/system/ollama.service.d &&\n"
      "      printf '%s\\n' \"$rio_want\" | rio_sudo tee \"$rio_dropin\" >/dev/null &&\n"
      "      rio_sudo systemctl daemon-reload || exit $?\n"
      "  fi\n"
      "  rio_sudo systemctl enable ollama && rio_sudo systemctl restart ollama || exit $?\n"
      "else\n"
      "  mkdir -p \"$HOME/.ollama\" || exit 1\n"
      "  OLLAMA_HOST={{api_address}} nohup ollama serve </dev/null >>\"$HOME/.ollama/serve.log\" 2>&1 &\n"
      "fi\n"
      "rio_i=0\n"
      "while [ \"$rio_i\" -lt {{health_timeout}} ]; do\n"
      "  curl -fsS \"http://\"{{api_address}}\"/api/version\" >/dev/null 2>&1 && exit 0\n"
      "  sleep 1; rio_i=$((rio_i + 1))\n"
      "done\n"
      "echo \"rio: Ollama did not answer on \"{{api_address}}\" within {{health_timeout}} s\" >&2\n"
      "exit 1";
  // "Our Ollama is serving": without the binary on PATH the service step is due whatever answers
  // on the port, and the check skips curl, which costs the host more than the rest of the
  // module's detection (about 8 ms of CPU: libcurl's start-up) on every host without Ollama.
  serve.done_check = "command -v ollama >/dev/null 2>&1 && curl -fsS \"http://\"{{api_address}}\"/api/version\" >/dev/null 2>&1";
  serve.timeout = std::chrono::seconds{180};
  serve.needs_tools = {"curl"};
  s.install_steps.push_back(serve);

  // install.sh is Linux-only, amd64 or arm64; it unpacks into /usr/local (about 4 GiB with the
  // CUDA and ROCm libraries) before any model is pulled.
  s.requirements.install_path = "/usr/local";
  s.requirements.systems = {"linux"};
  s.requirements.architectures = {"x86_64", "aarch64", "arm64"};
  s.requirements.gpu_driver_option = "gpu_drivers";
  s.detect_steps = {
      {"binary", "Check Ollama binary on PATH.", "command -v ollama", std::chrono::seconds{20}},
  };
  // ~/.ollama/config.json is not Ollama's format; the hints go beside rio's sentinel instead.
  s.config_sync = {
      {"config/settings/config.json", "~/.config/comfyvn/remote/ollama.json", "Push shared model registry settings.",
       true},
  };
  return s;
}

}  // namespace
}  // namespace rio::plugins::ollama

RIO_DECLARE_DATA_MODULE("ollama", rio::plugins::ollama::make_spec)
