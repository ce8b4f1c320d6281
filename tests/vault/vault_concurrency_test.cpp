// Two real processes doing read-modify-write on one vault: the flock must serialise them so that
// no update is lost. Each child adds its own keys; the parent then checks that all are there.
#include <rio/vault/vault.hpp>

#include "vault_test_support.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

namespace rio::test {
namespace {

namespace json = boost::json;

constexpr int writes_per_process = 40;

int add_keys(const std::filesystem::path& root, const std::string& prefix) {
  vault::vault v{options_for(root)};
  for (int i = 0; i < writes_per_process; ++i) {
    if (!v.set("shared", {prefix + std::to_string(i)}, json::value(i))) return 1;
    // Interleave reads too: a reader must never see a half-written file.
    auto view = v.get("shared");
    if (!view || !view->fields.contains(prefix + std::to_string(i))) return 2;
  }
  return 0;
}

TEST(VaultConcurrency, TwoProcessesNeverLoseEachOthersUpdates) {
  temp_dir root;
  vault::vault v{options_for(root.path())};
  ASSERT_TRUE(v.init());

  // Both children start from one pipe write, so their loops overlap instead of running in turn.
  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  std::vector<pid_t> children;
  for (const char* prefix : {"a", "b"}) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::close(go[1]);
      char c;
      if (::read(go[0], &c, 1) != 1) std::_Exit(3);
      std::_Exit(add_keys(root.path(), prefix));
    }
    children.push_back(pid);
  }
  ::close(go[0]);
  ASSERT_EQ(::write(go[1], "gg", 2), 2);
  ::close(go[1]);
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }

  auto view = v.get("shared");
  ASSERT_TRUE(view) << view.error().message;
  EXPECT_EQ(view->fields.size(), 2u * writes_per_process);
  for (const char* prefix : {"a", "b"}) {
    for (int i = 0; i < writes_per_process; ++i) {
      EXPECT_TRUE(view->fields.contains(prefix + std::to_string(i))) << prefix << i;
    }
  }
  // Nothing half-written was left behind.
  for (const auto& [name, bytes] : snapshot(root.path() / "config")) EXPECT_EQ(name.find(".tmp"), std::string::npos) << name;
}

}  // namespace
}  // namespace rio::test
