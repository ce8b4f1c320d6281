// Security regression (issue 26, point 13d): a dry run (and `rio plan`) may trust a new host key
// for its own connection, but must record nothing: a plan is something one runs against hosts not
// yet trusted, and a key it recorded would be trusted by every later strict run. Asserted on the
// known_hosts record itself, then by a strict run that must still refuse the host.
#include "../engine/engine_test_support.hpp"

namespace rio::test {
namespace {

std::string key_of(const fs::path& known_hosts_file) {
  const std::string line = read_file(known_hosts_file);
  auto start = line.find(' ');
  auto end = line.find_first_of(" \n", line.find(' ', start + 1) + 1);
  return line.substr(start + 1, end - start - 1);  // "ssh-ed25519 AAAA..."
}

TEST(SecurityDryRunKnownHosts, ADryRunRecordsNoKeyAndAStrictRunStillRefuses) {
  REQUIRE_SSHD();
  engine_world w;
  auto& host = w.add_host();
  const fs::path record = w.root() / "data/ssh/known_hosts";
  const std::string key = key_of(host.known_hosts_file());
  ASSERT_TRUE(key.starts_with("ssh-")) << key;
  const std::string spec = engine_world::spec(host);

  auto plan = w.run(engine_world::with(w.args("plan", {spec}, "ollama"), {"--json"}));
  ASSERT_EQ(plan.code, 0) << "the plan reached the host under accept-new: " << plan.err << plan.out;
  auto dry = w.run(engine_world::with(w.args("install", {spec}, "ollama"), {"--dry-run", "--json"}));
  ASSERT_EQ(dry.code, 0) << dry.err << dry.out;
  EXPECT_EQ(parse_object(dry.out)["status"], "dry_run") << dry.out;
  const std::string recorded = fs::exists(record) ? read_file(record) : std::string{};
  EXPECT_EQ(recorded.find(key), std::string::npos) << "a dry run recorded the host key:\n" << recorded;

  auto strict = w.run(engine_world::with(w.args("plan", {spec}, "ollama"), {"--strict-host-keys", "--json"}));
  EXPECT_EQ(strict.code, 1) << strict.err << strict.out;
  auto doc = parse_object(strict.out);
  EXPECT_EQ(doc["failure"], "unreachable") << strict.out;
  EXPECT_NE(strict.out.find("not in known_hosts"), std::string::npos) << strict.out;
}

}  // namespace
}  // namespace rio::test
