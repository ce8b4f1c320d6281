// docs/sdk/writing-a-module.md lists everything a module can declare: every field of every struct
// and every value of every enum in rio/sdk/module_spec.hpp has a row in the guide's reference,
// under the heading that names its type. A field added to the header without a row fails here.
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>

namespace rio::test {
namespace {

const std::filesystem::path source_dir{RIO_TEST_SOURCE_DIR};

// Type name -> its members, read from the header's text: "struct X {" or "enum class X {" up to
// "};" at the start of a line; a member is a declaration line ending in ';' (structs) or a
// name followed by ',' (enums). Comment lines are skipped.
std::map<std::string, std::vector<std::string>> declared_members(const std::string& header) {
  static const std::regex opens{R"(^(struct|enum class) (\w+) \{)"};
  static const std::regex field{R"(^  [A-Za-z_][^;/]*?\b(\w+)\s*(\{[^;]*\}|= [^;]*)?;)"};
  static const std::regex value{R"(^  (\w+),?\s*(///.*|//.*)?$)"};
  std::map<std::string, std::vector<std::string>> out;
  std::istringstream in{header};
  std::string line, open_type;
  bool is_enum = false;
  for (std::smatch m; std::getline(in, line);) {
    if (open_type.empty()) {
      if (std::regex_search(line, m, opens)) {
        open_type = m[2];
        is_enum = m[1] == "enum class";
        out[open_type];
      }
      continue;
    }
    if (line.starts_with("};")) {
      open_type.clear();
      continue;
    }
    if (std::regex_search(line, m, is_enum ? value : field)) out[open_type].push_back(m[1]);
  }
  return out;
}

// The text under "### `type`" up to the next heading.
std::string section_of(const std::string& guide, const std::string& type) {
  const std::string heading = "### `" + type + "`\n";
  const auto at = guide.find(heading);
  if (at == std::string::npos) return {};
  const auto end = guide.find("\n#", at + heading.size());
  return guide.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

TEST(SdkGuide, TheReferenceHasARowForEveryFieldOfModuleSpecHpp) {
  const auto types = declared_members(read_file(source_dir / "sdk/include/rio/sdk/module_spec.hpp"));
  const std::string guide = read_file(source_dir / "docs/sdk/writing-a-module.md");
  // What the reader must find; a parse that finds less would make the test pass for nothing.
  for (const char* must : {"module_spec", "option_spec", "option_type", "step_spec", "probe_spec", "sync_spec",
                           "host_requirements"}) {
    ASSERT_TRUE(types.count(must)) << must << " not found in module_spec.hpp";
  }
  ASSERT_GE(types.at("step_spec").size(), 10u);
  ASSERT_GE(types.at("module_spec").size(), 10u);
  for (const auto& [type, members] : types) {
    if (type == "step_kind") continue;  // its two values are explained in step_spec's `kind` row
    const std::string section = section_of(guide, type);
    ASSERT_FALSE(section.empty()) << "docs/sdk/writing-a-module.md lacks the heading ### `" << type << "`";
    for (const auto& member : members) {
      EXPECT_NE(section.find("| `" + member + "` |"), std::string::npos)
          << "docs/sdk/writing-a-module.md: ### `" << type << "` has no row for `" << member << "`";
    }
  }
}

}  // namespace
}  // namespace rio::test
