#pragma once
// The JSON shapes of plans and run results: what `rio plan|install --json` prints and what the
// REST API returns. Field names follow the original's responses (host, installed, skipped,
// failed, plan, status, log_path, status_path; plan entries with module, name, action, reason,
// notes, tags, detected, steps, config_sync); rio's additions are extra keys.

#include <rio/kernel/engine/fleet_run.hpp>

#include <boost/json/object.hpp>

namespace rio::kernel::engine {

/** How a result is shown to whoever asked for it. */
struct result_view {
  /** Known secret values to mask. Credentials in URLs and Bearer tokens are masked in any case. */
  const redactor* redact = nullptr;
  /**
   * false for API clients that are not on loopback: a host that could not be reached says only
   * "unreachable" wherever its connection error would appear (error, plan evidence, module
   * errors), so per-host answers tell nothing about ports and routes (no port scanning through
   * rio). The host's log keeps the detail.
   */
  bool connection_detail = true;
};

boost::json::object plan_entry_json(const module_plan& plan, const std::string& host);

/** One host's result; `dry_run` results carry the plan and paths and no module outcomes. */
boost::json::object host_result_json(const host_result& result, const result_view& view = {});

/** Several hosts: {"status","run_id","hosts":[...],"summary":{...}}. */
boost::json::object fleet_result_json(const std::vector<host_result>& results, const std::string& run_id,
                                      const result_view& view = {});

/** The text a result_view without connection detail shows for a connection error. */
inline constexpr std::string_view unreachable_text = "unreachable";

}  // namespace rio::kernel::engine
