#include "webhook_sender.hpp"

#include "webhook_client.hpp"
#include "webhooks.hpp"

#include <rio/kernel/plugin_call.hpp>
#include <rio/sdk/coro.hpp>
#include <rio/vault/hmac.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

namespace rio::http::detail {
namespace asio = boost::asio;

webhook_sender::webhook_sender(asio::any_io_executor ex, webhook hook, delivery_policy policy)
    : hook_(std::move(hook)), policy_(policy), wake_(ex, asio::steady_timer::time_point::max()) {
  stats_.name = "webhook " + hook_.id + " " + hook_.url;
}

void webhook_sender::start() {
  // The coroutine holds the sender, so a removed webhook's queue lives until its attempt ends.
  asio::co_spawn(wake_.get_executor(), [self = shared_from_this()] { return self->drain(); }, asio::detached);
}

void webhook_sender::offer(const std::shared_ptr<const delivery>& d) {
  if (stopped_) return;
  if (queue_.size() >= policy_.queue_limit || (!queue_.empty() && queued_bytes_ + d->body.size() > policy_.queue_bytes)) {
    ++stats_.dropped;
    return;
  }
  queued_bytes_ += d->body.size();
  queue_.push_back(d);
  wake_.cancel();
}

void webhook_sender::stop() {
  stopped_ = true;
  queue_.clear();
  queued_bytes_ = 0;
  wake_.cancel();
}

kernel::hooks::subscriber_stats webhook_sender::stats() const {
  auto s = stats_;
  s.queued = queue_.size();
  return s;
}

asio::awaitable<void> webhook_sender::drain() {
  // Retries happen inside one delivery, so the deadline covers all of them.
  const auto deadline = std::chrono::duration_cast<std::chrono::milliseconds>(
      policy_.attempt_timeout * policy_.attempts + policy_.first_backoff * (1 << policy_.attempts));
  while (!stopped_) {
    if (queue_.empty()) {
      co_await wake_.async_wait(sdk::use_nothrow);
      continue;
    }
    auto next = std::move(queue_.front());
    queue_.pop_front();
    queued_bytes_ -= next->body.size();
    const std::string what = "webhook " + hook_.url;
    auto sent = co_await kernel::call_plugin<void>(what, deadline, [&] { return deliver(*next); });
    if (sent) ++stats_.delivered;
    else if (sent.error().code == make_error_code(kernel::errc::plugin_call_timed_out)) ++stats_.timed_out;
    else ++stats_.failed;
  }
}

asio::awaitable<kernel::result<void>> webhook_sender::deliver(const delivery& d) {
  auto url = parse_http_url(hook_.url);
  if (!url) co_return url.error();
  std::vector<std::pair<std::string, std::string>> headers{{"X-Rio-Event", d.event}, {"X-Rio-Delivery", std::to_string(d.seq)}};
  if (hook_.signed_) {
    // rio's header, and the original's (bare hex, what its receivers verify): the same HMAC.
    const std::string mac = vault::hmac_sha256_hex(hook_.secret.reveal(), d.body);
    headers.emplace_back("X-Rio-Signature-256", "sha256=" + mac);
    headers.emplace_back("X-Comfy-Signature", mac);
  }
  auto backoff = policy_.first_backoff;
  std::string last_error;
  asio::steady_timer wait{wake_.get_executor()};
  for (int attempt = 1; attempt <= policy_.attempts && !stopped_; ++attempt) {
    auto sent = co_await post_json(*url, d.body, headers, policy_.attempt_timeout);
    if (sent && *sent >= 200 && *sent < 300) co_return kernel::result<void>{};
    last_error = sent ? "HTTP " + std::to_string(*sent) : sent.error().message;
    if (attempt == policy_.attempts) break;
    wait.expires_after(backoff);
    auto [ec] = co_await wait.async_wait(sdk::use_nothrow);
    if (ec) break;
    backoff *= 2;
  }
  co_return kernel::fail(kernel::errc::io_error, "webhook " + hook_.url + " failed after " + std::to_string(policy_.attempts) +
                                                     " attempts: " + last_error);
}

}  // namespace rio::http::detail
