#pragma once
// A module described as data: what `GET /api/remote/modules` lists and what the SDK's default
// coroutines execute. Command text may reference options as {{name}}; see options.hpp.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace rio::sdk {

/** How an option's value is validated and how it is quoted into a command. */
enum class option_type {
  string,      ///< any text without control characters; single-quoted
  identifier,  ///< a git ref, tag or version: [A-Za-z0-9._/+-], not starting with '-'; quoted
  path,        ///< a remote path; absolute or starting with `~/` (expanded on the host as $HOME)
  url,         ///< https, http, file, ssh or git URL, or an absolute path; quoted
  boolean,     ///< `true` or `false`; inserted bare
  integer,     ///< a non-negative decimal number; inserted bare
  address,     ///< host:port: a host name, IPv4 address or [IPv6] address, and a port 1-65535; quoted
  version,     ///< a version or pin: 1-64 of [A-Za-z0-9._+!-], starting with a letter or digit (0.6.5, v1.2, 2.3.1+cu121); quoted
  requirement, ///< a Python requirement: name, [extras], comma-separated specifiers (open-webui==0.6.5, torch>=2.3,<2.5); quoted
  port,        ///< a TCP port, 1-65535; inserted bare
  /**
   * A PyTorch wheel line: `auto` (rio chooses per host from its GPUs and drivers, and shows why in
   * the plan), `cpu`, `cuNNN` (cu118, cu124, cu128...), `rocmX.Y[.Z]`, `xpu`, or `default` (PyPI's
   * own wheels, which is what Apple silicon uses). Quoted. Commands only ever see a resolved
   * line; `auto` that could not be resolved (no facts) renders as `default`.
   */
  torch_build,
  /** How Python packages are installed: `auto` (uv when the host has it, else pip), `pip`, or `uv`. Quoted. */
  python_installer,
};

/** One entry of a module's option schema. */
struct option_spec {
  std::string name;           ///< [a-z][a-z0-9_]*; referenced in commands as {{name}}
  option_type type = option_type::string;
  std::string default_value;  ///< the upstream default; must itself be valid
  std::string description;
  bool allow_empty = false;   ///< whether "" is a valid value (e.g. "no version pin")
  /**
   * The value is part of what is installed (a version pin, a package index): rio records it with
   * the install, checks the module's steps on every detection, and plans an install with
   * "options changed: version 0.6.4 -> 0.6.5" when the requested value differs from the record.
   */
  bool defines_state = false;
};

/** What `rio uninstall` may do with something a step created (docs/lifecycle.md). */
enum class removal {
  owned,     ///< rio's alone (a virtualenv, node_modules, a stamp): uninstall removes it
  /** A git work tree: uninstall removes its tracked files and .git; files the operator added
      (models, outputs, settings) stay unless --purge, whose plan lists them. */
  checkout,
  /** Shared or system-wide (a tool other software may use, a models store): only with --purge. */
  purge,
};

/**
 * A path a step creates on the host. rio records it, rendered, each time the step's command
 * runs (never when the step was already done: what was there before rio is not rio's), and
 * `rio uninstall` removes the recorded paths, newest first, by their removal kind.
 */
struct created_path {
  std::string path;  ///< remote path, absolute or `~/...`; {{option}} placeholders allowed
  removal kind = removal::owned;
};

enum class step_kind {
  command,   ///< run `command` unless `done_check` says the step is already done
  sentinel,  ///< config sync, then write the module's sentinel file; always the last step
};

/** One install step. */
struct step_spec {
  std::string id;           ///< unique within the module: [a-z][a-z0-9_-]*
  std::string description;  ///< one sentence for plans and logs
  std::string command;      ///< POSIX sh; {{option}} placeholders are quoted by type
  /** POSIX sh that exits 0 when the step's effect is already present, so a rerun skips it. */
  std::string done_check;
  std::chrono::seconds timeout{600};
  step_kind kind = step_kind::command;
  // What the step needs from the host. The kernel's preflight (inside the detect command) checks
  // these before anything runs, so a host that cannot succeed is refused with a reason instead of
  // failing halfway. Only steps that would run count: a satisfied done_check needs nothing.
  /** Commands the step calls (checked with `command -v`); [A-Za-z0-9._+-]+ each. */
  std::vector<std::string> needs_tools{};  // {} so positional initialisers that stop earlier stay warning-free
  /** Commands the step installs, so later steps that need them are not refused. */
  std::vector<std::string> provides_tools{};
  /** Runs commands as root (rio_sudo): the login must be root or have passwordless sudo. */
  bool needs_root = false;
  /** Uses the system package manager (rio_pkg_install): apt-get or dnf must exist. */
  bool needs_package_manager = false;
  /**
   * Ids of earlier steps whose effect this step reads (pip after the checkout whose requirements
   * it installs): when one of them will run, the plan says this step "will run if <id> changes",
   * since its check can only tell after that step ran.
   */
  std::vector<std::string> depends_on{};
  /** What the step's command creates, for `rio uninstall` (see created_path). */
  std::vector<created_path> creates{};
};

/** One detect probe: exits 0 when its part of the installation is present. */
struct probe_spec {
  std::string id;
  std::string description;
  std::string command;
  std::chrono::seconds timeout{20};
};

