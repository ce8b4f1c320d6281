#pragma once
// Counting semaphore and mutex for coroutines on one executor: acquire() suspends instead of
// blocking the thread. The mutex serialises libssh2 operations on one session (libssh2 allows one
// in flight); the semaphore caps concurrent handshakes and connections.

#include <rio/sdk/coro.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <cstddef>
#include <deque>
#include <memory>

namespace rio::kernel::ssh::detail {

class async_semaphore {
 public:
  explicit async_semaphore(std::size_t count) : available_(count) {}

  /** Returns false when the wait was cancelled (nothing is then held). */
  boost::asio::awaitable<bool> acquire() {
    if (available_ > 0 && waiters_.empty()) {
      --available_;
      co_return true;
    }
    auto w = std::make_shared<waiter>(co_await boost::asio::this_coro::executor);
    waiters_.push_back(w);
    co_await w->timer.async_wait(sdk::use_nothrow);
    if (w->granted) co_return true;
    waiters_.erase(std::remove(waiters_.begin(), waiters_.end(), w), waiters_.end());
    co_return false;
  }

  /** Takes a unit only if one is free right now. */
  bool try_acquire() noexcept {
    if (available_ == 0 || !waiters_.empty()) return false;
    --available_;
    return true;
  }

  void release() {
    if (waiters_.empty()) {
      ++available_;
      return;
    }
    auto next = waiters_.front();
    waiters_.pop_front();
    next->granted = true;  // the unit passes directly, so no newcomer can overtake a waiter
    next->timer.cancel();
  }

 private:
  struct waiter {
    explicit waiter(const boost::asio::any_io_executor& ex) : timer(ex, boost::asio::steady_timer::time_point::max()) {}
    boost::asio::steady_timer timer;
    bool granted = false;
  };
  std::size_t available_;
  std::deque<std::shared_ptr<waiter>> waiters_;
};

/** A semaphore of one. */
class async_mutex {
 public:
  boost::asio::awaitable<bool> lock() { return units_.acquire(); }
  bool try_lock() noexcept { return units_.try_acquire(); }
  void unlock() { units_.release(); }

 private:
  async_semaphore units_{1};
};

/** Releases on scope exit. */
template <class Lockable>
class release_on_exit {
 public:
  explicit release_on_exit(Lockable& l) : l_(l) {}
  ~release_on_exit() { release(l_); }
  release_on_exit(const release_on_exit&) = delete;
  release_on_exit& operator=(const release_on_exit&) = delete;

 private:
  static void release(async_mutex& m) { m.unlock(); }
  static void release(async_semaphore& s) { s.release(); }
  Lockable& l_;
};

using unlock_on_exit = release_on_exit<async_mutex>;

}  // namespace rio::kernel::ssh::detail
