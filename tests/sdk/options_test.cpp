#include <rio/sdk/options.hpp>

#include <gtest/gtest.h>

namespace rio::test {
namespace {

using sdk::option_type;

sdk::module_spec spec_with_options() {
  sdk::module_spec s;
  s.id = "demo";
  s.options = {{"dir", option_type::path, "~/Demo", "", false},
               {"url", option_type::url, "https://example.invalid/x.git", "", false},
               {"ref", option_type::identifier, "main", "", false},
               {"pin", option_type::identifier, "", "", true},
               {"flag", option_type::boolean, "false", "", false},
               {"count", option_type::integer, "3", "", false},
               {"label", option_type::string, "it's", "", false}};
  return s;
}

TEST(ResolveOptions, StartsFromDefaultsAndAppliesOverrides) {
  auto v = sdk::resolve_options(spec_with_options(), {{"ref", "v1.2.3"}});
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->at("ref"), "v1.2.3");
  EXPECT_EQ(v->at("dir"), "~/Demo");
}

TEST(ResolveOptions, NamesAnUnknownOption) {
  auto v = sdk::resolve_options(spec_with_options(), {{"repo", "x"}});
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, sdk::make_error_code(sdk::errc::unknown_option));
  EXPECT_EQ(v.error().message, "module 'demo' has no option 'repo'");
}

struct bad_value {
  const char* option;
  const char* value;
  const char* problem;
};

TEST(ResolveOptions, RefusesValuesThatDoNotFitTheirType) {
  const bad_value cases[] = {
      {"dir", "relative/path", "must be absolute or start with ~/"},
      {"url", "-oProxyCommand=x", "must be an https"},
      {"url", "https://a b", "must not contain spaces"},
      {"ref", "--upload-pack=x", "must not start with '-'"},
      {"ref", "a;b", "only letters"},
      {"ref", "", "must not be empty"},
      {"flag", "yes", "must be true or false"},
      {"count", "-1", "non-negative decimal"},
      {"label", "two\nlines", "control characters"},
  };
  for (const auto& c : cases) {
    auto v = sdk::resolve_options(spec_with_options(), {{c.option, c.value}});
    ASSERT_FALSE(v) << c.option << "=" << c.value;
    EXPECT_EQ(v.error().code, sdk::make_error_code(sdk::errc::invalid_option));
    EXPECT_NE(v.error().message.find(std::string{"option '"} + c.option + "'"), std::string::npos) << v.error().message;
    EXPECT_NE(v.error().message.find(c.problem), std::string::npos) << v.error().message;
  }
}

TEST(ResolveOptions, AcceptsAnEmptyValueOnlyWhereAllowed) {
  EXPECT_TRUE(sdk::resolve_options(spec_with_options(), {{"pin", ""}}));
}

TEST(RenderCommand, QuotesEachValueByType) {
  auto spec = spec_with_options();
  auto values = sdk::resolve_options(spec, {}).value();
  auto r = sdk::render_command("cd {{dir}} && git clone {{url}} -b {{ref}} n={{count}} f={{flag}} l={{label}}", spec, values);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r,
            "cd \"$HOME\"/'Demo' && git clone 'https://example.invalid/x.git' -b 'main' n=3 f=false l='it'\\''s'");
}

TEST(RenderCommand, NamesAnUndeclaredPlaceholder) {
  auto spec = spec_with_options();
  auto r = sdk::render_command("echo {{nope}}", spec, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, sdk::make_error_code(sdk::errc::template_error));
  EXPECT_NE(r.error().message.find("{{nope}}"), std::string::npos);
}

TEST(RenderCommand, RefusesAnUnterminatedPlaceholder) {
  auto spec = spec_with_options();
  EXPECT_FALSE(sdk::render_command("echo {{dir", spec, {}));
}

TEST(RenderPath, InsertsValuesUnquotedForTheTransport) {
  auto spec = spec_with_options();
  auto values = sdk::resolve_options(spec, {}).value();
  EXPECT_EQ(sdk::render_path("{{dir}}/config.json", spec, values).value(), "~/Demo/config.json");
}

// The SDK 1.1 types: a version pin, a Python requirement and a port, each checked and quoted.
sdk::module_spec spec_with_pins() {
  sdk::module_spec s;
  s.id = "pins";
  s.options = {{"version", option_type::version, "0.6.5", "", false},
               {"package", option_type::requirement, "open-webui==0.6.5", "", false},
               {"port", option_type::port, "8080", "", false}};
  return s;
}

