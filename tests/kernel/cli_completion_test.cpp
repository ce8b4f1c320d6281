// The bash completion script and the man page, written from the option tables, work with the real
// tools: bash parses and runs the script, groff renders the page without a warning.
#include <rio/kernel/cli.hpp>

#include "cli_runner.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <sys/wait.h>

namespace rio::test {
namespace {

struct shell_run {
  int code = -1;
  std::string output;  ///< stdout and stderr together
};

shell_run shell(const std::string& command) {
  shell_run r;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buffer{};
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), p)) r.output.append(buffer.data(), n);
  const int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

bool have(const std::string& tool) { return shell("command -v " + tool + " >/dev/null").code == 0; }

// What `rio <words...><TAB>` offers, with `words` the command line so far (the last one being
// completed).
std::string complete(const std::string& script, const std::string& words, int cword) {
  return shell("bash -c 'source " + script + "; COMP_WORDS=(" + words + "); COMP_CWORD=" + std::to_string(cword) +
               "; _rio; echo \"${COMPREPLY[*]}\"'")
      .output;
}

TEST(CliCompletion, BashScriptParsesAndCompletes) {
  if (!have("bash")) GTEST_SKIP() << "bash is not installed";
  auto r = run_cli({"completion", "bash"});
  ASSERT_EQ(r.code, 0) << r.err;
  temp_dir dir;
  const auto file = dir.write("rio.bash", r.out).string();
  auto syntax = shell("bash -n " + file);
  EXPECT_EQ(syntax.code, 0) << syntax.output;

  EXPECT_EQ(complete(file, "rio pl", 1), "plan\n");
  EXPECT_EQ(complete(file, "rio plan --pa", 2), "--parallel\n");
  EXPECT_EQ(complete(file, "rio --root /tmp vau", 3), "vault\n");
  EXPECT_EQ(complete(file, "rio vault get --sh", 3), "--show-values\n");
  EXPECT_EQ(complete(file, "rio install h -m comfyui,oll", 4), "comfyui,ollama\n");
  EXPECT_EQ(complete(file, "rio modules sill", 2), "sillytavern\n");
  auto files = complete(file, "rio plan -i " + dir.path().string() + "/rio.b", 3);
  EXPECT_NE(files.find("rio.bash"), std::string::npos) << files;
}

TEST(CliCompletion, TheBuildWritesBothFilesFromTheBuiltRio) {
  const std::filesystem::path dir = std::filesystem::path{RIO_TEST_BINARY_DIR} / "kernel/cli";
  const auto script = dir / "completions/rio", page = dir / "man/rio.1";
  if (!std::filesystem::exists(script) || !std::filesystem::exists(page)) {
    GTEST_SKIP() << "target rio_cli_docs (part of `all`) has not been built in " << dir.string();
  }
  EXPECT_EQ(read_file(page), run_cli({"help", "--man"}).out);
  if (have("bash")) {
    auto syntax = shell("bash -n " + script.string());
    EXPECT_EQ(syntax.code, 0) << syntax.output;
    EXPECT_EQ(complete(script.string(), "rio pl", 1), "plan\n");
  }
}

TEST(CliCompletion, CompletionNeedsAShellName) {
  auto r = run_cli({"completion"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("Try 'rio help completion'."), std::string::npos) << r.err;
}

TEST(CliCompletion, ManPageNamesEveryCommandAndRendersWithoutWarnings) {
  auto r = run_cli({"help", "--man"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind(".TH RIO 1", 0), 0u);
  for (const char* part : {"rio plan", "rio vault set", "\\-\\-parallel", "\\-\\-plugin\\-dir", "\\-\\-show\\-values"}) {
    EXPECT_NE(r.out.find(part), std::string::npos) << part;
  }
  if (!have("groff")) GTEST_SKIP() << "groff is not installed, so the page's rendering is not checked";
  temp_dir dir;
  const auto file = dir.write("rio.1", r.out).string();
  auto rendered = shell("groff -man -Tutf8 -ww -z " + file);
  EXPECT_EQ(rendered.code, 0);
  EXPECT_EQ(rendered.output, "") << "groff warnings:\n" << rendered.output;
}

}  // namespace
}  // namespace rio::test
