// A test-only module for the fault suite (never installed with rio): one step that runs whatever
// shell text the test sets as `faulty.command`, then the SDK's ordinary sentinel step; and a
// probe that runs `faulty.probe` (default `true`, so the sentinel alone decides); and `faulty.pin`,
// an option that defines the installed state (the work step has no check, so a changed pin reruns
// it). Its step
// timeout is 3 s, so "a remote command that never ends" costs seconds, not the real modules'
// 5-30 minutes; the timeout itself is enforced by the same code as every module's steps.
#include <rio/sdk/data_installer.hpp>
#include <rio/sdk/module.hpp>

namespace rio::test::faulty {
namespace {

sdk::module_spec make_spec() {
  sdk::module_spec s;
  s.id = "faulty";
  s.name = "Fault injection";
  s.version = "1.0.0";
  s.notes = "Test-only: runs the command the fault suite chooses.";
  s.tags = {"test"};
  s.options = {{"command", sdk::option_type::string, "true", "Shell text the step evaluates.", false},
               {"probe", sdk::option_type::string, "true", "Shell text the detection probe evaluates.", false},
               {"pin", sdk::option_type::version, "1", "A version pin that defines the installed state.", false, true}};
  s.detect_steps = {{"probe", "Run the fault suite's probe.", "eval {{probe}}", std::chrono::seconds{5}}};
  sdk::step_spec work;
  work.id = "work";
  work.description = "Run the fault suite's command.";
  work.command = "eval {{command}}";
  work.timeout = std::chrono::seconds{3};
  s.install_steps.push_back(work);
  return s;
}

}  // namespace
}  // namespace rio::test::faulty

RIO_DECLARE_DATA_MODULE("faulty", rio::test::faulty::make_spec)
