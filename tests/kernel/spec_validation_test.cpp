#include <rio/kernel/spec_validation.hpp>

#include <gtest/gtest.h>

namespace rio::test {
namespace {

sdk::module_spec valid_spec() {
  sdk::module_spec s;
  s.id = "demo";
  s.name = "Demo";
  s.options = {{"dir", sdk::option_type::path, "~/demo", "", false}};
  s.install_steps = {{"make", "Make it.", "mkdir -p {{dir}}", "test -d {{dir}}", std::chrono::seconds{10}}};
  s.detect_steps = {{"dir", "Dir exists.", "test -d {{dir}}", std::chrono::seconds{5}}};
  s.config_sync = {{"config/demo.json", "{{dir}}/demo.json", "Demo config.", true}};
  return s;
}

void expect_invalid(const sdk::module_spec& s, const std::string& fragment) {
  auto r = kernel::validate_spec(s);
  ASSERT_FALSE(r) << "expected: " << fragment;
  EXPECT_EQ(r.error().code, kernel::make_error_code(kernel::errc::invalid_module));
  EXPECT_NE(r.error().message.find(fragment), std::string::npos) << r.error().message;
}

TEST(SpecValidation, AcceptsAConsistentSpec) { EXPECT_TRUE(kernel::validate_spec(valid_spec())); }

TEST(SpecValidation, NamesWhatIsWrong) {
  auto s = valid_spec();
  s.id = "Bad Id";
  expect_invalid(s, "module id 'Bad Id'");

  s = valid_spec();
  s.install_steps.push_back(s.install_steps.front());
  expect_invalid(s, "duplicate step id 'make'");

  s = valid_spec();
  s.install_steps.front().command = "echo {{missing}}";
  // Says where, and names the module once (it said "module 'demo': module 'demo': ...").
  expect_invalid(s, "module 'demo': step 'make' command: placeholder {{missing}} names no declared option");
  EXPECT_EQ(kernel::validate_spec(s).error().message.rfind("module '"), 0u) << kernel::validate_spec(s).error().message;

  s = valid_spec();
  s.snippets = {{"made", "test -d {{dir}}/{{>made}}"}};
  expect_invalid(s, "module 'demo': snippet 'made': snippet 'made' references {{>made}}: snippets do not nest");
  s.snippets = {{"Made", "true"}};
  expect_invalid(s, "snippet name 'Made' must match [a-z][a-z0-9_]*");
  s.snippets = {{"made", "true"}, {"made", "false"}};
  expect_invalid(s, "duplicate snippet id 'made'");
  s.snippets = {{"made", "test -d {{dir}}"}};
  s.install_steps.front().done_check = "{{>made}}";
  EXPECT_TRUE(kernel::validate_spec(s)) << "a step's check may use a snippet";
  s.install_steps.front().done_check = "{{>unmade}}";
  expect_invalid(s, "module 'demo': step 'make' done_check: {{>unmade}} names no declared snippet");

  s = valid_spec();
  s.detect_steps.front().command = "test -d {{dir";
  expect_invalid(s, "module 'demo': probe 'dir' command: unterminated '{{' in: test -d {{dir");

  s = valid_spec();
  s.options.front().default_value = "relative";
  expect_invalid(s, "default of option 'dir'");

  s = valid_spec();
  s.install_steps.insert(s.install_steps.begin(), sdk::sentinel_step(s));
  expect_invalid(s, "sentinel step must be the last");

  s = valid_spec();
  s.config_sync.front().source = "../etc/passwd";
  expect_invalid(s, "without '..'");

  s = valid_spec();
  s.detect_steps.front().timeout = std::chrono::seconds{0};
  expect_invalid(s, "probe 'dir' has no positive timeout");
}

}  // namespace
}  // namespace rio::test
