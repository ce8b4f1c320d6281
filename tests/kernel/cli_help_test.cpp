// Golden help: `rio --help` and every command's help fit 100 columns and no column runs into the
// next; the option lines come from the same table the parser reads.
#include <rio/kernel/cli.hpp>
#include <rio/kernel/cli_command.hpp>

#include "cli_runner.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace rio::test {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in{text};
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// An indented table line ("  --json   print ...") whose first column ends without two spaces
// before the next column: a first cell that ran into its neighbour.
bool runs_together(const std::string& line) {
  const auto cell = line.find_first_not_of(' ');
  if (cell != 2 && cell != 4) return false;  // commands' tables are indented 2, vault subcommands' 4
  if (line[cell] != '-') return false;  // prose and continuation lines
  // The label is "-x, --long VALUE" at most: three words. Anything after must be two spaces away.
  std::size_t end = cell, words = 0;
  while (end < line.size() && words < 3) {
    auto space = line.find(' ', end);
    if (space == std::string::npos) return false;
    ++words;
    if (space + 1 < line.size() && line[space + 1] == ' ') return false;  // two spaces: a proper gap
    end = space + 1;
  }
  return true;
}

void expect_tidy(const std::string& text, const std::string& what) {
  for (const auto& line : lines_of(text)) {
    EXPECT_LE(line.size(), 100u) << what << ": " << line;
    EXPECT_FALSE(runs_together(line)) << what << ": " << line;
    EXPECT_EQ(line.find_last_not_of(' ') + 1, line.size()) << what << " has trailing blanks: '" << line << "'";
  }
}

std::vector<std::vector<std::string>> every_help_invocation() {
  std::vector<std::vector<std::string>> all{{"--help"}};
  for (const auto& c : kernel::cli_commands()) {
    all.push_back({"help", std::string{c.name}});
    for (const auto& sub : c.subcommands) all.push_back({"help", std::string{c.name}, std::string{sub.name}});
  }
  return all;
}

TEST(CliHelp, EveryHelpFitsAHundredColumnsWithoutRunTogetherColumns) {
  for (const auto& args : every_help_invocation()) {
    auto r = run_cli(args);
    std::string what = "rio " + args[0] + (args.size() > 1 ? " " + args[1] : "") + (args.size() > 2 ? " " + args[2] : "");
    EXPECT_EQ(r.code, 0) << what << r.err;
    EXPECT_FALSE(r.out.empty()) << what;
    expect_tidy(r.out, what);
  }
}

TEST(CliHelp, OptionLinesComeFromTheTable) {
  for (const auto& c : kernel::cli_commands()) {
    const std::string help = run_cli({"help", std::string{c.name}}).out;
    EXPECT_EQ(run_cli({std::string{c.name}, "--help"}).out, help) << c.name;
    for (const auto& o : c.options) {
      std::string name = o.positional ? std::string{o.value_name} : std::string{o.long_name};
      EXPECT_NE(help.find(name), std::string::npos) << c.name << " help lacks " << name;
    }
    for (const auto& sub : c.subcommands) {
      const std::string sub_help = run_cli({std::string{c.name}, std::string{sub.name}, "--help"}).out;
      for (const auto& o : sub.options) {
        if (!o.positional) {
          EXPECT_NE(sub_help.find(o.long_name), std::string::npos) << sub.name << " " << o.long_name;
        }
      }
    }
  }
}

TEST(CliHelp, MainHelpKeepsColumnsApart) {
  auto r = run_cli({"--help"});
  // The old layout printed "-m MODULES [options]Show what..." with no gap.
  EXPECT_EQ(r.out.find("[options]Show"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("completion bash"), std::string::npos) << r.out;
  for (const auto& c : kernel::cli_commands()) {
    // The summary starts two spaces after the synopsis, or on a line of its own.
    auto at = r.out.find(std::string{c.summary}.substr(0, 20));
    ASSERT_NE(at, std::string::npos) << c.name;
    EXPECT_EQ(r.out.substr(at - 2, 2), "  ") << c.name << ": " << r.out;
  }
  EXPECT_NE(r.out.find("--man"), std::string::npos) << r.out;
}

TEST(CliHelp, WrapsToColumns) {
  auto narrow = run_cli({"help", "plan"}, {{"COLUMNS", "60"}});
  for (const auto& line : lines_of(narrow.out)) {
    // Prose paragraphs are written by hand for 100 columns; table lines follow $COLUMNS.
    if (line.starts_with("  -")) {
      EXPECT_LE(line.size(), 60u) << line;
    }
  }
}

}  // namespace
}  // namespace rio::test