/**
 * Shell text shared by several commands (a step's command, its check, a probe): referenced as
 * {{>name}}, replaced by `text` with its own {{option}} placeholders rendered. Snippets do not nest.
 */
struct snippet_spec {
  std::string name;  ///< [a-z][a-z0-9_]*, unique within the module
  std::string text;  ///< POSIX sh
};

/** A local file or directory mirrored to the host when, and only when, the host lacks it. */
struct sync_spec {
  std::string source;       ///< relative to rio's root directory (never the process CWD)
  std::string destination;  ///< remote path; {{option}} placeholders are substituted unquoted
  std::string description;
  bool optional = false;    ///< a missing optional source is skipped; a missing required one fails
};

/**
 * What a module needs from the host as a whole; the preflight checks it before any step runs.
 * Every check can be overridden per run (docs/platforms.md).
 */
struct host_requirements {
  /** Free space the install needs, in MiB, on the filesystem of `install_path`; 0: no check. */
  std::uint64_t disk_mib = 6144;
  /** Remote path whose filesystem holds the install ({{option}} allowed); empty: the home directory. */
  std::string install_path;
  /** `uname -m` values the module supports (x86_64, aarch64, arm64...); empty: any. */
  std::vector<std::string> architectures;
  /** OS families the module supports (linux, windows, macos); empty: any. */
  std::vector<std::string> systems;
  /**
   * For modules whose upstream installer installs GPU drivers when it finds a GPU without a
   * working driver (Ollama's install.sh does, ollama#8708): the boolean option that allows it.
   * Without that option set, such a host is refused in the plan. Empty: the module never does.
   */
  std::string gpu_driver_option;
  /**
   * For modules with a torch_build option: the boolean option that lets a host whose NVIDIA GPU
   * has no working driver get the CPU build. Without it set, `auto` refuses such a host in the
   * plan (a CPU torch on a GPU box is rarely what the operator wants). Empty: always refused.
   */
  std::string cpu_fallback_option;
  /**
   * The GPU runtime the module's software brings, so the plan can say per host whether it will
   * run on the GPU: "ollama" (Ollama's CUDA and ROCm builds) or "llama.cpp" (LM Studio's engines).
   * Empty: none, or torch, which a torch_build option already says.
   */
  std::string gpu_runtime;
};

/**
 * The verbs after install (docs/lifecycle.md). Steps here are step_specs like install steps
 * (commands, checks, timeouts); rio runs them with RIO_FORCE=1 in the environment under
 * `--force` and RIO_PURGE=1 under `--purge`. A module that declares no update steps is not
 * updated (the plan says so); one without save_rollback gets no automatic rollback.
 */
struct lifecycle_spec {
  /** `rio update`: run first, in order, with the version option set to the target (--to, the
      host's pin, or the option's value); then every install step whose check fails runs. */
  std::vector<step_spec> update;
  /** POSIX sh run before an update changes anything: saves what rollback needs under
      rollback_dir(id) (a commit, a `pip freeze`, the previous version). */
  std::string save_rollback;
  /** `rio rollback` and a failed update: restores what save_rollback saved; then every install
      step whose check fails runs. */
  std::vector<step_spec> rollback;
  /** `rio uninstall`: stops what the module started (a daemon, a service), before removal. */
  std::vector<step_spec> stop;
  /** `rio uninstall --purge`: the upstream's documented removal of what is not rio's alone. */
  std::vector<step_spec> purge;
  /** POSIX sh printing, one per line, what `purge` would remove (for the plan); {{option}} allowed. */
  std::string purge_lists;
};

/** Everything a module declares. */
struct module_spec {
  std::string id;       ///< [a-z][a-z0-9_-]{0,62}; also the sentinel's name
  std::string name;     ///< display name
  std::string notes;
  std::string version;  ///< the module's own version, shown by `rio modules`
  std::vector<std::string> tags;
  std::vector<option_spec> options;
  std::vector<step_spec> install_steps;
  std::vector<probe_spec> detect_steps;
  std::vector<sync_spec> config_sync;
  host_requirements requirements;
  std::vector<snippet_spec> snippets;  ///< shell text that commands reference as {{>name}}
  /**
   * POSIX sh that prints the installed version on the first line of its stdout ("v0.3.10-4-gabc1234",
   * "0.5.7"); {{option}} placeholders allowed. rio runs it in detection when the module's probes
   * pass, and after each install, and records the answer. Empty: the module reports no version.
   */
  std::string version_probe;
  /** The option that names the wanted version or ref ("ref", "version"): the plan shows it beside the installed one. */
  std::string version_option;
  /** update, rollback and uninstall (see lifecycle_spec). */
  lifecycle_spec lifecycle;
};

/** `~/.config/comfyvn/remote/<id>.installed`, the path the original tool uses. */
std::string sentinel_path(const std::string& module_id);

/** `~/.config/comfyvn/remote/rollback/<id>`: where save_rollback keeps what rollback restores. */
std::string rollback_dir(const std::string& module_id);

/** The sentinel step every data module ends with (kind sentinel). */
step_spec sentinel_step(const module_spec& spec);

/** The probe that checks the sentinel file. */
probe_spec sentinel_probe(const module_spec& spec);

}  // namespace rio::sdk
