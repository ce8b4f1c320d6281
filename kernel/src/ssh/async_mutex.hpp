#pragma once
// A mutex for coroutines on one executor: lock() suspends instead of blocking the thread.
// It serialises libssh2 operations on one session (libssh2 allows one in flight).

#include <rio/sdk/coro.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <deque>
#include <memory>

namespace rio::kernel::ssh::detail {

class async_mutex {
 public:
  /** Returns false when the wait was cancelled (the mutex is then not held). */
  boost::asio::awaitable<bool> lock() {
    if (!locked_) {
      locked_ = true;
      co_return true;
    }
    auto w = std::make_shared<waiter>(co_await boost::asio::this_coro::executor);
    waiters_.push_back(w);
    co_await w->timer.async_wait(sdk::use_nothrow);
    if (w->granted) co_return true;
    waiters_.erase(std::remove(waiters_.begin(), waiters_.end(), w), waiters_.end());
    co_return false;
  }

  void unlock() {
    if (waiters_.empty()) {
      locked_ = false;
      return;
    }
    auto next = waiters_.front();
    waiters_.pop_front();
    next->granted = true;  // ownership passes directly, so no third coroutine can slip in
    next->timer.cancel();
  }

 private:
  struct waiter {
    explicit waiter(const boost::asio::any_io_executor& ex) : timer(ex, boost::asio::steady_timer::time_point::max()) {}
    boost::asio::steady_timer timer;
    bool granted = false;
  };
  bool locked_ = false;
  std::deque<std::shared_ptr<waiter>> waiters_;
};

/** Unlocks on scope exit. */
class unlock_on_exit {
 public:
  explicit unlock_on_exit(async_mutex& m) : m_(m) {}
  ~unlock_on_exit() { m_.unlock(); }
  unlock_on_exit(const unlock_on_exit&) = delete;
  unlock_on_exit& operator=(const unlock_on_exit&) = delete;

 private:
  async_mutex& m_;
};

}  // namespace rio::kernel::ssh::detail
