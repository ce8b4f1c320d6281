#pragma once
// Webhooks registered through the API: each one is a bus subscriber with its own queue, so a slow
// or dead receiver delays only itself. Deliveries are POSTs of the event envelope, signed with
// HMAC-SHA256 (header X-Rio-Signature-256: sha256=<hex>) when the webhook has a secret, and
// retried with exponential backoff. The list lives in <root>/data/webhooks.json (no secrets); the
// secrets live in the vault (provider modder_webhooks) and are never returned by the API.

#include <rio/kernel/error.hpp>
#include <rio/kernel/hooks/hook_bus.hpp>
#include <rio/kernel/settings.hpp>
#include <rio/vault/event_listener.hpp>
#include <rio/vault/secret.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/json/array.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

namespace rio::http::detail {

struct webhook {
  std::string id;
  std::string event;  ///< a catalogued name or "*"
  std::string url;    ///< http://host[:port]/path
  bool signed_ = false;
  vault::secret secret;
  std::string created_at;
  /** Cleared when removed or replaced; read by the delivery thread. */
  std::atomic<bool> active{true};
};

struct delivery_policy {
  int attempts = 5;
  std::chrono::milliseconds first_backoff{500};  ///< doubles after every failed attempt
  std::chrono::seconds attempt_timeout{10};
};

class webhook_registry {
 public:
  webhook_registry(std::filesystem::path root, kernel::env_lookup env, kernel::hooks::hook_bus& bus,
                   vault::event_listener* listener, delivery_policy policy = {});

  /** Loads data/webhooks.json and the secrets, and subscribes each webhook. Errors name the file. */
  kernel::result<void> load();
  /** Adds or replaces (same event and url). Errors: bad_request naming the field. */
  kernel::result<std::string> add(const std::string& event, const std::string& url, const std::string& secret);
  /** Errors: bad_request when no such webhook. */
  kernel::result<void> remove(const std::string& event, const std::string& url);
  /** [{"id","event","url","signed","created_at","delivered","failed"...}] without secrets. */
  boost::json::array list_json() const;

 private:
  kernel::result<void> save() const;
  void start_delivery(const std::shared_ptr<webhook>& hook);

  std::filesystem::path root_;
  kernel::env_lookup env_;
  kernel::hooks::hook_bus& bus_;
  vault::event_listener* listener_;
  delivery_policy policy_;
  std::map<std::string, std::shared_ptr<webhook>> hooks_;  ///< by id
};

/** Parses http://host[:port]/path. Errors: bad_request naming what is wrong. */
struct http_url {
  std::string host;
  std::string port = "80";
  std::string target = "/";
};
kernel::result<http_url> parse_http_url(const std::string& url);

}  // namespace rio::http::detail
