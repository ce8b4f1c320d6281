#include <rio/vault/master_key.hpp>

#include <rio/vault/secret.hpp>
#include <rio/vault/secret_input.hpp>

#include "vault_test_support.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

namespace rio::test {
namespace {

using vault::errc;
using vault::master_key;

TEST(VaultMasterKey, ParsesHexAndEveryBase64Form) {
  auto hex = master_key::parse(test_key_hex, "test");
  ASSERT_TRUE(hex) << hex.error().message;
  // The same 32 bytes (0x00..0x1f) in standard, URL-safe, unpadded and whitespace-wrapped forms.
  for (const char* text : {"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
                           "  AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"}) {
    auto k = master_key::parse(text, "test");
    ASSERT_TRUE(k) << text;
    EXPECT_TRUE(k->same_as(*hex)) << text;
  }
  // URL-safe alphabet ('-' and '_'), as Fernet keys are written.
  auto urlsafe = master_key::parse("cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=", "test");
  ASSERT_TRUE(urlsafe);
  EXPECT_EQ(std::string{urlsafe->to_text().reveal()}, "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=");
}

TEST(VaultMasterKey, RejectsWrongLengthsWithoutEchoingTheKey) {
  for (const char* text : {"", "00", "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                           "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd", "not a key at all, definitely not"}) {
    auto k = master_key::parse(text, "COMFYVN_SECRETS_KEY");
    ASSERT_FALSE(k) << text;
    EXPECT_EQ(k.error().code, vault::make_error_code(errc::bad_key));
    EXPECT_NE(k.error().message.find("COMFYVN_SECRETS_KEY"), std::string::npos);
    if (std::string_view{text}.size() > 4) {
      EXPECT_EQ(k.error().message.find(text), std::string::npos);
    }
  }
}

TEST(VaultMasterKey, FingerprintIsStableShortAndRevealsNothing) {
  auto a = master_key::parse(test_key_hex, "a");
  auto b = master_key::parse(other_key_hex, "b");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->fingerprint().size(), 16u);
  EXPECT_EQ(a->fingerprint(), master_key::parse(test_key_hex, "again")->fingerprint());
  EXPECT_NE(a->fingerprint(), b->fingerprint());
  EXPECT_EQ(std::string{test_key_hex}.find(a->fingerprint()), std::string::npos);
  // Domain separation: neither the fingerprint nor the AEAD key is the raw key.
  EXPECT_NE(a->aead_key().reveal(), a->reveal());
}

TEST(VaultMasterKey, GeneratedKeysDifferAndRoundTripThroughText) {
  auto a = master_key::generate();
  auto b = master_key::generate();
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(a->same_as(*b));
  EXPECT_EQ(a->to_text().size(), 44u);
  auto again = master_key::parse(a->to_text().reveal(), "text");
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->same_as(*a));
}

TEST(VaultMasterKey, PassphraseStretchDependsOnSaltAndPassphrase) {
  const std::string salt_a(vault::kdf_salt_size, 'a');
  const std::string salt_b(vault::kdf_salt_size, 'b');
  const auto limits = vault::kdf_params::minimum();
  auto k1 = master_key::from_passphrase("correct horse", salt_a, limits, "P");
  auto k2 = master_key::from_passphrase("correct horse", salt_a, limits, "P");
  auto k3 = master_key::from_passphrase("correct horse", salt_b, limits, "P");
  auto k4 = master_key::from_passphrase("battery staple", salt_a, limits, "P");
  ASSERT_TRUE(k1 && k2 && k3 && k4);
  EXPECT_TRUE(k1->same_as(*k2));
  EXPECT_FALSE(k1->same_as(*k3));
  EXPECT_FALSE(k1->same_as(*k4));
  EXPECT_FALSE(master_key::from_passphrase("", salt_a, limits, "P"));
  EXPECT_FALSE(master_key::from_passphrase("x", "short", limits, "P"));
  auto absurd = master_key::from_passphrase("x", salt_a, {1u << 30, 1ull << 40}, "P");
  ASSERT_FALSE(absurd);
  EXPECT_EQ(absurd.error().code, vault::make_error_code(errc::bad_key));
}

TEST(SecretType, WipesAndTruncates) {
  vault::secret s = vault::secret::zeroed(4);
  EXPECT_EQ(s.size(), 4u);
  s.writable_data()[0] = 'x';
  s.append("yz");
  EXPECT_EQ(s.size(), 6u);
  s.truncate(1);
  EXPECT_EQ(s.reveal(), "x");
  s.wipe();
  EXPECT_TRUE(s.empty());
}

TEST(SecretType, InputFromPipesAndFilesLosesOneTrailingNewline) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const std::string text = "line one\nline two\r\n";
  ASSERT_EQ(::write(fds[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::close(fds[1]);
  auto piped = vault::read_secret(fds[0]);
  ::close(fds[0]);
  ASSERT_TRUE(piped);
  EXPECT_EQ(piped->reveal(), "line one\nline two");
  temp_dir dir;
  auto file = dir.write("value", "v\n\n");
  auto read = vault::read_secret_file(file);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->reveal(), "v\n");
  auto missing = vault::read_secret_file(dir.path() / "nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, vault::make_error_code(errc::io_error));
}

}  // namespace
}  // namespace rio::test
