// The SDK header hash ties the ABI version to the exact public headers: editing a public header
// without bumping the ABI (and recording the new hash) fails here.
#include <rio/kernel/abi_identity.hpp>
#include <rio/sdk/abi_version.hpp>
#include <rio/sdk/module.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <sstream>

namespace rio::test {
namespace {

std::string hex_sha256(const std::string& data) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

// Same algorithm as scripts/sdk-header-hash: sha256sum lines ("<hex>  <path>\n") of every public
// header but abi_version.hpp, in byte order of their paths, hashed again.
std::string current_header_hash() {
  const std::filesystem::path include = std::filesystem::path{RIO_TEST_SOURCE_DIR} / "sdk" / "include";
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(include / "rio" / "sdk")) {
    if (entry.path().extension() == ".hpp" && entry.path().filename() != "abi_version.hpp") {
      paths.push_back(std::filesystem::relative(entry.path(), include).string());
    }
  }
  std::sort(paths.begin(), paths.end());
  std::string lines;
  for (const auto& p : paths) lines += hex_sha256(read_file(include / p)) + "  " + p + "\n";
  return hex_sha256(lines);
}

TEST(SdkHeaderHash, MatchesTheRecordedHash) {
  ASSERT_EQ(sodium_init() >= 0, true);
  EXPECT_EQ(current_header_hash(), RIO_SDK_HEADER_HASH)
      << "A public SDK header changed. Bump RIO_SDK_ABI_MINOR (or MAJOR) in abi_version.hpp, set "
         "RIO_SDK_HEADER_HASH to the output of scripts/sdk-header-hash, and append the new version line to "
         "sdk/abi-history.txt.";
}

// rio compares a module's compiled-in hash with its own, which CMake computed from the headers
// rio was compiled against (cmake/RioSdkHeaderHash.cmake): it must be the released one.
TEST(SdkHeaderHash, RioItselfIsCompiledAgainstTheRecordedHeaders) {
  ASSERT_EQ(sodium_init() >= 0, true);
  EXPECT_EQ(std::string{RIO_SDK_COMPILED_HEADER_HASH}, current_header_hash()) << "CMake and the test hash differently";
  EXPECT_EQ(kernel::kernel_abi().sdk_header_hash, RIO_SDK_HEADER_HASH);
}

TEST(SdkHeaderHash, HistoryRecordsThisVersionWithThisHash) {
  std::istringstream history{read_file(std::filesystem::path{RIO_TEST_SOURCE_DIR} / "sdk" / "abi-history.txt")};
  const std::string version = std::to_string(RIO_SDK_ABI_MAJOR) + "." + std::to_string(RIO_SDK_ABI_MINOR);
  std::string line;
  int matches = 0;
  std::vector<std::string> hashes;
  while (std::getline(history, line)) {
    if (line.empty() || line.front() == '#') continue;
    std::istringstream fields{line};
    std::string v, h;
    fields >> v >> h;
    hashes.push_back(h);
    if (v == version) {
      ++matches;
      EXPECT_EQ(h, RIO_SDK_HEADER_HASH) << "sdk/abi-history.txt records another hash for " << version;
    }
  }
  EXPECT_EQ(matches, 1) << "sdk/abi-history.txt needs exactly one line for ABI " << version;
  std::sort(hashes.begin(), hashes.end());
  EXPECT_EQ(std::adjacent_find(hashes.begin(), hashes.end()), hashes.end())
      << "two ABI versions share one header hash: the ABI was bumped without a header change, or a line was copied";
}

}  // namespace
}  // namespace rio::test
