#pragma once
// Shared by the libFuzzer targets in this folder (docs/fuzzing.md). A target feeds the input to
// one parser exactly as rio does, and checks with require() what the parser promises of its
// result; a broken promise aborts, so libFuzzer saves the input like any crash.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include <stdlib.h>  // mkdtemp

namespace rio::fuzz {

inline std::string_view text_of(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

[[noreturn]] inline void broken(const char* promise, std::string_view detail) {
  std::fprintf(stderr, "rio fuzz: broken promise: %s\n  detail: %.*s\n", promise, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

/** Aborts (a "crash" to libFuzzer) when `ok` is false. */
inline void require(bool ok, const char* promise, std::string_view detail = {}) {
  if (!ok) broken(promise, detail);
}

/**
 * A fresh directory under $TMPDIR (or /tmp) for the whole process, removed at a normal exit.
 * scripts/fuzz.sh points TMPDIR into the build tree, so a crashed run leaves nothing elsewhere.
 */
inline std::filesystem::path scratch_directory(const char* name) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string{tmp != nullptr && *tmp != '\0' ? tmp : "/tmp"} + "/rio-fuzz-" + name + "-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) broken("a scratch directory can be created", pattern);
  static std::filesystem::path made;
  made = pattern;
  std::atexit([] {
    std::error_code ec;
    std::filesystem::remove_all(made, ec);
  });
  return made;
}

}  // namespace rio::fuzz
