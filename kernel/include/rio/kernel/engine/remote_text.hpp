#pragma once
// Text a host printed (a version, a fact, a file name) is untrusted: before it reaches a plan, a
// record or a log it is cut to a bound and stripped of control characters, here, the one way.

#include <cstddef>
#include <string>
#include <string_view>

namespace rio::kernel::engine {

/** The first `max` bytes of `text` without control characters (< 0x20, 0x7f), trailing spaces trimmed. */
std::string printable_text(std::string_view text, std::size_t max);

}  // namespace rio::kernel::engine
