#include <rio/kernel/hooks/catalogue.hpp>

#include <array>

namespace rio::kernel::hooks {
namespace {

constexpr payload_field secret_read[] = {
    {"provider", "the provider read, as stored"},
    {"keys", "top-level field names stored for it (never values)"},
    {"overrides", "field names replaced from COMFYVN_SECRET_<PROVIDER>_<FIELD> variables"},
    {"present", "whether anything was stored or overridden"},
    {"fingerprint", "fingerprint of the key that opened the vault (16 hex digits)"},
    {"timestamp", "when the read happened"},
};
constexpr payload_field key_rotated[] = {
    {"previous_fingerprint", "fingerprint of the old key"},
    {"fingerprint", "fingerprint of the new key"},
    {"providers", "providers re-encrypted under the new key"},
    {"key_source", "where the key lives: environment, key_file or passphrase"},
    {"timestamp", "when the rotation became durable"},
};
constexpr payload_field install_started[] = {
    {"run_id", "the run's id (also in the status manifest and every log line)"},
    {"host", "the host as named"},
    {"address", "user@host:port"},
};
constexpr payload_field module_planned[] = {
    {"run_id", "the run's id"}, {"host", "the host as named"}, {"module", "module id"},
    {"action", "install or noop"}, {"reason", "why, with the detection evidence"},
};
constexpr payload_field step_finished[] = {
    {"run_id", "the run's id"},
    {"host", "the host as named"},
    {"module", "module id"},
    {"step", "step id"},
    {"outcome", "done, already_done, failed or not_run"},
    {"detail", "exit code, duration and reason, as the log line says it (credentials redacted)"},
};
constexpr payload_field module_finished[] = {
    {"run_id", "the run's id"}, {"host", "the host as named"}, {"module", "module id"},
    {"state", "installed, failed, skipped (noop) or recorded"}, {"error", "why it failed (redacted); empty otherwise"},
};
constexpr payload_field install_finished[] = {
    {"run_id", "the run's id"},
    {"host", "the host as named"},
    {"status", "installed, noop, failed, cancelled, recorded or dry_run"},
    {"error", "the host-level failure (unreachable, busy...), if any"},
};
constexpr payload_field module_loaded[] = {
    {"module", "module id"}, {"name", "display name"}, {"version", "the module's version"}, {"file", "the shared object it came from"},
};

constexpr payload_field verb_started[] = {
    {"run_id", "the run's id"}, {"host", "the host as named"}, {"module", "module id"},
    {"from_version", "the installed version (empty when unknown)"},
    {"to_version", "the wanted version: --to, the pin, or the option; for a rollback the saved one (empty: the latest)"},
};
constexpr payload_field verb_finished[] = {
    {"run_id", "the run's id"}, {"host", "the host as named"}, {"module", "module id"},
    {"state", "installed, uninstalled or failed (a failed update says in error whether it was rolled back)"},
    {"version", "the version the module reports now (empty when unknown or uninstalled)"},
    {"error", "why it failed (redacted); empty otherwise"},
};

constexpr std::array<event_spec, 16> events{{
    {"on_security_secret_read", "A vault provider was read (CLI, API or a run's credentials).", secret_read},
    {"on_security_key_rotated", "The vault was re-encrypted under a new key.", key_rotated},
    {"on_remote_install_started", "A run started on a host (plan or install).", install_started},
    {"on_remote_module_planned", "A module's action on a host was decided from detection.", module_planned},
    {"on_remote_step_finished", "An install step finished on a host.", step_finished},
    {"on_remote_module_finished", "A module finished on a host.", module_finished},
    {"on_remote_install_finished", "A run finished on a host.", install_finished},
    {"on_module_loaded", "An installer module was loaded from the plugin directory.", module_loaded},
    {"on_remote_update_started", "rio update starts on a module of a host (after its plan).", verb_started},
    {"on_remote_update_finished", "rio update finished on a module of a host.", verb_finished},
    {"on_remote_rollback_started", "rio rollback starts on a module of a host.", verb_started},
    {"on_remote_rollback_finished", "rio rollback finished on a module of a host.", verb_finished},
    {"on_remote_repair_started", "rio repair starts on a module of a host.", verb_started},
    {"on_remote_repair_finished", "rio repair finished on a module of a host.", verb_finished},
    {"on_remote_uninstall_started", "rio uninstall starts on a module of a host.", verb_started},
    {"on_remote_uninstall_finished", "rio uninstall finished on a module of a host.", verb_finished},
}};

}  // namespace

std::span<const event_spec> catalogue() { return events; }

const event_spec* find_event(std::string_view name) {
  for (const auto& e : events) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

}  // namespace rio::kernel::hooks
