// upload through the system ssh client: files, trees, no-clobber, `~` on the remote side.
#include "openssh_test_support.hpp"

#include <pwd.h>

#include <map>

namespace rio::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// A unique directory under the remote user's home (the fixture logs in as the current user, so
// that is this process's home), removed afterwards.
class remote_home_dir {
 public:
  remote_home_dir() : name_("rio-openssh-upload-" + unique_marker()) {
    const passwd* pw = ::getpwuid(::geteuid());
    path_ = fs::path{pw != nullptr ? pw->pw_dir : "/root"} / name_;
  }
  ~remote_home_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  remote_home_dir(const remote_home_dir&) = delete;
  remote_home_dir& operator=(const remote_home_dir&) = delete;
  /** "~/<name>/<relative>": how a request names it. */
  std::string remote(const std::string& relative) const { return "~/" + name_ + "/" + relative; }
  fs::path local(const std::string& relative) const { return path_ / relative; }

 private:
  std::string name_;
  fs::path path_;
};

// relative path -> contents ("/" for a directory)
std::map<std::string, std::string> snapshot(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    auto rel = fs::relative(e.path(), root).generic_string();
    out[rel] = e.is_directory() ? std::string{"/"} : read_file(e.path());
  }
  return out;
}

TEST(OpenSshUpload, FileArrivesUnderTheRemoteHome) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto shell = make_shell(trusted_config(server));
  temp_dir local;
  std::string payload;
  for (int i = 0; i < 300000; ++i) payload += static_cast<char>(i * 7 % 256);  // binary, 300 kB
  auto file = local.write("payload.bin", payload);
  remote_home_dir remote;

  sdk::upload_request req;
  req.local = file;
  req.remote = remote.remote("nested/dir/payload.bin");  // parents are created
  auto r = run_upload(*shell, req);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_TRUE(r->uploaded);
  EXPECT_FALSE(r->left_existing);
  EXPECT_EQ(r->bytes, payload.size());
  EXPECT_EQ(read_file(remote.local("nested/dir/payload.bin")), payload);
  // Nothing of the temporary name is left next to it.
  EXPECT_EQ(snapshot(remote.local("nested/dir")).size(), 1u);
}

TEST(OpenSshUpload, DirectoryTreeArrivesWhole) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto shell = make_shell(trusted_config(server));
  temp_dir local;
  local.write("tree/top.txt", "top\n");
  local.write("tree/a/b/deep.txt", "deep\n");
  local.write("tree/name with spaces 'q'.txt", "spaces\n");
  local.write("tree/a/big.bin", std::string(2 * 1024 * 1024 + 17, 'z'));
  local.write("tree/empty.txt", "");
  fs::create_directories(local.path() / "tree" / "empty-dir");
  remote_home_dir remote;

  sdk::upload_request req;
  req.local = local.path() / "tree";
  req.remote = remote.remote("tree");
  auto r = run_upload(*shell, req);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_TRUE(r->uploaded);
  EXPECT_EQ(snapshot(remote.local("tree")), snapshot(local.path() / "tree"));

  // A directory never replaces an existing one: it is reported and left alone.
  auto again = run_upload(*shell, req);
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_TRUE(again->left_existing);
  EXPECT_FALSE(again->uploaded);
}

TEST(OpenSshUpload, NoClobberLeavesAnExistingFileUntouched) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto shell = make_shell(trusted_config(server));
  temp_dir local;
  auto file = local.write("new.txt", "new contents\n");
  remote_home_dir remote;
  fs::create_directories(remote.local(""));
  std::ofstream(remote.local("config.txt")) << "operator's own\n";

  sdk::upload_request req;
  req.local = file;
  req.remote = remote.remote("config.txt");
  req.no_clobber = true;
  auto r = run_upload(*shell, req);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_TRUE(r->left_existing);
  EXPECT_FALSE(r->uploaded);
  EXPECT_EQ(read_file(remote.local("config.txt")), "operator's own\n");

  req.no_clobber = false;
  r = run_upload(*shell, req);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_TRUE(r->uploaded);
  EXPECT_EQ(read_file(remote.local("config.txt")), "new contents\n");
}

TEST(OpenSshUpload, FailuresAreUploadFailedWithTheRemoteReason) {
  RIO_REQUIRE_SSHD();
  sshd_server server;
  auto shell = make_shell(trusted_config(server));
  temp_dir local;
  auto file = local.write("f.txt", "x");
  remote_home_dir remote;
  fs::create_directories(remote.local(""));
  std::ofstream(remote.local("plain-file")) << "not a directory\n";

  sdk::upload_request req;
  req.local = file;
  req.remote = remote.remote("plain-file/below/f.txt");  // mkdir -p cannot pass through a file
  auto r = run_upload(*shell, req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, kernel::ssh::errc::upload_failed) << r.error().message;
  EXPECT_NE(r.error().message.find("Not a directory"), std::string::npos) << r.error().message;

  req.local = local.path() / "missing";
  req.remote = remote.remote("x");
  auto missing = run_upload(*shell, req);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, kernel::ssh::errc::upload_failed);
}

}  // namespace
}  // namespace rio::test
