#pragma once
// Whether this test binary (and so the rio it starts, built with the same preset) runs under
// AddressSanitizer. A few measurements mean nothing there: RSS includes the allocator's
// quarantine of freed blocks (256 MiB by default), and with the descriptor table full the
// sanitizers' own memory probe (a pipe) fails, so UBSan's vptr check reports every object it
// cannot look at. Those tests skip under the asan preset, naming why; the ci preset runs them.

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
