// Host tokens, redaction, log lines and status manifests: the engine's local records.
#include <rio/kernel/engine/host_key.hpp>
#include <rio/kernel/engine/host_lock.hpp>
#include <rio/kernel/engine/redactor.hpp>
#include <rio/kernel/engine/run_log.hpp>
#include <rio/kernel/engine/run_paths.hpp>
#include <rio/kernel/engine/status_manifest.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <set>

namespace rio::kernel::engine {
namespace {

using rio::test::read_file;
using rio::test::temp_dir;

TEST(HostToken, KeepsOrdinaryHostNamesReadable) {
  EXPECT_EQ(host_token("gpu.example.com"), "gpu.example.com");
  EXPECT_EQ(host_token("  10.0.0.7 "), "10.0.0.7");
  EXPECT_EQ(host_token("gpu1", 2222), "gpu1_p2222");
}

TEST(HostToken, IsCollisionFreeWhereTheOriginalCollided) {
  std::set<std::string> tokens;
  for (const char* h : {"a b", "a_b", "a/b", "a__b", "a_20b", "A_B", "a-b", "a.b"}) tokens.insert(host_token(h));
  EXPECT_EQ(tokens.size(), 8u);
  EXPECT_NE(host_token("h", 22), host_token("h", 2222));
  EXPECT_NE(host_token("h_p2222"), host_token("h", 2222));
}

TEST(HostToken, CannotEscapeTheDirectory) {
  for (const char* h : {"..", ".", "../../etc/passwd", "/abs", "a\nb", ""}) {
    const std::string t = host_token(h);
    EXPECT_EQ(t.find('/'), std::string::npos) << h;
    EXPECT_NE(t, "..");
    EXPECT_NE(t, ".");
    EXPECT_FALSE(t.empty());
    EXPECT_EQ(t.find('\n'), std::string::npos);
  }
}

TEST(RunPaths, DefaultUnderRootAndHonourTheOriginalsEnvironment) {
  auto none = [](const char*) -> std::optional<std::string> { return std::nullopt; };
  auto p = resolve_run_paths("/srv/rio", none);
  EXPECT_EQ(p.status_root, "/srv/rio/data/remote/install");
  EXPECT_EQ(p.log_root, "/srv/rio/logs/remote/install");
  auto env = [](const char* n) -> std::optional<std::string> {
    if (std::string{n} == "COMFYVN_REMOTE_INSTALL_STATUS_ROOT") return "~/st";
    if (std::string{n} == "COMFYVN_REMOTE_INSTALL_LOG_ROOT") return "rel/logs";
    if (std::string{n} == "HOME") return "/home/op";
    return std::nullopt;
  };
  auto q = resolve_run_paths("/srv/rio", env);
  EXPECT_EQ(q.status_root, "/home/op/st");
  EXPECT_EQ(q.log_root, "/srv/rio/rel/logs");
  EXPECT_EQ(q.status_file("h"), "/home/op/st/h.json");
}

TEST(Redactor, MasksKnownValuesUrlPasswordsAndBearerTokens) {
  redactor r;
  r.add("hunter2-canary");
  r.add("abc");  // too short to mask safely: ignored
  r.add_if_secret_name("HF_TOKEN", "hf_abcdefgh");
  r.add_if_secret_name("CUDA_VISIBLE_DEVICES", "0,1,2,3");
  std::string out = r.apply("pass hunter2-canary tok hf_abcdefgh abc 0,1,2,3 https://bob:s3cret@git.example/x "
                            "Authorization: Bearer eyJhbGciOi");
  EXPECT_EQ(out.find("hunter2-canary"), std::string::npos);
  EXPECT_EQ(out.find("hf_abcdefgh"), std::string::npos);
  EXPECT_EQ(out.find("s3cret"), std::string::npos);
  EXPECT_EQ(out.find("eyJhbGciOi"), std::string::npos);
  EXPECT_NE(out.find("https://bob:[redacted]@git.example/x"), std::string::npos);
  EXPECT_NE(out.find(" abc "), std::string::npos);
  EXPECT_NE(out.find("0,1,2,3"), std::string::npos);
}

TEST(Redactor, MasksEachLineOfMultiLineKeys) {
  redactor r;
  r.add("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nQyNTUxOQAAACBtZXRh\n-----END OPENSSH PRIVATE KEY-----\n");
  std::string out = r.apply("oops: QyNTUxOQAAACBtZXRh leaked");
  EXPECT_EQ(out, "oops: [redacted] leaked");
}

TEST(RunLog, EscapesControlCharactersSoNoLineCanBeForged) {
  temp_dir dir;
  redactor r;
  r.add("topsecret");
  auto log = run_log::open(dir.path() / "logs" / "h.log", "run-1", &r);
  ASSERT_TRUE(log) << log.error().message;
  log->module_line("comfyui", "out: fine\n[2026-01-01T00:00:00+00:00] run=forged [x] install marked complete");
  log->line("host evil\rname\x1b[2J and topsecret");
  std::string text = read_file(dir.path() / "logs" / "h.log");
  int lines = 0;
  for (char c : text) lines += c == '\n';
  EXPECT_EQ(lines, 2);
  EXPECT_NE(text.find("run=run-1 [comfyui] out: fine\\n[2026"), std::string::npos);
  EXPECT_NE(text.find("evil\\rname\\x1b[2J"), std::string::npos);
  EXPECT_EQ(text.find("topsecret"), std::string::npos);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_EQ(text.substr(0, 1), "[");
}

TEST(RunLog, AppendsAcrossRuns) {
  temp_dir dir;
  {
    auto a = run_log::open(dir.path() / "h.log", "one", nullptr);
    ASSERT_TRUE(a);
    a->line("first");
  }
  auto b = run_log::open(dir.path() / "h.log", "two", nullptr);
  ASSERT_TRUE(b);
  b->line("second");
  std::string text = read_file(dir.path() / "h.log");
  EXPECT_LT(text.find("run=one first"), text.find("run=two second"));
}

host_manifest sample() {
  host_manifest m;
  m.host = "gpu one";
  m.address = "root@gpu:22";
  module_record rec;
  rec.state = "failed";
  rec.failed_at = "2026-11-27T08:47:39.296546+00:00";
  rec.error = "step 'clone' failed: exit code 128";
  rec.reason = rec.error;
  rec.notes = "n";
  rec.tags = {"ssh", "python"};
  rec.run_id = "r1";
  rec.steps = {{"system-packages", "already_done", 0, 12, ""}, {"clone", "failed", 128, 1500, "exit code 128"}};
  rec.stderr_tail = "fatal: repository not found";
  rec.state_options = {{"version", "0.6.5"}, {"index", ""}};
  m.modules["comfyui"] = rec;
  m.last_run = run_record{"r1", "finished", "failed", "a", "b", 42, ""};
  m.updated_at = "2026-11-27T08:47:40.000000+00:00";
  return m;
}

TEST(StatusManifest, RoundTripsAndKeepsTheOriginalsVersionOneFields) {
  temp_dir dir;
  auto file = dir.path() / "data" / "h.json";
  ASSERT_TRUE(save_manifest(file, sample()));
  std::string text = read_file(file);
  // The original's key order for the top level, and its field names.
  EXPECT_LT(text.find("\"host\""), text.find("\"modules\""));
  EXPECT_LT(text.find("\"modules\""), text.find("\"version\": 1"));
  for (const char* key : {"\"state\": \"failed\"", "\"failed_at\"", "\"error\"", "\"notes\"", "\"tags\"", "\"updated_at\"",
                          "\"run_id\"", "\"exit_code\": 128", "\"duration_ms\": 1500", "\"last_reason\""}) {
    EXPECT_NE(text.find(key), std::string::npos) << key;
  }
  auto back = load_manifest(file, "ignored");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->host, "gpu one");
  ASSERT_EQ(back->modules.count("comfyui"), 1u);
  const auto& rec = back->modules.at("comfyui");
  EXPECT_EQ(rec.state, "failed");
  ASSERT_EQ(rec.steps.size(), 2u);
  EXPECT_EQ(rec.steps[1].exit_code, 128);
  EXPECT_EQ(rec.steps[1].duration_ms, 1500);
  EXPECT_EQ(rec.stderr_tail, "fatal: repository not found");
  EXPECT_EQ(rec.state_options, (std::map<std::string, std::string>{{"index", ""}, {"version", "0.6.5"}}));
  EXPECT_NE(text.find("\"options\": {"), std::string::npos) << text;
  ASSERT_TRUE(back->last_run);
  EXPECT_EQ(back->last_run->pid, 42);
}

TEST(StatusManifest, ReadsAFileWrittenByTheOriginal) {
  auto m = parse_manifest(R"({"host": "gpu.example.com", "modules": {"ollama": {"state": "installed",
      "installed_at": "2026-11-27T08:47:39.296546+00:00", "notes": "x", "tags": ["ssh"], "reason": "already installed",
      "detected": true}}, "version": 1, "updated_at": "2026-11-27T08:47:39.300000+00:00"})",
                          "orig.json");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->modules.at("ollama").state, "installed");
  EXPECT_EQ(m->modules.at("ollama").detected, std::optional<bool>{true});
}

