// LM Studio, headless: the official installer (llmster + the `lms` CLI under ~/.lmstudio), then
// the daemon. Replaces the original's download of an archive URL that LM Studio does not publish.

#include <rio/sdk/data_installer.hpp>
#include <rio/sdk/module.hpp>
#include <rio/sdk/steps.hpp>

namespace rio::plugins::lmstudio {
namespace {

void add_lifecycle(sdk::module_spec& s);

sdk::module_spec make_spec() {
  sdk::module_spec s;
  s.id = "lmstudio";
  s.name = "LM Studio";
  s.version = "1.0.0";
  s.notes = "Installs LM Studio's headless runtime (llmster and the lms CLI) and starts its daemon.";
  s.tags = {"ssh", "llm", "openai-compatible"};
  s.options = {
      {"installer_url", sdk::option_type::url, "https://lmstudio.ai/install.sh",
       "LM Studio's official headless installer script.", false},
      {"lms_path", sdk::option_type::path, "~/.lmstudio/bin/lms", "Where the installer puts the lms CLI.", false},
  };

  // The installer is a bash script (upstream runs it as `curl -fsSL ... | bash`).
  sdk::step_spec install = sdk::steps::run_installer_script(
      "installer", "Run LM Studio's official headless installer.", "installer_url", "bash", "",
      "test -x {{lms_path}}");
  install.command = "command -v bash >/dev/null 2>&1 || { echo 'rio: the LM Studio installer needs bash' >&2; exit 127; }\n" +
                    install.command;
  // The lms CLI is rio's to remove; ~/.lmstudio also holds models and settings: --purge only.
  install.creates = {{"~/.lmstudio", sdk::removal::purge}, {"{{lms_path}}", sdk::removal::owned}};
  s.install_steps.push_back(install);

  sdk::step_spec daemon;
  daemon.id = "daemon";
  daemon.description = "Start the LM Studio daemon (llmster).";
  daemon.command = "{{lms_path}} daemon up";
  // Without lms there is no daemon: the test spares a pipe and a grep on hosts without LM Studio.
  daemon.done_check =
      "test -x {{lms_path}} && {{lms_path}} daemon status --json 2>/dev/null | grep -q '\"status\": *\"running\"'";
  daemon.timeout = std::chrono::seconds{120};
  s.install_steps.push_back(daemon);

  // install.sh serves Linux and macOS (Windows has install.ps1, which a POSIX login cannot run);
  // llmster ships x86_64 and 64-bit ARM builds. Models land under ~/.lmstudio.
  s.requirements.install_path = "~/.lmstudio";
  s.requirements.systems = {"linux", "macos"};
  s.requirements.architectures = {"x86_64", "aarch64", "arm64"};
  s.requirements.gpu_runtime = "llama.cpp";  // the plan names the engine LM Studio will pick on each host
  s.version_probe = "{{lms_path}} version";
  s.detect_steps = {
      {"lms", "Check the lms CLI is installed.", "test -x {{lms_path}}", std::chrono::seconds{20}},
  };
  // LM Studio's own settings are an internal, unstable format (lms#201); rio mirrors ComfyVN's
  // hints beside its sentinel instead of overwriting LM Studio's files.
  s.config_sync = {
      {"config/settings/config.json", "~/.config/comfyvn/remote/lmstudio.json",
       "Mirror ComfyVN model registry hints for LM Studio.", true},
  };
  add_lifecycle(s);
  return s;
}

// LM Studio's own update route; it keeps no older build, so there is no rollback point.
void add_lifecycle(sdk::module_spec& s) {
  sdk::step_spec upgrade;
  upgrade.id = "daemon-upgrade";
  upgrade.description = "Upgrade llmster with LM Studio's own mechanism (lms daemon upgrade).";
  upgrade.command = "{{lms_path}} daemon upgrade";
  upgrade.timeout = std::chrono::seconds{1200};
  s.lifecycle.update = {upgrade};
  sdk::step_spec stop;
  stop.id = "daemon-down";
  stop.description = "Stop the LM Studio daemon.";
  stop.command = "if [ -x {{lms_path}} ]; then {{lms_path}} daemon down || exit $?; fi";
  stop.timeout = std::chrono::seconds{120};
  s.lifecycle.stop = {stop};
  s.lifecycle.purge_lists = "[ ! -d \"$HOME/.lmstudio\" ] || echo \"$HOME/.lmstudio (LM Studio's models and settings)\"";
}

}  // namespace
}  // namespace rio::plugins::lmstudio

RIO_DECLARE_DATA_MODULE("lmstudio", rio::plugins::lmstudio::make_spec)
