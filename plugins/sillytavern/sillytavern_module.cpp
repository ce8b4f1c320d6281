// SillyTavern: Node.js (>= 18, checked before npm is used), a checkout of the release branch, and
// its npm dependencies. The ComfyVN extension is synced where SillyTavern actually loads
// third-party UI extensions and server plugins, never over an existing copy.

#include <rio/sdk/data_installer.hpp>
#include <rio/sdk/module.hpp>
#include <rio/sdk/steps.hpp>

namespace rio::plugins::sillytavern {
namespace {

// long-function: one declarative module spec (options, steps, probes), read top to bottom as data
sdk::module_spec make_spec() {
  sdk::module_spec s;
  s.id = "sillytavern";
  s.name = "SillyTavern";
  s.version = "1.0.0";
  s.notes = "Deploys SillyTavern with the ComfyVN extension payload when available.";
  s.tags = {"ssh", "node", "roleplay"};
  s.options = {
      {"install_dir", sdk::option_type::path, "~/SillyTavern", "Where the SillyTavern checkout lives.", false},
      {"repo_url", sdk::option_type::url, "https://github.com/SillyTavern/SillyTavern.git", "Git repository to clone.",
       false},
      {"ref", sdk::option_type::identifier, "release", "Branch or tag to check out (release is the stable branch).",
       false},
      {"node_min_major", sdk::option_type::integer, "18", "Oldest Node.js major version SillyTavern supports.",
       false},
  };

  // Node first: npm is useless without a new-enough node. Distribution packages are tried; if
  // they are too old (Ubuntu 20.04 ships Node 10) the step fails with what to do instead.
  // `node --version` answers without starting V8: 4 ms of CPU instead of 80 for `node -p`.
  const std::string node_ok =
      "command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && rio_node=$(node --version 2>/dev/null) && "
      "rio_node=${rio_node#v} && [ \"${rio_node%%.*}\" -ge {{node_min_major}} ] 2>/dev/null";
  sdk::step_spec node = sdk::steps::system_packages("nodejs", "Ensure Node.js and npm are installed.", node_ok,
                                                    "nodejs npm", "nodejs npm");
  node.command += "\nif ! { " + node_ok +
                  "; }; then\n"
                  "  echo \"rio: SillyTavern needs Node.js >= {{node_min_major}}; found $(node --version 2>/dev/null || "
                  "echo none). Install a current Node.js (NodeSource or your distribution's module streams) and "
                  "rerun.\" >&2\n"
                  "  exit 1\n"
                  "fi";
  node.provides_tools = {"node", "npm"};
  s.install_steps.push_back(node);
  sdk::step_spec clone = sdk::steps::git_checkout("clone", "Clone the SillyTavern repository.", "install_dir", "repo_url", "ref");
  clone.creates = {{"{{install_dir}}", sdk::removal::checkout}};  // chats, characters and settings in data/ stay
  s.install_steps.push_back(clone);

  // The same flags as SillyTavern's own start.sh; reruns skip it until package-lock.json changes.
  sdk::step_spec deps = sdk::steps::manifest_install(
      "npm-install", "Install SillyTavern dependencies.", "install_dir", "package-lock.json",
      "node_modules/.rio-package-lock.sha256", "npm install --no-audit --no-fund --no-progress --omit=dev");
  deps.timeout = std::chrono::seconds{1200};
  deps.needs_tools.push_back("npm");
  deps.creates = {{"{{install_dir}}/node_modules", sdk::removal::owned}};
  s.install_steps.push_back(deps);

  // The checkout and node_modules take well under 1 GiB; 2 GiB leaves room for chats and assets.
  s.requirements.disk_mib = 2048;
  s.requirements.install_path = "{{install_dir}}";
  s.version_probe = "git -C {{install_dir}} describe --tags --always --dirty";
  s.version_option = "ref";
  s.detect_steps = {
      {"repo", "Check SillyTavern repository exists.", "test -d {{install_dir}}/.git", std::chrono::seconds{20}},
      {"node-modules", "Check SillyTavern dependencies are installed.", "test -d {{install_dir}}/node_modules",
       std::chrono::seconds{20}},
  };
  s.config_sync = {
      {"SillyTavern Extension/extension/ComfyVN", "{{install_dir}}/public/scripts/extensions/third-party/ComfyVN",
       "Sync the bundled ComfyVN UI extension.", true},
      {"SillyTavern Extension/plugin/comfyvn-data-exporter", "{{install_dir}}/plugins/comfyvn-data-exporter",
       "Sync the ComfyVN data exporter server plugin.", true},
      {"SillyTavern Extension/plugin/comfyvn-diagnostics", "{{install_dir}}/plugins/comfyvn-diagnostics",
       "Sync the ComfyVN diagnostics server plugin.", true},
  };
  // update: fetch and check out the ref; npm install runs again only when package-lock.json changed.
  // A rollback returns the checkout to its commit; its package-lock.json then restores node_modules.
  s.lifecycle.update = {sdk::steps::git_update("checkout", "Fetch and check out the wanted ref (local changes refused unless --force).",
                                               "install_dir", "ref")};
  s.lifecycle.save_rollback = sdk::steps::git_save_rollback("install_dir");
  s.lifecycle.rollback = {sdk::steps::git_rollback("checkout", "Check out the commit saved before the update.", "install_dir")};
  return s;
}

}  // namespace
}  // namespace rio::plugins::sillytavern

RIO_DECLARE_DATA_MODULE("sillytavern", rio::plugins::sillytavern::make_spec)
