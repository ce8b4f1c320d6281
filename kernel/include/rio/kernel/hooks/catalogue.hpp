#pragma once
// The named events rio publishes to modder hooks, each with a documented payload. The catalogue
// is data: GET /api/modder/hooks lists it, docs/sdk/hooks.md mirrors it (a test keeps the two in
// step), and the bus refuses to publish a name that is not in it.

#include <span>
#include <string_view>

namespace rio::kernel::hooks {

struct payload_field {
  std::string_view name;
  std::string_view description;
};

struct event_spec {
  std::string_view name;
  std::string_view description;
  std::span<const payload_field> payload;
};

/** Every event, in documentation order. */
std::span<const event_spec> catalogue();

/** The spec for `name`, or nullptr. */
const event_spec* find_event(std::string_view name);

}  // namespace rio::kernel::hooks
