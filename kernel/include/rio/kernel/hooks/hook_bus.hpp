#pragma once
// The modder-hook bus: rio publishes catalogued events (vault reads and rotations, run progress,
// module loads) and subscribers receive them in order. Publishing never waits for a subscriber:
// each has a bounded queue (events and bytes) drained by its own coroutine, with a deadline per delivery. A
// subscriber that throws, blocks or falls behind loses only its own events, and those are
// counted. Secret values never enter the bus: payloads carry names and fingerprints only.

#include <rio/kernel/error.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rio::kernel::hooks {

struct envelope {
  std::string event;
  std::string timestamp;  ///< ISO-8601 UTC
  std::uint64_t seq = 0;  ///< increases by one per published event, across all events
  boost::json::object payload;
  double ts = 0;          ///< when it was published, in seconds since the epoch (the original's `ts`)

  /**
   * {"event","ts","data","seq","timestamp","payload"}: the original's envelope ({event, ts, data})
   * with rio's fields beside it. `payload` repeats `data` for rio's earlier clients (deprecated);
   * the payload is stored once, only this serialised form carries it twice.
   */
  boost::json::object to_json() const;
};

struct subscriber_options {
  std::string name;                  ///< for stats and logs, e.g. the plugin file
  std::vector<std::string> events;   ///< names, or {"*"} for all
  std::size_t queue_limit = 1000;    ///< events beyond this are dropped (and counted)
  std::chrono::milliseconds deadline{std::chrono::seconds{5}};  ///< per delivery; then it is cancelled
};

struct subscriber_stats {
  std::string name;
  std::uint64_t delivered = 0;
  std::uint64_t dropped = 0;    ///< queue full
  std::uint64_t failed = 0;     ///< the handler threw or returned an error
  std::uint64_t timed_out = 0;  ///< the handler missed its deadline
  std::size_t queued = 0;
};

/** A pull-style subscription (event streams): the owner awaits next(). */
class stream_subscription {
 public:
  virtual ~stream_subscription() = default;
  /** The next event, or nullopt after `patience` without one (or when the bus stops). */
  virtual boost::asio::awaitable<std::optional<envelope>> next(std::chrono::milliseconds patience) = 0;
  virtual std::uint64_t dropped() const = 0;
};

class hook_bus {
 public:
  using handler = std::function<boost::asio::awaitable<result<void>>(const envelope&)>;

  /** Payload bytes the history keeps, and each subscriber's queue may hold, at most (see the constructor). */
  static constexpr std::size_t default_byte_limit = 4 * 1024 * 1024;

  /**
   * `history_limit` events are kept for history(), and at most `byte_limit` payload bytes (as
   * serialised JSON) between them: the oldest go first. The same byte limit bounds each
   * subscriber's queue, beyond its event count; an event that does not fit is dropped and counted.
   * A single event larger than the limit is still kept when it is alone.
   */
  explicit hook_bus(boost::asio::any_io_executor ex, std::size_t history_limit = 200,
                    std::size_t byte_limit = default_byte_limit);
  ~hook_bus();
  hook_bus(const hook_bus&) = delete;
  hook_bus& operator=(const hook_bus&) = delete;

  /**
   * Publishes an event. Thread-safe; never blocks on subscribers (delivery happens on the bus's
   * executor). Errors: errc::bad_request for a name that is not in the catalogue.
   */
  result<void> publish(std::string_view event, boost::json::object payload);

  /**
   * Adds a push subscriber: `on_event` runs on the bus's own delivery thread, one event at a
   * time, in order (a subscriber that blocks stalls hook delivery only).
   */
  void subscribe(subscriber_options options, handler on_event);

  /** A pull subscription for `events` ({"*"} for all); destroyed = unsubscribed. */
  std::unique_ptr<stream_subscription> open_stream(std::vector<std::string> events, std::size_t queue_limit = 1000);

  /** The most recent envelopes (oldest first), at most `limit`, optionally one event only. */
  std::vector<envelope> history(std::size_t limit, std::string_view event = {}) const;

  std::vector<subscriber_stats> stats() const;

  /** Waits until every push subscriber has handled what was queued (at most `patience`). */
  boost::asio::awaitable<void> drain(std::chrono::milliseconds patience);

  /** Stops delivery: subscribers finish their current event, then the delivery thread is joined. */
  void stop();

  struct state;

 private:
  std::shared_ptr<state> state_;
};

}  // namespace rio::kernel::hooks