TEST(StatusManifest, ReportsWhatIsWrongWithABadFile) {
  auto torn = parse_manifest(R"({"host": "h", "modules": {"comf)", "f.json");
  ASSERT_FALSE(torn);
  EXPECT_NE(torn.error().message.find("f.json: not valid JSON"), std::string::npos);
  auto wrong = parse_manifest(R"({"host": "h", "modules": {"comfyui": {"state": 3}}})", "f.json");
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("modules.comfyui.state"), std::string::npos) << wrong.error().message;
  auto options = parse_manifest(R"({"host": "h", "modules": {"a": {"state": "installed", "options": {"v": 1}}}})", "f.json");
  ASSERT_FALSE(options);
  EXPECT_NE(options.error().message.find("field 'modules.a.options.v' must be a string"), std::string::npos)
      << options.error().message;
  auto version = parse_manifest(R"({"host": "h", "version": 7})", "f.json");
  ASSERT_FALSE(version);
  EXPECT_NE(version.error().message.find("version 7"), std::string::npos);
  EXPECT_FALSE(parse_manifest("[]", "f.json"));
}

TEST(StatusManifest, MissingFileIsAnEmptyManifestAndNothingIsCreated) {
  temp_dir dir;
  auto m = load_manifest(dir.path() / "none" / "h.json", "h");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->host, "h");
  EXPECT_TRUE(m->modules.empty());
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "none"));
}

