// ComfyUI: system Python tooling, a git checkout, a virtualenv with ComfyUI's requirements.
// Fixes against the original: packages only when missing (apt-get or dnf, sudo -n), no `source`
// under sh (the venv's own python is called directly), requirements reinstalled only when
// requirements.txt changed, and the upstream locations are options. PyTorch comes from the wheel
// line rio chooses for each host's GPU and driver (option torch), and nothing may replace it.

#include <rio/sdk/data_installer.hpp>
#include <rio/sdk/module.hpp>
#include <rio/sdk/steps.hpp>

#include "embedded/pip_sh.hpp"
#include "embedded/python_tooling_check_sh.hpp"
#include "embedded/requirements_sh.hpp"
#include "embedded/torch_sh.hpp"
#include "embedded/venv_restore_sh.hpp"

namespace rio::plugins::comfyui {
namespace {

// update: fetch and check out the wanted ref, then the install steps' checks decide (requirements
// reinstalled only when requirements.txt changed, under the torch guard). A rollback returns the
// checkout to its commit and the virtualenv to its `pip freeze`, with rio's stamps.
void add_lifecycle(sdk::module_spec& s) {
  s.lifecycle.update = {sdk::steps::git_update("checkout", "Fetch and check out the wanted ref (local changes refused unless --force).",
                                               "install_dir", "ref")};
  s.lifecycle.save_rollback =
      sdk::steps::git_save_rollback("install_dir") +
      "{{install_dir}}/venv/bin/python -m pip freeze >pip-freeze.txt\n"
      "for rio_f in .rio-requirements.sha256 .rio-torch .rio-torch-constraints.txt; do\n"
      "  if [ -f {{install_dir}}/venv/$rio_f ]; then cp {{install_dir}}/venv/$rio_f .; fi\n"
      "done\n";
  sdk::step_spec venv;
  venv.id = "venv-restore";
  venv.description = "Return the virtualenv to the saved pip freeze.";
  venv.command = std::string{venv_restore_sh};
  venv.done_check = "[ \"$({{install_dir}}/venv/bin/python -m pip freeze 2>/dev/null)\" = \"$(cat \"$RIO_ROLLBACK_DIR/pip-freeze.txt\" 2>/dev/null)\" ]";
  venv.timeout = std::chrono::seconds{1800};
  s.lifecycle.rollback = {sdk::steps::git_rollback("checkout", "Check out the commit saved before the update.", "install_dir"),
                          venv};
}

// long-function: one declarative module spec (options, steps, probes), read top to bottom as data
sdk::module_spec make_spec() {
  sdk::module_spec s;
  s.id = "comfyui";
  s.name = "ComfyUI";
  s.version = "1.0.0";
  s.notes = "Installs ComfyUI core server and prepares a mirrored configuration stub.";
  s.tags = {"ssh", "python", "workflow"};
  s.options = {
      {"install_dir", sdk::option_type::path, "~/ComfyUI", "Where the ComfyUI checkout lives on the host.", false},
      {"repo_url", sdk::option_type::url, "https://github.com/comfyanonymous/ComfyUI.git",
       "Git repository to clone.", false},
      {"ref", sdk::option_type::identifier, "master", "Branch or tag to check out.", false},
      {"python", sdk::option_type::string, "python3", "Python interpreter used to create the virtualenv.", false},
      {"torch", sdk::option_type::torch_build, "auto",
       "PyTorch wheel line: auto (rio chooses per host from its GPUs and drivers; the plan says why), cpu, "
       "default (PyPI's wheels), xpu, a CUDA line (cu118 ... cu130) or a ROCm line (rocm6.4).",
       false, /*defines_state=*/true},
      {"torch_index_url", sdk::option_type::url, "",
       "A PyTorch wheel index to use instead of the torch option's (e.g. a mirror of "
       "https://download.pytorch.org/whl/cu124); empty: the torch option decides.",
       true, /*defines_state=*/true},
      {"installer", sdk::option_type::python_installer, "auto",
       "auto (uv when the host has it, else pip), pip, or uv (fetched with uv's official installer when missing).",
       false},
      {"uv_installer_url", sdk::option_type::url, "https://astral.sh/uv/install.sh",
       "uv's official installer, run when installer=uv and the host has no uv.", false},
      {"allow_cpu", sdk::option_type::boolean, "false",
       "Install the CPU build of PyTorch on a host whose NVIDIA GPU has no working driver, instead of refusing it.",
       false},
  };
  s.requirements.cpu_fallback_option = "allow_cpu";
  s.snippets = {{"pip", std::string{pip_sh}}};

  sdk::step_spec packages = sdk::steps::system_packages(
      "system-packages", "Ensure Python tooling required by ComfyUI.",
      // Debian ships ensurepip only in python3-venv, so "python has ensurepip and venv" is the
      // question. Asked of the filesystem first: a CPython at PREFIX/bin keeps its standard
      // library in PREFIX/lib/python3.X, and when exactly one such library is there, it is this
      // python's (no exec, about 0.3 ms). Anything else (several versions, pyenv shims, a stdlib
      // in a zip) asks python itself, which looks for the packages' files with the built-in
      // posix module without importing anything: 10 ms of CPU, against 17 for
      // importlib.util.find_spec and 50 for importing them.
      std::string{python_tooling_check_sh},
      "git python3-venv python3-pip", "git python3 python3-pip");
  packages.provides_tools = {"git", "python3"};
  s.install_steps.push_back(packages);
  sdk::step_spec clone = sdk::steps::git_checkout("clone", "Clone the ComfyUI repository.", "install_dir", "repo_url", "ref");
  clone.creates = {{"{{install_dir}}", sdk::removal::checkout}};  // models, outputs and custom nodes in it stay the operator's
  s.install_steps.push_back(clone);

  // Only with installer=uv on a host without uv: otherwise the check passes and nothing runs.
  sdk::step_spec uv = sdk::steps::run_installer_script(
      "uv", "Fetch uv with its official installer (installer=uv only).", "uv_installer_url", "sh",
      "UV_NO_MODIFY_PATH=1",
      "[ {{installer}} != uv ] || command -v uv >/dev/null 2>&1 || test -x \"$HOME/.local/bin/uv\"");
  uv.provides_tools = {"uv"};
  s.install_steps.push_back(uv);

  sdk::step_spec venv;
  venv.id = "venv";
  venv.description = "Create the virtualenv (uv venv --seed, or python -m venv).";
  // --seed puts pip into uv's virtualenv too, so the check (and a later switch to pip) holds.
  venv.command = "if [ {{installer}} = uv ]; then\n"
                 "  rio_uv=$(command -v uv 2>/dev/null) || rio_uv=\"$HOME/.local/bin/uv\"\n"
                 "  \"$rio_uv\" venv --seed --python {{python}} {{install_dir}}/venv\n"
                 "else\n"
                 "  {{python}} -m venv {{install_dir}}/venv\n"
                 "fi";
  venv.done_check = "{{install_dir}}/venv/bin/python -m pip --version >/dev/null 2>&1";
  venv.timeout = std::chrono::seconds{300};
  venv.creates = {{"{{install_dir}}/venv", sdk::removal::owned}};
  s.install_steps.push_back(venv);

  sdk::step_spec torch;
  torch.id = "torch";
  torch.description = "Install PyTorch from the wheel line chosen for this host.";
  torch.command = std::string{torch_sh};
  torch.done_check = "[ \"$(cat {{install_dir}}/venv/.rio-torch 2>/dev/null)\" = \"$(printf '%s\\n' {{torch}} {{torch_index_url}})\" ]";
  torch.timeout = std::chrono::seconds{1800};
  torch.depends_on = {"venv"};
  s.install_steps.push_back(torch);

  // Reinstalled only when requirements.txt changes (a stamp holds its hash), under the torch
  // guard (requirements.sh): the torch step's wheels stay.
  s.install_steps.push_back(sdk::steps::manifest_install(
      "requirements", "Install ComfyUI's Python dependencies into the virtualenv (torch pinned).", "install_dir",
      "requirements.txt", "venv/.rio-requirements.sha256",
      std::string{requirements_sh}));

  // The checkout plus a virtualenv with torch and ComfyUI's requirements: about 6 GiB (CUDA wheels).
  s.requirements.install_path = "{{install_dir}}";
  s.detect_steps = {
      {"repo", "Check ComfyUI repository exists.", "test -d {{install_dir}}/.git", std::chrono::seconds{20}},
      {"venv", "Check the ComfyUI virtualenv exists.", "test -x {{install_dir}}/venv/bin/python",
       std::chrono::seconds{20}},
  };
  // The checkout's commit, named by its nearest tag when there is one ("v0.3.10-4-gabc1234").
  s.version_probe = "git -C {{install_dir}} describe --tags --always --dirty";
  s.version_option = "ref";
  s.config_sync = {
      {"config/comfyvn.json", "~/.config/comfyvn/remote/comfyui.json",
       "Mirror ComfyVN core config for the remote ComfyUI host.", true},
  };
  add_lifecycle(s);
  return s;
}

}  // namespace
}  // namespace rio::plugins::comfyui

RIO_DECLARE_DATA_MODULE("comfyui", rio::plugins::comfyui::make_spec)
