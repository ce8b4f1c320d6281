#pragma once
// Hook subscribers: shared objects that receive rio's modder-hook events in-process (the catalogue
// is in docs/sdk/hooks.md). Declared with RIO_DECLARE_SUBSCRIBER (module.hpp) and loaded from the
// plugin directory with the same handshake as installer modules.

#include <rio/sdk/error.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/config.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace rio::sdk {

/** One event, copied for the subscriber: it may keep it beyond the call. */
struct hook_event {
  std::string name;          ///< e.g. "on_remote_module_finished"
  std::string timestamp;     ///< ISO-8601 UTC
  std::uint64_t seq = 0;     ///< rises by one per event the process publishes; a gap is a lost event
  std::string payload_json;  ///< the payload object as JSON text (names and states, never secret values)
};

/**
 * Receives events. Threading: on_event runs on a delivery thread of this subscriber's own (not
 * the thread that runs installs or serves requests), one event at a time, in publication order.
 * It should not block: a subscriber that does delays only its own events.
 * Each delivery has a deadline (5 s by default): a subscriber that overruns it is cancelled for
 * that event, one that throws is counted as failed, and one that falls behind loses events from
 * its own bounded queue (counted). None of this affects runs or other subscribers.
 */
class BOOST_SYMBOL_VISIBLE hook_subscriber {
 public:
  virtual ~hook_subscriber() = default;

  /** Event names to receive, or {"*"} for all. Read once, when the plugin is loaded. */
  virtual std::vector<std::string> events() const = 0;

  virtual boost::asio::awaitable<result<void>> on_event(const hook_event& event) = 0;
};

}  // namespace rio::sdk
