#pragma once
// One authenticated session per (user, host, port), shared by every command of a run, with caps
// on concurrent handshakes and connections so a fleet run respects sshd's MaxStartups.

#include <rio/kernel/ssh/session.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <map>
#include <memory>
#include <string>

namespace rio::kernel::ssh {

struct pool_limits {
  /** Open connections at once, all hosts together (file descriptors, memory). */
  std::size_t max_connections = 512;
  /** Handshakes in flight at once, all hosts together (client CPU). */
  std::size_t max_handshakes = 64;
  /** Handshakes in flight to one host: sshd's MaxStartups starts dropping above 10. */
  std::size_t max_handshakes_per_host = 10;
};

class session_pool {
 public:
  explicit session_pool(pool_limits limits = {});
  ~session_pool();
  session_pool(const session_pool&) = delete;
  session_pool& operator=(const session_pool&) = delete;

  /**
   * The usable session for options.where, connecting when there is none. Concurrent callers for
   * the same target share one connection attempt and its result (including its error).
   */
  boost::asio::awaitable<result<std::shared_ptr<session>>> get(connect_options options);

  /**
   * Keeps idle sessions alive until cancelled: every `interval` it sends a keepalive on each idle
   * session and drops those that no longer answer. Spawn it beside the work that uses the pool
   * and cancel it before close_all().
   */
  boost::asio::awaitable<void> run_keepalive(std::chrono::seconds interval = std::chrono::seconds{30});

  /**
   * Disconnects the session for `where` (if any) and frees its connection slot: a fleet run
   * calls it when a host is done, so more hosts than max_connections can run in one call.
   */
  boost::asio::awaitable<void> close(const target& where, std::chrono::milliseconds deadline = std::chrono::seconds{2});

  /** Disconnects every session (each within `deadline`) and forgets them. */
  boost::asio::awaitable<void> close_all(std::chrono::milliseconds deadline = std::chrono::seconds{2});

  /** Sessions currently held. */
  std::size_t size() const noexcept;
  /** The most handshakes that were ever in flight at once (for tests and metrics). */
  std::size_t peak_handshakes() const noexcept;

  struct state;

 private:
  std::unique_ptr<state> state_;
};

}  // namespace rio::kernel::ssh
