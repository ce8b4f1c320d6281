#pragma once
// What the status manifest says about one module after this run did (or did not do) something
// with it: one builder per outcome. Each takes the previous record where what was known must
// stay known, and stamps the run id and the time. Internal to the engine.

#include <rio/kernel/engine/host_run.hpp>
#include <rio/kernel/engine/status_manifest.hpp>

#include <string>

namespace rio::kernel::engine::detail {

/** Never started because the run was cancelled: failed (so the next run plans it) unless it was installed. */
module_record cancelled_record(const module_record* previous, const module_plan& p, const std::string& run_id);

/**
 * The host failed before any module could run (unreachable, authentication refused, host key
 * mismatch): failed with the reason and failed_at, as the original records it, so the
 * specification's recovery step ("inspect the status manifest to identify failing modules") finds
 * them. What an earlier run recorded (installed_at, its steps) stays in the record.
 */
module_record host_failed_record(const module_record* previous, const module_plan& p, const std::string& run_id,
                                 const std::string& why);

/** record_only: nothing ran on the host, and the record says so. */
module_record recorded_only_record(const module_plan& p, const std::string& run_id);

/** The preflight refused the module: failed, with the preflight's reason (the next run re-checks). */
module_record blocked_record(const module_record* previous, const module_plan& p, const std::string& run_id);

/** Detected installed: replaced, so a stale error never sits beside "installed". */
module_record noop_record(const module_record* previous, const module_plan& p, const std::string& run_id);

/**
 * After install ran: installed, or failed with the error and the failed step's stderr tail
 * (bounded and redacted here; step reasons are redacted only with a redactor, as they were
 * redacted into `outcome` already).
 */
module_record install_record(const module_outcome& outcome, const module_plan& p, const std::string& run_id,
                             const std::string& stderr_tail, const redactor* redact);

/** Keeps what the lifecycle verbs know (pin, created paths, rollback point) from `from` in `to`. */
void carry_lifecycle(const module_record& from, module_record& to);

/** The last `keep` characters of `text`, "..." in front when cut. */
std::string tail_of(const std::string& text, std::size_t keep);

/** How much of a failed step's stderr the manifest and log keep. */
inline constexpr std::size_t stderr_tail_keep = 2000;

}  // namespace rio::kernel::engine::detail
