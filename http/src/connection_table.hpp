#pragma once
// Who holds the server's connections, so that a flood of them cannot lock everyone else out. A
// connection counts against a cap for its client address and against the overall cap. When a cap
// is reached, the connection that has been idle longest (connected, or kept alive, without having
// sent a byte of a request, and with none waiting) makes room: idle sockets cost an attacker nothing, so they must not
// cost the server its service. Only when no connection is idle is the newcomer refused (503).
// Used on the server's one thread; no locking.

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <list>
#include <map>
#include <memory>

namespace rio::http::detail {

struct connection_caps {
  std::size_t total = 512;
  std::size_t per_address = 256;
};

class connection_table;

/** One admitted connection; releases its place when destroyed. */
class connection_slot {
 public:
  ~connection_slot();
  connection_slot(const connection_slot&) = delete;
  connection_slot& operator=(const connection_slot&) = delete;

  /** The socket to close if this connection is evicted (set once the connection owns it). */
  void attach(boost::asio::ip::tcp::socket& socket);
  /** Waiting for the first byte of a request (evictable), or not. */
  void set_idle(bool idle);
  /** Evicted before it could attach: the connection should end at once. */
  bool evicted() const noexcept { return evicted_; }

 private:
  friend class connection_table;
  connection_slot(connection_table& table, boost::asio::ip::address from) : table_(&table), from_(std::move(from)) {}
  void evict();

  connection_table* table_;  ///< null once evicted (its place is already free)
  boost::asio::ip::address from_;
  boost::asio::ip::tcp::socket* socket_ = nullptr;
  bool idle_ = true;  ///< a new connection has sent nothing yet
  bool evicted_ = false;
  std::chrono::steady_clock::time_point idle_since_ = std::chrono::steady_clock::now();
  std::list<connection_slot*>::iterator position_;
};

class connection_table {
 public:
  explicit connection_table(connection_caps caps) : caps_(caps) {}
  ~connection_table();

  /** A place for a connection from `from`, evicting the longest-idle one if a cap is reached;
      null when every connection under that cap is busy. */
  std::unique_ptr<connection_slot> admit(const boost::asio::ip::address& from);
  /** Closes the longest-idle connection (out of descriptors); false when none is idle. */
  bool evict_idle();

  std::size_t size() const noexcept { return slots_.size(); }
  const connection_caps& caps() const noexcept { return caps_; }

 private:
  friend class connection_slot;
  bool evict_idle_from(const boost::asio::ip::address* from);
  void release(connection_slot& slot);

  connection_caps caps_;
  std::list<connection_slot*> slots_;
  std::map<boost::asio::ip::address, std::size_t> per_address_;
};

}  // namespace rio::http::detail
