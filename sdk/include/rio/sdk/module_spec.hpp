#pragma once
// A module described as data: what `GET /api/remote/modules` lists and what the SDK's default
// coroutines execute. Command text may reference options as {{name}}; see options.hpp.

#include <chrono>
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
};

/** One entry of a module's option schema. */
struct option_spec {
  std::string name;           ///< [a-z][a-z0-9_]*; referenced in commands as {{name}}
  option_type type = option_type::string;
  std::string default_value;  ///< the upstream default; must itself be valid
  std::string description;
  bool allow_empty = false;   ///< whether "" is a valid value (e.g. "no version pin")
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
};

/** One detect probe: exits 0 when its part of the installation is present. */
struct probe_spec {
  std::string id;
  std::string description;
  std::string command;
  std::chrono::seconds timeout{20};
};

/** A local file or directory mirrored to the host when, and only when, the host lacks it. */
struct sync_spec {
  std::string source;       ///< relative to rio's root directory (never the process CWD)
  std::string destination;  ///< remote path; {{option}} placeholders are substituted unquoted
  std::string description;
  bool optional = false;    ///< a missing optional source is skipped; a missing required one fails
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
};

/** `~/.config/comfyvn/remote/<id>.installed`, the path the original tool uses. */
std::string sentinel_path(const std::string& module_id);

/** The sentinel step every data module ends with (kind sentinel). */
step_spec sentinel_step(const module_spec& spec);

/** The probe that checks the sentinel file. */
probe_spec sentinel_probe(const module_spec& spec);

}  // namespace rio::sdk