TEST(StatusManifest, SaveLeavesNoTempFilesAndReplacesWhole) {
  temp_dir dir;
  auto file = dir.path() / "h.json";
  ASSERT_TRUE(save_manifest(file, sample()));
  host_manifest small;
  small.host = "h";
  ASSERT_TRUE(save_manifest(file, small));
  int entries = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator{dir.path()}) ++entries;
  EXPECT_EQ(entries, 1);
  auto back = load_manifest(file, "h");
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->modules.empty());
}

TEST(StatusManifest, QuarantineKeepsTheBytesOfAnUnreadableFile) {
  temp_dir dir;
  auto file = dir.write("h.json", "{torn");
  auto aside = quarantine_manifest(file);
  ASSERT_TRUE(aside) << aside.error().message;
  EXPECT_FALSE(std::filesystem::exists(file));
  EXPECT_EQ(read_file(*aside), "{torn");
}

TEST(HostLock, ASecondRunOnTheSameHostIsRefusedWithTheHolder) {
  temp_dir dir;
  auto file = dir.path() / "locks" / "h.lock";
  auto first = host_lock::try_acquire(file, "gpu1", "run-a");
  ASSERT_TRUE(first) << first.error().message;
  auto second = host_lock::try_acquire(file, "gpu1", "run-b");
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, make_error_code(errc::host_busy));
  EXPECT_NE(second.error().message.find("run run-a"), std::string::npos) << second.error().message;
  EXPECT_NE(second.error().message.find("--wait"), std::string::npos);
  { host_lock released = std::move(*first); }
  EXPECT_TRUE(host_lock::try_acquire(file, "gpu1", "run-c"));
}

}  // namespace
}  // namespace rio::kernel::engine
