#include <rio/sdk/reports.hpp>

namespace rio::sdk {

const char* to_string(detect_state s) noexcept {
  switch (s) {
    case detect_state::installed: return "installed";
    case detect_state::absent: return "absent";
    case detect_state::unknown: return "unknown";
  }
  return "unknown";
}

const char* to_string(step_outcome o) noexcept {
  switch (o) {
    case step_outcome::done: return "done";
    case step_outcome::already_done: return "already_done";
    case step_outcome::failed: return "failed";
    case step_outcome::not_run: return "not_run";
  }
  return "not_run";
}

const char* to_string(sync_outcome o) noexcept {
  switch (o) {
    case sync_outcome::uploaded: return "uploaded";
    case sync_outcome::destination_exists: return "destination_exists";
    case sync_outcome::skipped_optional: return "skipped_optional";
    case sync_outcome::failed: return "failed";
  }
  return "failed";
}

const char* to_string(install_state s) noexcept {
  switch (s) {
    case install_state::installed: return "installed";
    case install_state::failed: return "failed";
  }
  return "failed";
}

}  // namespace rio::sdk
