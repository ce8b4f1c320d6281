#pragma once
// One webhook's deliveries: a bounded queue (events and bytes) drained by one coroutine on the
// server's executor, with async HTTP, so a webhook costs memory, never a thread. Each delivery is
// a POST of the event envelope, signed when the webhook has a secret (X-Rio-Signature-256:
// sha256=<hex>, and the original's X-Comfy-Signature: <hex>), retried with exponential backoff,
// under one deadline for all its attempts. A slow or dead receiver delays only its own queue;
// what does not fit is dropped and counted.

#include <rio/kernel/error.hpp>
#include <rio/kernel/hooks/hook_bus.hpp>
#include <rio/vault/secret.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
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
};

struct delivery_policy {
  int attempts = 5;
  std::chrono::milliseconds first_backoff{500};  ///< doubles after every failed attempt
  std::chrono::seconds attempt_timeout{10};
  std::size_t queue_limit = 1000;              ///< events waiting per webhook
  std::size_t queue_bytes = 4 * 1024 * 1024;   ///< their bodies' bytes, at most
};

/** An event as every webhook sends it: serialised once, shared by the queues. */
struct delivery {
  std::string event;
  std::uint64_t seq = 0;
  std::string body;
};

class webhook_sender : public std::enable_shared_from_this<webhook_sender> {
 public:
  webhook_sender(boost::asio::any_io_executor ex, webhook hook, delivery_policy policy);

  /** Starts the coroutine that drains the queue. */
  void start();
  /** Queues `d` when it fits, else counts it as dropped. */
  void offer(const std::shared_ptr<const delivery>& d);
  /** No further deliveries: the coroutine ends after the attempt in flight. */
  void stop();

  const webhook& hook() const noexcept { return hook_; }
  bool wants(std::string_view event) const { return hook_.event == "*" || hook_.event == event; }
  /** Counters in the bus's shape ("webhook <id> <url>"), for GET /api/modder/hooks. */
  kernel::hooks::subscriber_stats stats() const;

 private:
  boost::asio::awaitable<void> drain();
  boost::asio::awaitable<kernel::result<void>> deliver(const delivery& d);

  webhook hook_;
  delivery_policy policy_;
  std::deque<std::shared_ptr<const delivery>> queue_;
  std::size_t queued_bytes_ = 0;
  boost::asio::steady_timer wake_;  ///< never expires; cancel() wakes the drain (same executor, so no lost wake-up)
  bool stopped_ = false;
  kernel::hooks::subscriber_stats stats_;
};

}  // namespace rio::http::detail
