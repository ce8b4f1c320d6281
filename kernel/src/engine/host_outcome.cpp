#include <rio/kernel/engine/host_outcome.hpp>

namespace rio::kernel::engine {

const char* to_string(host_failure f) noexcept {
  switch (f) {
    case host_failure::none: return "";
    case host_failure::busy: return "busy";
    case host_failure::unreachable: return "unreachable";
    case host_failure::local_io: return "local_io";
    case host_failure::cancelled: return "cancelled";
    case host_failure::detection_failed: return "detection_failed";
  }
  return "";
}

bool counts_as_failed(const host_result& r) noexcept {
  if (r.status == "failed") return true;
  return r.failure != host_failure::none && r.failure != host_failure::cancelled;
}

std::string host_outcome(const host_result& r) {
  switch (r.failure) {
    case host_failure::none: return r.status;
    case host_failure::local_io: return "failed (local_io)";
    case host_failure::busy:
    case host_failure::unreachable:
    case host_failure::detection_failed:
    case host_failure::cancelled: return to_string(r.failure);
  }
  return r.status;
}

}  // namespace rio::kernel::engine
