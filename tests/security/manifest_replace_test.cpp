// Security regression (issue 26, point 13b): a status manifest is replaced, never written in
// place. A reader holding the old file (a `rio status` mid-read, a backup, a hard link planted to
// watch it) must keep seeing the old bytes, and a crash must never leave a torn file. Writing in
// place would pass most tests by chance; a hard link to the old inode catches it every time.
#include <rio/kernel/engine/status_manifest.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

namespace rio::test {
namespace {

namespace engine = kernel::engine;
namespace fs = std::filesystem;

engine::host_manifest manifest_with(const std::string& state) {
  engine::host_manifest m;
  m.host = "gpu1";
  m.address = "root@gpu1:22";
  engine::module_record rec;
  rec.state = state;
  rec.reason = "written as " + state;
  m.modules["ollama"] = rec;
  return m;
}

ino_t inode_of(const fs::path& file) {
  struct stat st {};
  return ::stat(file.c_str(), &st) == 0 ? st.st_ino : 0;
}

TEST(SecurityManifestReplace, ASaveReplacesTheFileAndLeavesTheOldInodeUntouched) {
  temp_dir dir;
  const fs::path file = dir.path() / "gpu1.json";
  ASSERT_TRUE(engine::save_manifest(file, manifest_with("failed")));
  const std::string old_bytes = read_file(file);
  const fs::path witness = dir.path() / "witness.json";
  fs::create_hard_link(file, witness);
  const ino_t old_inode = inode_of(file);

  ASSERT_TRUE(engine::save_manifest(file, manifest_with("installed")));
  EXPECT_EQ(read_file(witness), old_bytes) << "the manifest was rewritten in place";
  EXPECT_NE(inode_of(file), old_inode) << "the manifest was rewritten in place";
  EXPECT_NE(read_file(file).find("\"installed\""), std::string::npos);
  EXPECT_EQ(fs::hard_link_count(witness), 1u);
  // Only the manifest and the witness: no temp file is left beside it.
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++entries;
  EXPECT_EQ(entries, 2u);
}

}  // namespace
}  // namespace rio::test