TEST(OptionTypes, VersionRequirementAndPortAcceptWhatPinsLookLike) {
  const std::vector<std::pair<const char*, const char*>> good{
      {"version", "0.6.5"},         {"version", "v1.2"},           {"version", "2.3.1+cu121"},
      {"version", "1!2.0.post1"},   {"version", "1.0.0-rc.1"},     {"package", "open-webui"},
      {"package", "open-webui==0.6.5"}, {"package", "torch>=2.3,<2.5"}, {"package", "uvicorn[standard]~=0.30"},
      {"package", "a.b_c-d[x,y]!=1.0,===2.0"}, {"package", "numpy==1.*"}, {"port", "1"}, {"port", "65535"}};
  for (const auto& [option, value] : good) {
    EXPECT_TRUE(sdk::resolve_options(spec_with_pins(), {{option, value}})) << option << "=" << value;
  }
  const bad_value bad[] = {
      {"version", "-1.0", "starting with a letter or digit"},
      {"version", "1.0 rc", "1-64 letters"},
      {"version", "1.0;rm", "1-64 letters"},
      {"package", "open-webui==0.6.5; python_version<'3.12'", "must be a requirement"},
      {"package", "open-webui @ https://x/y.whl", "must be a requirement"},
      {"package", "-r requirements.txt", "must be a requirement"},
      {"package", "torch>=2.3,", "must be a requirement"},
      {"package", "torch=2.3", "must be a requirement"},
      {"package", "x[bad extra]", "must be a requirement"},
      {"port", "0", "TCP port, 1-65535"},
      {"port", "65536", "TCP port"},
      {"port", "080", "TCP port"},
      {"port", "8080/tcp", "TCP port"},
  };
  for (const auto& c : bad) {
    auto v = sdk::resolve_options(spec_with_pins(), {{c.option, c.value}});
    ASSERT_FALSE(v) << c.option << "=" << c.value;
    EXPECT_NE(v.error().message.find(c.problem), std::string::npos) << v.error().message;
    EXPECT_NE(v.error().message.find(std::string{"option '"} + c.option + "' ("), std::string::npos) << v.error().message;
  }
  auto values = sdk::resolve_options(spec_with_pins(), {{"package", "torch>=2.3,<2.5"}}).value();
  EXPECT_EQ(sdk::render_command("pip install {{package}} v={{version}} --port {{port}}", spec_with_pins(), values).value(),
            "pip install 'torch>=2.3,<2.5' v='0.6.5' --port 8080");
  EXPECT_STREQ(sdk::to_string(option_type::requirement), "requirement");
}

// Shell text shared by a step, its check and a probe is declared once and rendered in each.
TEST(Snippets, AreRenderedWhereReferencedWithTheirOwnPlaceholdersQuoted) {
  auto spec = spec_with_pins();
  spec.snippets = {{"installed_version", "venv/bin/pip show open-webui 2>/dev/null | sed -n 's/^Version: //p'"},
                   {"pinned", "[ \"$({{>installed_version}})\" = {{version}} ]"}};
  auto values = sdk::resolve_options(spec, {}).value();
  auto check = sdk::render_command("cd ~ && {{>installed_version}}", spec, values);
  ASSERT_TRUE(check) << check.error().message;
  EXPECT_EQ(*check, "cd ~ && venv/bin/pip show open-webui 2>/dev/null | sed -n 's/^Version: //p'");

  auto nested = sdk::render_command("{{>pinned}}", spec, values);
  ASSERT_FALSE(nested);
  EXPECT_EQ(nested.error().code, sdk::make_error_code(sdk::errc::template_error));
  EXPECT_EQ(nested.error().message, "snippet 'pinned' references {{>installed_version}}: snippets do not nest");

  spec.snippets[1].text = "[ \"$(cat VERSION)\" = {{version}} ]";
  EXPECT_EQ(sdk::render_command("{{>pinned}}", spec, values).value(), "[ \"$(cat VERSION)\" = '0.6.5' ]");
  auto unknown = sdk::render_command("{{>nope}}", spec, values);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message, "{{>nope}} names no declared snippet");
}

}  // namespace
}  // namespace rio::test
