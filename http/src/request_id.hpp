#pragma once
// X-Request-ID: the client's own id is echoed (in a response header, the error envelope and logs)
// only when it is short and printable; anything else gets a fresh UUID. One rule for every answer,
// the early ones (413, 401 before the body) included.

#include <string>
#include <string_view>

namespace rio::http::detail {

/** A random UUID (version-4 layout, not for security). */
std::string new_request_id();

/** `given` when it is 1-128 characters of printable ASCII without spaces, else a new UUID. */
std::string request_id_for(std::string_view given);

}  // namespace rio::http::detail
