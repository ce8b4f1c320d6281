#pragma once
// Vault work off the event loop. Opening a passphrase vault runs Argon2id (256 MiB, most of a
// second): on the server's only thread that froze every request, /api/health included, for as
// long as requests kept asking for secrets. Every vault operation of the API runs on one worker
// thread instead, in order; the requesting coroutine waits without holding the loop and resumes
// on its own executor. Stretched keys stay in a stretch_cache (locked, wiped memory) for the
// server's lifetime, so only the first request after start pays for Argon2id.

#include <rio/kernel/settings.hpp>
#include <rio/vault/vault.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <type_traits>

namespace rio::http::detail {

class vault_worker {
 public:
  vault_worker(std::filesystem::path root, kernel::env_lookup env, vault::event_listener* listener);
  /** Waits for the operation in flight, if any (Argon2id cannot be interrupted). */
  ~vault_worker();
  vault_worker(const vault_worker&) = delete;
  vault_worker& operator=(const vault_worker&) = delete;

  /** A vault sharing the server's stretches: for the worker thread, or for start-up before the loop runs. */
  vault::vault open() const;

  /**
   * Runs `f(vault&)` on the worker thread; the caller resumes on its own executor with the result.
   * `f` is the caller's named callable, taken by reference: GCC 12 destroys some temporaries
   * twice when they live in a co_await expression, so callers keep theirs out of it.
   */
  template <class F>
  boost::asio::awaitable<std::invoke_result_t<F&, vault::vault&>> run(F& f) {
    std::optional<std::invoke_result_t<F&, vault::vault&>> out;
    co_await boost::asio::co_spawn(
        pool_.get_executor(),
        [this, &f, &out]() -> boost::asio::awaitable<void> {
          auto v = open();
          out.emplace(f(v));
          co_return;
        },
        boost::asio::use_awaitable);
    co_return std::move(*out);
  }

  /** Stretches kept so far (tests). */
  std::size_t stretches_stored() const { return stretches_->stored(); }

 private:
  std::filesystem::path root_;
  kernel::env_lookup env_;
  vault::event_listener* listener_;
  std::shared_ptr<vault::stretch_cache> stretches_;
  boost::asio::thread_pool pool_{1};
};

}  // namespace rio::http::detail
