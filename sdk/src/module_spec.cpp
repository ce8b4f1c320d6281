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

step_spec sentinel_step(const module_spec& spec) {
  step_spec step;
  step.id = "sentinel";
  step.description = "Record " + spec.name + " installation sentinel.";
  // The sentinel holds the time it was written, which tells operators when the install finished.
  step.command = "mkdir -p " + quoted("~/.config/comfyvn/remote") + " && date -u '+%Y-%m-%dT%H:%M:%SZ' > " +
                 quoted(sentinel_path(spec.id));
  step.timeout = std::chrono::seconds{30};
  step.kind = step_kind::sentinel;
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
