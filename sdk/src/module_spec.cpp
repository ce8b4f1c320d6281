#include <rio/sdk/module_spec.hpp>

#include <rio/sdk/shell.hpp>

namespace rio::sdk {
namespace {

// Module ids are validated by the kernel to [a-z][a-z0-9_-]*, so quoting cannot fail here.
std::string quoted(const std::string& path) { return shell_quote_path(path).value(); }

}  // namespace

std::string sentinel_path(const std::string& module_id) {
  return "~/.config/comfyvn/remote/" + module_id + ".installed";
}

std::string rollback_dir(const std::string& module_id) { return "~/.config/comfyvn/remote/rollback/" + module_id; }

step_spec sentinel_step(const module_spec& spec) {
  step_spec step;
  step.id = "sentinel";
  step.description = "Record " + spec.name + " installation sentinel.";
  // The sentinel holds the time it was written, which tells operators when the install finished.
  // Written to a temp name and renamed: a write that fails (a full disk) must not leave an empty
  // sentinel behind, which detection (`test -f`) would take for a finished install. The EXIT trap
  // removes the temp file, also when the run is stopped or killed (cleanup_on_exit).
  step.command = "rio_s=" + quoted(sentinel_path(spec.id)) + "\nrio_part=\"$rio_s.rio-part.$$\"\n" +
                 cleanup_on_exit("rm -f \"$rio_part\"") +
                 "mkdir -p " + quoted("~/.config/comfyvn/remote") +
                 " && date -u '+%Y-%m-%dT%H:%M:%SZ' > \"$rio_part\" && mv -f \"$rio_part\" \"$rio_s\"";
  step.timeout = std::chrono::seconds{30};
  step.kind = step_kind::sentinel;
  step.creates = {{sentinel_path(spec.id), removal::owned}};
  return step;
}

probe_spec sentinel_probe(const module_spec& spec) {
  probe_spec probe;
  probe.id = "sentinel";
  probe.description = "Check " + spec.name + " sentinel file.";
  probe.command = "test -f " + quoted(sentinel_path(spec.id));
  return probe;
}

}  // namespace rio::sdk
