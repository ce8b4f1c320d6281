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

}  // namespace
}  // namespace rio::test
