#pragma once
// Webhooks registered through the API. One dispatcher reads the hook bus and hands each event to
// the webhooks that want it; each webhook drains its own bounded queue (webhook_sender.hpp). All
// of it runs on the server's executor, so webhooks cost memory, not threads, and their number is
// capped. The list lives in <root>/data/webhooks.json (no secrets); the secrets live in the vault
// (provider modder_webhooks) and are never returned by the API. Whatever that file holds, loading
// it never stops the server from starting: what cannot be used is skipped and reported.

#include "webhook_sender.hpp"

#include <rio/kernel/error.hpp>
#include <rio/kernel/hooks/hook_bus.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace rio::http::detail {

class vault_worker;

class webhook_registry {
 public:
  webhook_registry(std::filesystem::path root, kernel::hooks::hook_bus& bus, vault_worker& vault,
                   boost::asio::any_io_executor ex, std::size_t max_webhooks, delivery_policy policy = {});
  ~webhook_registry();
  webhook_registry(const webhook_registry&) = delete;
  webhook_registry& operator=(const webhook_registry&) = delete;

  /**
   * Loads data/webhooks.json and the secrets of signed webhooks, then starts delivering. Never
   * fails: entries that cannot be used (not an object, a bad url or event, a signed one whose
   * secret is missing, those beyond the limit) are skipped, and so is a file that is not a JSON
   * list. Returns one line per kind of skip, for the operator.
   */
  std::vector<std::string> load();
  /** Stops delivering (server shutdown). */
  void stop();

  /** Adds or replaces (same event and url). Errors: bad_request naming the field ("webhook url ...",
      "unsupported event", the vault's refusal of the secret), http errc::too_many_webhooks. */
  boost::asio::awaitable<kernel::result<std::string>> add(std::string event, std::string url, std::string secret);
  /** Errors: bad_request when no such webhook. */
  boost::asio::awaitable<kernel::result<void>> remove(std::string event, std::string url);

  /** [{"id","event","url","signed","created_at"}] without secrets. */
  boost::json::array list_json() const;
  /** Each webhook's counters, in the bus's shape. */
  std::vector<kernel::hooks::subscriber_stats> stats() const;
  std::size_t limit() const noexcept { return max_; }

 private:
  void load_saved(std::vector<std::string>& notes);
  boost::asio::awaitable<void> dispatch();
  std::shared_ptr<webhook_sender> install(webhook hook);
  kernel::result<void> save() const;

  std::filesystem::path root_;
  kernel::hooks::hook_bus& bus_;
  vault_worker& vault_;
  boost::asio::any_io_executor ex_;
  std::size_t max_;
  delivery_policy policy_;
  std::map<std::string, std::shared_ptr<webhook_sender>> hooks_;  ///< by id
  std::size_t pending_ = 0;  ///< additions waiting for the vault: they hold a place under the limit
  std::shared_ptr<kernel::hooks::stream_subscription> stream_;
  bool stopped_ = false;
};

/** Parses http://host[:port]/path. Errors: bad_request naming what is wrong. */
struct http_url {
  std::string host;
  std::string port = "80";
  std::string target = "/";
};
kernel::result<http_url> parse_http_url(const std::string& url);

}  // namespace rio::http::detail
