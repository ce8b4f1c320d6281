#pragma once
// Shared helpers for the vault tests: a vault in a temp root with an injected environment, a
// listener that records events, byte snapshots of files, and child processes for crash and
// concurrency tests (fork + _exit, so a "crash" skips every destructor like a real kill).

#include <rio/vault/vault.hpp>

#include "temp_dir.hpp"

#include <boost/json/object.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace rio::test {

/** A fixed 32-byte key as hex, and another one. */
inline constexpr const char* test_key_hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
inline constexpr const char* other_key_hex = "f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e0f";

// Produced by Python 3.11 `cryptography` 38: Fernet(key).encrypt(json.dumps(payload).encode()),
// exactly what the original's SecretStore wrote into "ciphertext".
inline constexpr const char* python_key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
inline constexpr const char* python_token =
    "gAAAAABrCWK36LLUvTBrCXJ15wJbMH-QzIBAIWreag2grjveIrGmB7usyV9aTOq43g-uDdurES51wAcW28WFk8JnXlgfnN3AN_WajRfLzoCFMky"
    "ldkfIG2OxCM8yNeia3m4MA4zQ_TgTc9CkAnLdjbBbXjJv3ROjRQ8T5KpTQJ3Cx5WtLrj4Pue1CbDsnM8Is9tOaUfwYKs-Z2K5xLKe0NoUq0HYjFVW"
    "afPckh67Kdguzfp_9VW-cngCTUtYNsAQMqHrLQ7nKGzHztpxKdpepvJys2Q3ePgp5UO9n4MiRs1mYBl-y4PuYUIb14D1jMmDBAchRr-VACNh";
inline constexpr const char* python_plaintext =
    R"({"remote_installer": {"defaults": {"port": 22}, "hosts": {"gpu.lab.local": {"user": "ubuntu", "identity": "~/.ssh/gpu_lab"}}, "token": "py-legacy-s3cret"}, "openai": {"api_key": "sk-legacy"}})";

struct recorded_event {
  std::string name;
  boost::json::object metadata;
};

class recording_listener final : public vault::event_listener {
 public:
  void on_event(std::string_view name, const boost::json::object& metadata) override {
    events.push_back({std::string{name}, metadata});
  }
  std::vector<recorded_event> events;
};

/** Options for a vault under `root` with exactly `env` and the cheapest Argon2id limits. */
vault::vault_options options_for(const std::filesystem::path& root, const std::map<std::string, std::string>& env = {},
                                 vault::event_listener* listener = nullptr);

/** Every regular file under `dir` with its bytes. */
std::map<std::string, std::string> snapshot(const std::filesystem::path& dir);

/** The audit log's lines, each parsed. */
std::vector<boost::json::object> audit_lines(const std::filesystem::path& root);

/** Runs `body` in a forked child and returns its exit code (128+signal if killed). */
int run_in_child(const std::function<int()>& body);

/** A fault hook that records step names. */
vault::fault_hook recording_hook(std::vector<std::string>& steps);

/** A fault hook that _exit(crash_exit_code)s at step index `n` (0-based). */
inline constexpr int crash_exit_code = 86;
vault::fault_hook crash_at(std::size_t n);

/** Mode bits of a file. */
unsigned mode_of(const std::filesystem::path& file);

}  // namespace rio::test
