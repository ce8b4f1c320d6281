#pragma once
// POST /api/remote/install's body, read with the original's rules (host or hostname; modules as
// "all", a string, a list; bool-ish dry_run, record_only, probe; the ssh block; secrets or
// credentials with provider and key|entry|id) and rio's additions (hosts for a fleet, async,
// options per module). The original's traps are closed: a misspelled provider is an error, the
// request cannot choose local programs (ssh_command, scp_command), its env goes to the remote
// command only, and an identity file must live under ~/.ssh or rio's root.

#include <rio/http/server.hpp>
#include <rio/kernel/engine/host_run.hpp>
#include <rio/kernel/engine/run_paths.hpp>
#include <rio/kernel/module_registry.hpp>
#include <rio/vault/event_listener.hpp>
#include <rio/vault/vault.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace rio::http::detail {

struct api_state;

struct install_call {
  std::vector<kernel::engine::host_request> hosts;
  kernel::engine::run_settings settings;  ///< complete except on_event
  std::unique_ptr<kernel::engine::redactor> redact;  ///< settings.redact points here
  bool async = false;
  bool single_host = true;
  std::size_t parallel = 256;
};

struct body_error {
  int status = 400;
  std::string message;
  std::string field;
};

/**
 * What reading a body needs from the server: the loaded modules, the configuration (root, env),
 * where runs keep their records, and who hears of vault reads (may be null). A server passes its
 * api_state; tests/fuzz/install_body_fuzz.cpp builds one without a server.
 */
struct body_context {
  const kernel::module_registry& registry;
  const api_config& config;
  const kernel::engine::run_paths& paths;
  vault::event_listener* vault_events = nullptr;
  /** Reads the request's vault provider; empty: engine::read_provider, here and now. */
  std::function<kernel::result<vault::provider_view>(const std::string& provider)> read_provider = {};
};

/** Reads and validates the body; nothing is touched (no vault write, no connection) on error. */
std::variant<install_call, body_error> read_install_body(const boost::json::object& body, const body_context& context);

/**
 * The same with the server's own state: the vault is read on its worker thread (a passphrase
 * vault costs Argon2id), and only when everything checked before it passed.
 */
boost::asio::awaitable<std::variant<install_call, body_error>> read_install_body(const boost::json::object& body, api_state& state);

}  // namespace rio::http::detail
