#pragma once
// Crash injection for tests. The vault calls the hook with a step name ("vault.fsync",
// "rotate.new_key_installed", ...) before every step that changes a file; a test that kills the
// process there (fork + _exit) proves that every intermediate state on disk still opens.

#include <functional>
#include <string_view>

namespace rio::vault {

using fault_hook = std::function<void(std::string_view step)>;

}  // namespace rio::vault
