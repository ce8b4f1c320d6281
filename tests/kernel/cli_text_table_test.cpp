// The one table writer: columns sized from the data, the last one wrapped, never run together.
#include "../../kernel/cli/src/text_table.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace rio::test {
namespace {

using kernel::cli_detail::text_table;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in{text};
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(TextTable, SizesColumnsFromTheData) {
  text_table t{0};
  t.row({"HOST", "MODULE", "STATE"});
  t.row({"gpu1", "comfyui", "installed"});
  EXPECT_EQ(t.render(100), "HOST  MODULE   STATE\ngpu1  comfyui  installed\n");
}

TEST(TextTable, ALongHostNamePushesTheRestToAnIndentedLine) {
  const std::string host = "gpu-node-017.rack3.lab.example.invalid.some-long-suffix.test";  // 60 characters
  ASSERT_EQ(host.size(), 60u);
  text_table t{0};
  t.row({"HOST", "MODULE", "STATE"});
  t.row({host, "no modules recorded"});
  t.row({"short", "comfyui", "installed"});
  auto lines = lines_of(t.render(100));
  ASSERT_EQ(lines.size(), 4u) << t.render(100);
  EXPECT_EQ(lines[1], host);  // alone: the rest moved down, never glued to it
  EXPECT_EQ(lines[2].find_first_not_of(' '), lines[0].find("MODULE"));
  EXPECT_EQ(lines[2].substr(lines[2].find_first_not_of(' ')), "no modules recorded");
  EXPECT_EQ(lines[3].find("comfyui"), lines[0].find("MODULE"));
}

TEST(TextTable, WrapsTheLastColumnUnderItself) {
  text_table t;
  t.row({"--json", "print the API's JSON shape instead of text, which is rather long for a narrow terminal"});
  auto lines = lines_of(t.render(50));
  ASSERT_GT(lines.size(), 1u);
  for (const auto& line : lines) EXPECT_LE(line.size(), 50u) << line;
  EXPECT_EQ(lines[1].find_first_not_of(' '), lines[0].find("print"));
}

TEST(TextTable, HeadingsAndNotes) {
  text_table t;
  t.heading("Options:");
  t.row({"comfyui", "install", "not detected"});
  t.note(2, "steps to run: a b");
  auto lines = lines_of(t.render(100));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "Options:");
  EXPECT_EQ(lines[2].find("steps"), lines[1].find("not detected"));
}

TEST(TextTable, WidthComesFromColumnsThenTheTerminal) {
  using kernel::cli_detail::output_width;
  EXPECT_EQ(output_width(nullptr, 0), 100u);
  EXPECT_EQ(output_width("72", 0), 72u);
  EXPECT_EQ(output_width("72", 130), 72u);
  EXPECT_EQ(output_width(nullptr, 130), 130u);
  EXPECT_EQ(output_width("junk", 0), 100u);
}

}  // namespace
}  // namespace rio::test
