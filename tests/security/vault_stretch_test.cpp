// Security regressions (issue 26, point 7): a passphrase vault runs Argon2id, and the server ran
// it on its only thread for every secrets-backed request: 8 of them delayed /api/health by 6.4 s.
// The stretch now runs on the vault worker, once: the key is kept for the server's lifetime.
#include "security_support.hpp"

#include <rio/vault/stretch_cache.hpp>
#include <rio/vault/vault.hpp>

namespace rio::test::security {
namespace {

const std::string passphrase = "a passphrase for the stretch test";

// A passphrase vault with one provider, sealed with `limits` (cheaper than the default in tests).
void make_passphrase_vault(const fs::path& root, vault::kdf_params limits) {
  vault::vault_options o;
  o.root = root;
  o.env = vault::environment{{{vault::env_secrets_passphrase, passphrase}}};
  o.kdf = limits;
  vault::vault v{std::move(o)};
  ASSERT_TRUE(v.set("remote_installer", {"defaults", "user"}, json::value("ops")));
}

vault::vault open_with(const fs::path& root, std::shared_ptr<vault::stretch_cache> cache, const std::string& phrase = passphrase) {
  vault::vault_options o;
  o.root = root;
  o.env = vault::environment{{{vault::env_secrets_passphrase, phrase}}};
  o.stretches = std::move(cache);
  return vault::vault{std::move(o)};
}

TEST(SecurityVaultStretch, ASharedCacheStretchesOncePerPassphraseAndSalt) {
  temp_dir root;
  make_passphrase_vault(root.path(), vault::kdf_params::minimum());
  auto cache = std::make_shared<vault::stretch_cache>();
  for (int i = 0; i < 3; ++i) {
    auto v = open_with(root.path(), cache);  // a fresh vault object, as each request opens
    auto got = v.get("remote_installer");
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->fields.at("defaults").as_object().at("user"), json::value("ops"));
  }
  EXPECT_EQ(cache->stored(), 1u) << "three opens, one stretch";
  // Another passphrase does not match the kept stretch: it is stretched itself, and refused.
  auto wrong = open_with(root.path(), cache, "not the passphrase").get("remote_installer");
  EXPECT_FALSE(wrong);
  EXPECT_EQ(cache->stored(), 2u);
  auto right = open_with(root.path(), cache).get("remote_installer");
  EXPECT_TRUE(right) << "the right one still opens from the cache";
  EXPECT_EQ(cache->stored(), 2u);
}

// The attack as reported: secrets-backed requests at once, then /api/health. Health is answered
// while the stretch runs, before any of them: the old loop answered it only after.
TEST(SecurityVaultStretch, HealthIsNotQueuedBehindThePassphraseStretch) {
  temp_dir root;
  make_passphrase_vault(root.path(), vault::kdf_params::interactive());  // 64 MiB: a stretch of ~0.1-0.5 s
  api_server api{root.path(), true, std::nullopt, {{vault::env_secrets_passphrase, passphrase}}};
  // Valid up to the host, which is refused (400) after the vault was read: nothing connects.
  const std::string body = R"({"host": "-bad-host", "modules": ["ollama"], "secrets": {"provider": "remote_installer"}})";
  std::vector<raw_client> asking;
  for (int i = 0; i < 8; ++i) {
    asking.emplace_back(api.port());
    ASSERT_TRUE(asking.back().send(request_bytes("POST", "/api/remote/install", body)));
  }
  raw_client health{api.port()};
  const auto t0 = std::chrono::steady_clock::now();
  health.send(request_bytes("GET", "/api/health", ""));
  auto h = health.reply(30s);
  const auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  std::size_t answered_first = 0;
  for (auto& c : asking) answered_first += c.readable() ? 1 : 0;
  EXPECT_EQ(answered_first, 0u) << "health (" << latency.count() << " ms) waited for a secrets request";
  for (auto& c : asking) {
    auto r = c.reply(60s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << r->body;
    EXPECT_EQ(r->json()["field"], json::value("host")) << "the vault was read, then the host refused: " << r->body;
  }
  std::printf("[ measured ] /api/health answered in %lld ms while 8 secrets-backed requests waited for the stretch\n",
              static_cast<long long>(latency.count()));
}

}  // namespace
}  // namespace rio::test::security
