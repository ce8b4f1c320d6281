// rio's known_hosts reader (kernel/src/ssh/known_hosts_file.cpp) against libssh2 1.10's quirks,
// without a server: lines are read into a store and looked up as verify_host_key does. Each case
// was found with tests/fuzz/known_hosts_fuzz.cpp (inputs in tests/fuzz/regressions/known_hosts).
#include "../../kernel/src/ssh/known_hosts_file.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace rio::test {
namespace {

namespace ssh_detail = kernel::ssh::detail;

const std::string key_b64 = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

// The raw blob of key_b64, as libssh2_session_hostkey would give it.
std::string key_blob() {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (char c : key_b64) {
    bits = (bits << 6) | static_cast<unsigned>(alphabet.find(c));
    if ((count += 6) >= 8) out += static_cast<char>((bits >> (count -= 8)) & 0xff);
  }
  return out;
}

class KnownHostsFile : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(libssh2_init(0), 0);
    session_ = libssh2_session_init();
    ASSERT_NE(session_, nullptr);
    store_ = libssh2_knownhost_init(session_);
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override {
    if (store_ != nullptr) libssh2_knownhost_free(store_);
    if (session_ != nullptr) libssh2_session_free(session_);
  }
  // LIBSSH2_KNOWNHOST_CHECK_MATCH, _MISMATCH or _NOTFOUND for `host` on port 22 with key_b64.
  int check(const std::string& host) {
    const std::string blob = key_blob();
    return libssh2_knownhost_checkp(store_, host.c_str(), 22, blob.data(), blob.size(),
                                    LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW |
                                        LIBSSH2_KNOWNHOST_KEY_ED25519,
                                    nullptr);
  }
  LIBSSH2_SESSION* session_ = nullptr;
  LIBSSH2_KNOWNHOSTS* store_ = nullptr;
};

TEST_F(KnownHostsFile, ShortHostNamesAreKept) {
  ssh_detail::add_known_hosts_text(store_, "db ssh-ed25519 " + key_b64 + "\nh ssh-ed25519 " + key_b64 + " c\n");
  EXPECT_EQ(check("db"), LIBSSH2_KNOWNHOST_CHECK_MATCH);
  EXPECT_EQ(check("h"), LIBSSH2_KNOWNHOST_CHECK_MATCH);
  EXPECT_EQ(check("d"), LIBSSH2_KNOWNHOST_CHECK_NOTFOUND);
}

TEST_F(KnownHostsFile, WindowsLineEndsDoNotChangeTheKey) {
  ssh_detail::add_known_hosts_text(store_, "crlf.example ssh-ed25519 " + key_b64 + "\r\n");
  EXPECT_EQ(check("crlf.example"), LIBSSH2_KNOWNHOST_CHECK_MATCH);
}

TEST_F(KnownHostsFile, LinesWithNulBytesAreSkipped) {
  EXPECT_EQ(ssh_detail::add_known_hosts_text(store_, std::string{"\0\n", 2}), 0u);
  EXPECT_EQ(ssh_detail::add_known_hosts_text(store_, std::string{"nul.example ssh-ed25519 AAAA\0", 29} + key_b64), 0u);
  libssh2_knownhost* entry = nullptr;
  EXPECT_NE(libssh2_knownhost_get(store_, &entry, nullptr), 0) << "the store stays empty";
}

TEST_F(KnownHostsFile, AChangedKeyShowsTheFingerprintTheFileHolds) {
  EXPECT_EQ(ssh_detail::fingerprint_of_base64(key_b64.c_str()), "SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU");
  // A line cut short after its key type: libssh2 keeps an entry with an empty key, and a server
  // offering that type then meets it as a changed key.
  ssh_detail::add_known_hosts_text(store_, "cut.example ssh-ed25519                 \n");
  libssh2_knownhost* found = nullptr;
  const std::string blob = key_blob();
  ASSERT_EQ(libssh2_knownhost_checkp(store_, "cut.example", 22, blob.data(), blob.size(),
                                     LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW |
                                         LIBSSH2_KNOWNHOST_KEY_ED25519,
                                     &found),
            LIBSSH2_KNOWNHOST_CHECK_MISMATCH);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(ssh_detail::fingerprint_of_base64(found->key), "SHA256:?");
}

}  // namespace
}  // namespace rio::test
