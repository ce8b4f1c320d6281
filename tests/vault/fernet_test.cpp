// Checked against the Fernet specification's published vectors (github.com/fernet/spec:
// generate.json, verify.json, invalid.json) and against a token made by Python's `cryptography`
// package, which the original used.
#include <rio/vault/fernet.hpp>

#include "vault_test_support.hpp"

#include <gtest/gtest.h>

namespace rio::test {
namespace {

using vault::errc;

constexpr const char* spec_secret = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
constexpr const char* spec_token =
    "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==";
// 1985-10-26T01:20:00-07:00, the vectors' "now".
constexpr std::int64_t spec_epoch = 499162800;

vault::master_key spec_key() { return *vault::master_key::parse(spec_secret, "spec"); }

TEST(Fernet, GenerateVectorMatches) {
  std::string iv;
  for (char i = 0; i < 16; ++i) iv += i;
  auto token = vault::fernet_encrypt("hello", spec_key(), spec_epoch, iv);
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_EQ(*token, spec_token);
}

TEST(Fernet, VerifyVectorDecrypts) {
  auto plain = vault::fernet_decrypt(spec_token, spec_key(), vault::fernet_time_check{spec_epoch + 1, 60});
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ(plain->reveal(), "hello");
}

TEST(Fernet, InvalidVectorsAreRejected) {
  struct invalid {
    const char* desc;
    const char* token;
    std::int64_t now;
  };
  const std::int64_t now = spec_epoch + 1;
  const invalid cases[] = {
      {"incorrect mac",
       "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykQUFBQUFBQUFBQQ==", now},
      {"too short", "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPA==", now},
      {"invalid base64",
       "%%%%%%%%%%%%%AECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykRtfsH-p1YsUD2Q==", now},
      {"payload size not multiple of block size",
       "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPOm73QeoCk9uGib28Xe5vz6oxq5nmxbx_v7mrfyudzUm", now},
      {"payload padding error",
       "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0ODz4LEpdELGQAad7aNEHbf-JkLPIpuiYRLQ3RtXatOYREu2FWke6CnJNYIbkuKNqOhw==", now},
      {"far-future TS (unacceptable clock skew)",
       "gAAAAAAdwStRAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAnja1xKYyhd-Y6mSkTOyTGJmw2Xc2a6kBd-iX9b_qXQcw==", now},
      {"expired TTL",
       "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykRtfsH-p1YsUD2Q==",
       spec_epoch + 91},
      {"incorrect IV (causes padding error)",
       "gAAAAAAdwJ6xBQECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAkLhFLHpGtDBRLRTZeUfWgHSv49TF2AUEZ1TIvcZjK1zQ==", now},
      {"trailing characters after b64 padding",
       "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==trailingdata",
       now},
      {"invalid characters in b64",
       "*gAAAAAAdwJ6wAAECAwQFBgcI!CQoLDA0ODy021?cpGVWKZ_eEwC@GM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==", now},
      {"invalid non-urlsafe characters in b64",
       "gAAAAAAdwJ6wAAEC/AwQFBgcICQoLDA0ODy+021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==", now},
  };
  for (const auto& c : cases) {
    auto plain = vault::fernet_decrypt(c.token, spec_key(), vault::fernet_time_check{c.now, 60});
    EXPECT_FALSE(plain) << c.desc;
  }
}

TEST(Fernet, WrongKeyFailsOnTheMac) {
  auto plain = vault::fernet_decrypt(spec_token, *vault::master_key::parse(test_key_hex, "k"));
  ASSERT_FALSE(plain);
  EXPECT_EQ(plain.error().code, vault::make_error_code(errc::decrypt_failed));
}

TEST(Fernet, DecryptsATokenWrittenByPythonCryptography) {
  auto plain = vault::fernet_decrypt(python_token, *vault::master_key::parse(python_key, "python"));
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ(plain->reveal(), python_plaintext);
}

TEST(Fernet, RoundTripsArbitraryLengths) {
  auto key = *vault::master_key::generate();
  for (std::size_t n : {0u, 1u, 15u, 16u, 17u, 1000u}) {
    std::string text(n, 'q');
    auto token = vault::fernet_encrypt(text, key, 1700000000, std::string(16, '\x07'));
    ASSERT_TRUE(token);
    auto plain = vault::fernet_decrypt(*token, key);
    ASSERT_TRUE(plain) << n;
    EXPECT_EQ(plain->reveal(), text);
  }
}

}  // namespace
}  // namespace rio::test
