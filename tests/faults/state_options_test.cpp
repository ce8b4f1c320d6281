// Options that define the installed state (option_spec::defines_state), end to end over SSH: the
// install records them in the status file, an equal rerun is a noop, and a changed value is
// planned and installed as "options changed: pin 1 -> 2" although the module's probes pass.
#include "fault_support.hpp"

namespace rio::test {
namespace {

TEST(EngineStateOptions, AChangedPinIsPlannedAndInstalledAndRecorded) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  const auto plugins = fault_plugin_dir(w.scratch());
  const auto run = [&](const std::string& verb, const std::string& pin) {
    return w.run(using_plugins(
        engine_world::with(w.args(verb, {engine_world::spec(h)}, "faulty"), {"--set", "faulty.pin=" + pin, "--json"}), plugins));
  };
  const auto recorded_pin = [&] {
    auto m = parse_object(read_file(manifest_of(w, h)))["modules"].as_object()["faulty"].as_object();
    const auto* options = m.if_contains("options");
    return options == nullptr ? std::string{"(none)"} : std::string{options->as_object().at("pin").as_string()};
  };

  auto first = run("install", "1");
  ASSERT_EQ(first.code, 0) << first.err << first.out;
  EXPECT_EQ(recorded_pin(), "1");

  auto same = run("plan", "1");
  ASSERT_EQ(same.code, 0) << same.err << same.out;
  EXPECT_EQ(parse_object(same.out)["plan"].as_array().at(0).as_object().at("action"), "noop") << same.out;

  auto plan = run("plan", "2");
  ASSERT_EQ(plan.code, 0) << plan.err << plan.out;
  const auto entry = parse_object(plan.out)["plan"].as_array().at(0).as_object();
  EXPECT_EQ(entry.at("action"), "install") << plan.out;
  EXPECT_EQ(entry.at("detect").as_object().at("state"), "installed") << "the probes pass; the pin decides";
  EXPECT_EQ(std::string{entry.at("reason").as_string()}.rfind("options changed: pin 1 -> 2", 0), 0u) << plan.out;

  auto install = run("install", "2");
  ASSERT_EQ(install.code, 0) << install.err << install.out;
  EXPECT_EQ(strings_of(parse_object(install.out)["installed"]), std::vector<std::string>{"faulty"}) << install.out;
  EXPECT_EQ(recorded_pin(), "2");
  expect_records_readable(w);
}

}  // namespace
}  // namespace rio::test
