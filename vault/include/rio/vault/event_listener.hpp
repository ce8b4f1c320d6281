#pragma once
// What the vault tells the rest of rio. Until the hook bus exists the vault calls one listener
// directly; the bus will implement this interface and fan the events out to subscribers.

#include <boost/json/object.hpp>

#include <string_view>

namespace rio::vault {

/** Fired on every audited read of a provider (`rio vault get`, credential lookups). */
inline constexpr std::string_view on_security_secret_read = "on_security_secret_read";
/** Fired once a rotation is durable. */
inline constexpr std::string_view on_security_key_rotated = "on_security_key_rotated";

class event_listener {
 public:
  virtual ~event_listener() = default;

  /**
   * Called synchronously on the thread that made the vault call, after the audit line was
   * written. `metadata` holds names, flags and fingerprints only, never a secret value: for
   * on_security_secret_read {timestamp, provider, keys, overrides, present, fingerprint}; for
   * on_security_key_rotated {timestamp, fingerprint, previous_fingerprint, providers, key_source}.
   * An exception thrown here is swallowed: a subscriber cannot fail a vault operation.
   */
  virtual void on_event(std::string_view name, const boost::json::object& metadata) = 0;
};

}  // namespace rio::vault
