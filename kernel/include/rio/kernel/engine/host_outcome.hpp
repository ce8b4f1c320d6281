#pragma once
// How one host's result reads in counts and one-line summaries. A result has two facts: its
// `status` (the API's enum: a plan stays "dry_run" even when its host could not be reached) and
// its `failure` (why the host itself failed). Counting either alone lies: a plan of unreachable
// hosts would be "17/17 done, 0 failed". These helpers read both, so the CLI's progress, the
// API's run progress and the fleet summary agree.

#include <rio/kernel/engine/host_run.hpp>

#include <string>

namespace rio::kernel::engine {

/** "busy", "unreachable", "local_io", "cancelled"; "" for none (the API's `failure` values). */
const char* to_string(host_failure f) noexcept;

/**
 * True when the host did not do what was asked: status failed, or a host-level failure other
 * than cancellation (a plan whose host could not be reached keeps status dry_run but counts
 * here). Cancelled hosts are counted apart, as cancelled.
 */
bool counts_as_failed(const host_result& r) noexcept;

/**
 * One word or two for a per-host line: the failure when there is one ("unreachable", "busy",
 * "failed (local_io)", "cancelled"), otherwise the status ("installed", "noop", "recorded",
 * "dry_run", "failed").
 */
std::string host_outcome(const host_result& r);

}  // namespace rio::kernel::engine
