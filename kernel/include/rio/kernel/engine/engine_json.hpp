#pragma once
// The JSON shapes of plans and run results: what `rio plan|install --json` prints and what the
// REST API returns. Field names follow the original's responses (host, installed, skipped,
// failed, plan, status, log_path, status_path; plan entries with module, name, action, reason,
// notes, tags, detected, steps, config_sync); rio's additions are extra keys.

#include <rio/kernel/engine/fleet_run.hpp>

#include <boost/json/object.hpp>

namespace rio::kernel::engine {

boost::json::object plan_entry_json(const module_plan& plan, const std::string& host);

/** One host's result; `dry_run` results carry the plan and paths and no module outcomes. */
boost::json::object host_result_json(const host_result& result);

/** Several hosts: {"status","run_id","hosts":[...],"summary":{...}}. */
boost::json::object fleet_result_json(const std::vector<host_result>& results, const std::string& run_id);

}  // namespace rio::kernel::engine
