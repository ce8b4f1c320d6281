#include "module_records.hpp"

namespace rio::kernel::engine::detail {
namespace {

std::vector<step_record> step_records(const std::vector<sdk::step_result>& steps, const redactor* redact) {
  std::vector<step_record> out;
  for (const auto& s : steps) {
    out.push_back({s.id, sdk::to_string(s.outcome), s.exit_code, static_cast<std::int64_t>(s.duration.count()),
                   redact ? redact->apply(s.reason) : s.reason});
  }
  return out;
}

}  // namespace

void carry_lifecycle(const module_record& from, module_record& to) {
  to.pin = from.pin;
  to.pin_version = from.pin_version;
  to.created = from.created;
  to.rollback = from.rollback;
}

std::string tail_of(const std::string& text, std::size_t keep) {
  return text.size() <= keep ? text : "..." + text.substr(text.size() - keep);
}

namespace {

// A module this run never started: the previous record (what was known stays known), marked
// failed with why unless it was installed and `keep_installed`.
module_record not_run_record(const module_record* previous, const module_plan& p, const std::string& run_id,
                             const std::string& why, bool keep_installed) {
  module_record rec;
  if (previous != nullptr) rec = *previous;
  if (!keep_installed || rec.state.empty() || rec.state == "failed") {
    rec.state = "failed";
    rec.failed_at = utc_timestamp();
    rec.error = why;
  }
  rec.reason = why;
  rec.run_id = run_id;
  rec.notes = p.notes;
  rec.tags = p.tags;
  rec.updated_at = utc_timestamp();
  return rec;
}

}  // namespace

module_record cancelled_record(const module_record* previous, const module_plan& p, const std::string& run_id) {
  return not_run_record(previous, p, run_id, "run " + run_id + " was cancelled before this module", true);
}

module_record host_failed_record(const module_record* previous, const module_plan& p, const std::string& run_id,
                                 const std::string& why) {
  return not_run_record(previous, p, run_id, why, false);
}

module_record recorded_only_record(const module_plan& p, const std::string& run_id) {
  module_record rec;
  rec.state = "recorded";
  rec.notes = p.notes;
  rec.tags = p.tags;
  rec.reason = "recorded by run " + run_id + " without running anything: " + p.reason;
  rec.run_id = run_id;
  rec.updated_at = utc_timestamp();
  return rec;
}

module_record blocked_record(const module_record* previous, const module_plan& p, const std::string& run_id) {
  module_record rec;
  if (previous != nullptr) rec = *previous;
  rec.state = "failed";
  rec.failed_at = utc_timestamp();
  rec.error = p.reason;
  rec.reason = p.reason;
  rec.notes = p.notes;
  rec.tags = p.tags;
  rec.run_id = run_id;
  rec.steps.clear();
  rec.stderr_tail.clear();
  rec.updated_at = rec.failed_at;
  return rec;
}

module_record noop_record(const module_record* previous, const module_plan& p, const std::string& run_id) {
  module_record rec;
  if (previous != nullptr && previous->state == "installed") rec.installed_at = previous->installed_at;
  rec.state = "installed";
  rec.notes = p.notes;
  rec.tags = p.tags;
  rec.reason = p.reason;
  rec.detected = true;
  rec.run_id = run_id;
  rec.updated_at = utc_timestamp();
  // Planned noop: the record agrees with the request, or there was none and every check passed.
  rec.state_options = p.state_options;
  rec.version = !p.found.version.empty() ? p.found.version : previous != nullptr ? previous->version : std::string{};
  if (previous != nullptr) carry_lifecycle(*previous, rec);
  return rec;
}

module_record install_record(const module_outcome& outcome, const module_plan& p, const std::string& run_id,
                             const std::string& stderr_tail, const redactor* redact) {
  module_record rec;
  rec.state = outcome.state;
  rec.notes = p.notes;
  rec.tags = p.tags;
  rec.run_id = run_id;
  rec.steps = step_records(outcome.steps, redact);
  rec.updated_at = utc_timestamp();
  rec.detected = false;
  if (outcome.state == "installed") {
    rec.state_options = p.state_options;
    rec.version = outcome.version;
    rec.installed_at = rec.updated_at;
    rec.reason = "installed by run " + run_id;
  } else {
    rec.version = outcome.version;  // a failed update that was rolled back says where it is
    rec.failed_at = rec.updated_at;
    rec.error = outcome.error;
    rec.reason = outcome.error;
    // Without a redactor the patterns (URL credentials, Bearer tokens) still apply.
    rec.stderr_tail = (redact != nullptr ? *redact : redactor{}).apply(tail_of(stderr_tail, stderr_tail_keep));
  }
  return rec;
}

}  // namespace rio::kernel::engine::detail
