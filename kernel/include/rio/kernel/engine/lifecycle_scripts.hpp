#pragma once
// The shell text rio itself writes for the lifecycle verbs (the modules' own steps are theirs):
// the wrapper that saves a rollback point atomically, the survey that tells an uninstall plan
// what is still there and which files are the operator's, and the removal of recorded paths.

#include <rio/kernel/engine/plan.hpp>
#include <rio/kernel/error.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rio::kernel::engine {

/**
 * Runs `body` (a module's save_rollback, rendered) with `set -e` inside a fresh directory
 * "$RIO_ROLLBACK_DIR.new.<pid>", which replaces "$RIO_ROLLBACK_DIR" only when body succeeded; a
 * failure or a signal removes it. RIO_ROLLBACK_DIR must be set before.
 */
std::string save_rollback_wrapper(const std::string& body);

/** One module of an uninstall survey. */
struct survey_module {
  std::size_t plan_index = 0;  ///< which plan entry (its index is the survey's key)
  std::vector<removal_item>* removals = nullptr;
  std::string purge_lists;  ///< rendered lifecycle_spec::purge_lists; "" none
};

/**
 * One command: per removal, `rio-rm K J present|absent`; per checkout, `rio-ops K J COUNT` and up
 * to 20 `rio-op K J PATH` lines naming its untracked files, other recorded paths inside it
 * excluded; per purge list, up to 50 `rio-purge K LINE` lines. Errors: a recorded path that
 * does not quote (a `~user` form).
 */
result<std::string> survey_script(const std::vector<survey_module>& modules);

/** Reads the survey's lines for `m` into its removals (action absent, operator files) and `purge_list`. */
void read_survey(std::string_view out, const survey_module& m, std::vector<std::string>& purge_list);

/**
 * Removes the removals in order: `remove` and (with purge) any kind, with rm -rf (rio_sudo when
 * the login cannot); `remove-tracked` deletes a checkout's tracked, unmodified files and its .git,
 * then empty directories, keeping what the operator added or changed. `keep` and `absent` are
 * skipped. Errors: a path that does not quote.
 */
result<std::string> removal_script(const std::vector<removal_item>& removals, bool purge);

}  // namespace rio::kernel::engine
