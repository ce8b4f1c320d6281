// docs/sdk/hooks.md and the compiled catalogue say the same thing.
#include <rio/kernel/hooks/catalogue.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <set>

namespace rio::kernel::hooks {
namespace {

TEST(HooksDoc, TheCatalogueTableMatchesTheCompiledCatalogue) {
  const std::string doc = rio::test::read_file(std::string{RIO_TEST_SOURCE_DIR} + "/docs/sdk/hooks.md");
  std::set<std::string> documented;
  std::size_t at = 0;
  while ((at = doc.find("\n| `on_", at)) != std::string::npos) {
    auto end = doc.find('\n', at + 1);
    std::string row = doc.substr(at + 1, end - at - 1);
    auto name_end = row.find('`', 3);
    std::string name = row.substr(3, name_end - 3);
    documented.insert(name);
    const event_spec* e = find_event(name);
    ASSERT_NE(e, nullptr) << "documented but not in the catalogue: " << name;
    std::string fields = row.substr(row.rfind('|', row.size() - 2));
    std::size_t count = 0;
    for (auto p = fields.find('`'); p != std::string::npos; p = fields.find('`', fields.find('`', p + 1) + 1)) ++count;
    EXPECT_EQ(count, e->payload.size()) << name << ": " << fields;
    for (const auto& f : e->payload) {
      EXPECT_NE(fields.find("`" + std::string{f.name} + "`"), std::string::npos) << name << " lacks field " << f.name;
    }
    at = end;
  }
  for (const auto& e : catalogue()) EXPECT_EQ(documented.count(std::string{e.name}), 1u) << "not documented: " << e.name;
}

}  // namespace
}  // namespace rio::kernel::hooks
