#pragma once
// Whether this test binary (and so the rio it starts, built with the same preset) runs under
// AddressSanitizer. Some measurements mean nothing there: RSS includes the allocator's quarantine
// of freed blocks (256 MiB by default). Those tests skip under the asan preset, naming why; the
// ci preset runs them.

namespace rio::test {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool sanitized_build = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool sanitized_build = true;
#else
inline constexpr bool sanitized_build = false;
#endif
#else
inline constexpr bool sanitized_build = false;
#endif

}  // namespace rio::test
