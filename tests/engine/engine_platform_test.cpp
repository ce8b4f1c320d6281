// Target platforms end to end: every script rio sends (the detect command with its preflight,
// the steps, the uploads, the command wrapper) run by hosts whose login shell is dash, busybox sh
// or bash in POSIX mode, with the same results; and a host with too little disk is refused in
// the plan before anything runs.
#include "engine_test_support.hpp"

#include <boost/json/serialize.hpp>

#include <sys/mount.h>

#include <cstdio>

namespace rio::test {
namespace {

namespace json = boost::json;

const std::vector<std::string> login_shells{"dash", "busybox", "bash-posix"};

/** Runs `command` on the host with the OpenSSH client, as an operator would look around. */
std::string ssh_output(kernel::sandbox::throwaway_host& h, const std::string& command) {
  const auto t = h.target();
  const std::string line = "ssh -q -o BatchMode=yes -o UserKnownHostsFile='" + h.known_hosts_file().string() +
                           "' -o StrictHostKeyChecking=yes -i '" + h.user_key().string() + "' -p " + std::to_string(t.port) +
                           " " + t.user + "@" + t.host + " '" + command + "' 2>&1";
  return command_output(line);
}

// What must not depend on the shell: per module, the plan's action, the outcome and every
// step's outcome; and the facts the preflight read.
std::string shell_independent(const json::object& host) {
  std::string out;
  for (const auto& p : host.at("plan").as_array()) {
    out += std::string{p.at("module").as_string()} + ":" + std::string{p.at("action").as_string()} + " ";
  }
  if (const auto* modules = host.if_contains("modules")) {
    for (const auto& [id, m] : modules->as_object()) {
      out += std::string{id} + "=" + std::string{m.at("state").as_string()} + "(";
      for (const auto& s : m.at("steps").as_array()) {
        out += std::string{s.at("id").as_string()} + ":" + std::string{s.at("outcome").as_string()} + " ";
      }
      out += ") ";
    }
  }
  const auto& f = host.at("facts").as_object();
  for (const char* k : {"system", "os_id", "arch", "sudo", "package_manager"}) out += std::string{k} + "=" + std::string{f.at(k).as_string()} + " ";
  out += "tools=" + json::serialize(f.at("tools"));
  return out;
}

TEST(EnginePlatform, EveryScriptBehavesTheSameUnderDashBusyboxShAndBashPosix) {
  REQUIRE_SSHD();
  engine_world w;
  for (const auto& shell : login_shells) w.add_host("127.0.0.1", shell);

  // Each host really starts sessions with its shell (sshd runs `shell -c command`).
  // (`; :` keeps the shell from exec-ing readlink in its own place, as busybox does for a last command.)
  EXPECT_EQ(ssh_output(w.host(0), "readlink /proc/$$/exe; :"), "/usr/bin/dash");
  EXPECT_EQ(ssh_output(w.host(1), "readlink /proc/$$/exe; :"), "/usr/bin/busybox");
  EXPECT_EQ(ssh_output(w.host(2), "readlink /proc/$$/exe; case :$SHELLOPTS: in *:posix:*) echo posix;; esac"),
            "/usr/bin/bash\nposix");

  // Each host has its own login key: the inventory names them.
  const std::vector<std::string> fleet{"-i", w.inventory({0, 1, 2}).string()};
  auto first = w.run(engine_world::with(w.args("install", fleet), {"--json"}));
  ASSERT_EQ(first.code, 0) << first.err << first.out;
  auto r1 = parse_object(first.out);
  const auto& hosts = r1["hosts"].as_array();
  ASSERT_EQ(hosts.size(), 3u) << first.out;
  const std::string reference = shell_independent(hosts[0].as_object());
  EXPECT_NE(reference.find("comfyui=installed"), std::string::npos) << reference;
  EXPECT_NE(reference.find("ollama=installed"), std::string::npos) << reference;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    EXPECT_EQ(hosts[i].as_object().at("status"), "installed") << login_shells[i] << ": " << json::serialize(hosts[i]);
    EXPECT_EQ(shell_independent(hosts[i].as_object()), reference) << login_shells[i];
    // The upload (config sync) went through the shell's wrapper too.
    EXPECT_EQ(read_file(w.host(i).home() / ".config/comfyvn/remote/comfyui.json"), "{\"from\": \"rio root\"}\n")
        << login_shells[i];
  }

  auto second = w.run(engine_world::with(w.args("install", fleet), {"--json"}));
  ASSERT_EQ(second.code, 0) << second.err << second.out;
  auto r2 = parse_object(second.out);
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& h = r2["hosts"].as_array()[i].as_object();
    EXPECT_EQ(h.at("status"), "noop") << login_shells[i] << ": " << json::serialize(h);
    EXPECT_EQ(h.at("remote_commands"), 1) << login_shells[i];
  }
}

// A tmpfs mounted over a host's home; unmounted (lazily, sessions may still be leaving) at the end.
class small_home {
 public:
  small_home(const fs::path& home, const std::string& size) : home_(home) {
    ok_ = ::mount("tmpfs", home.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, ("size=" + size + ",mode=0755").c_str()) == 0;
  }
  ~small_home() {
    if (ok_) ::umount2(home_.c_str(), MNT_DETACH);
  }
  bool ok() const { return ok_; }

 private:
  fs::path home_;
  bool ok_ = false;
};

TEST(EnginePlatform, APlanOnAHostWithTooLittleDiskSaysSoBeforeAnythingRuns) {
  REQUIRE_SSHD();
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs home needs root (CI runs as root)";
  engine_world w;
  auto& h = w.add_host();
  small_home tmpfs{h.home(), "16m"};
  ASSERT_TRUE(tmpfs.ok()) << "mount tmpfs on " << h.home() << ": " << std::strerror(errno);
  const std::string spec = engine_world::spec(h);

  // The plan: ComfyUI needs 6 GiB where it installs; the home has 16 MiB.
  auto plan = w.run(engine_world::with(w.args("plan", {spec}, "comfyui"), {"--json"}));
  ASSERT_EQ(plan.code, 0) << plan.err << plan.out;
  auto p = parse_object(plan.out);
  const auto& entry = p["plan"].as_array().at(0).as_object();
  EXPECT_EQ(entry.at("action"), "blocked") << plan.out;
  const auto& issue = entry.at("preflight").as_array().at(0).as_object();
  EXPECT_EQ(issue.at("check"), "disk");
  const std::string message{issue.at("message").as_string()};
  EXPECT_NE(message.find("needs 6.0 GiB"), std::string::npos) << message;
  EXPECT_NE(message.find("has 0.0 GiB"), std::string::npos) << message;
  EXPECT_EQ(entry.at("disk").as_object().at("need_mib"), 6144);
  EXPECT_LE(entry.at("disk").as_object().at("free_mib").as_int64(), 16);

  auto human = w.run(w.args("plan", {spec}, "comfyui"));
  EXPECT_NE(human.out.find("BLOCKED"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("- disk: ComfyUI needs 6.0 GiB"), std::string::npos) << human.out;

  // An apply refuses the module with that reason; only the detect command ran.
  auto refused = w.run(engine_world::with(w.args("install", {spec}, "comfyui"), {"--json"}));
  EXPECT_EQ(refused.code, 1) << refused.err << refused.out;
  auto r = parse_object(refused.out);
  EXPECT_EQ(r["status"], "failed");
  EXPECT_EQ(r["remote_commands"], 1) << refused.out;
  const std::string error{r["modules"].as_object()["comfyui"].as_object()["error"].as_string()};
  EXPECT_NE(error.find("needs 6.0 GiB"), std::string::npos) << error;
  EXPECT_FALSE(fs::exists(h.home() / "ComfyUI"));
  EXPECT_EQ(read_file(w.fixtures().calls_log).find("apt-get"), std::string::npos) << "no package step ran";

  // The operator lowers the need: the same host installs.
  auto lowered = w.run(engine_world::with(w.args("install", {spec}, "comfyui"), {"--json", "--min-disk", "comfyui=0.005"}));
  EXPECT_EQ(lowered.code, 0) << lowered.err << lowered.out;
  EXPECT_TRUE(fs::exists(h.home() / ".config/comfyvn/remote/comfyui.installed"));
}

TEST(EnginePlatform, PreflightFactsAreInThePlanFromTheSameSingleCommand) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  auto plan = w.run(engine_world::with(w.args("plan", {engine_world::spec(h)}), {"--json"}));
  ASSERT_EQ(plan.code, 0) << plan.err;
  auto p = parse_object(plan.out);
  EXPECT_EQ(p["remote_commands"], 1);
  const auto& f = p["facts"].as_object();
  EXPECT_EQ(f.at("system"), "linux");
  EXPECT_FALSE(f.at("arch").as_string().empty());
  EXPECT_EQ(f.at("package_manager"), "apt-get") << "Debian's apt-get (here the fixture stub first on PATH)";
  for (const char* tool : {"git", "curl", "python3", "node", "npm", "systemctl"}) EXPECT_TRUE(f.at("tools").as_object().contains(tool)) << tool;
  EXPECT_TRUE(f.at("gpus").is_array());
  // The human plan shows the same facts.
  auto human = w.run(w.args("plan", {engine_world::spec(h)}));
  EXPECT_NE(human.out.find("  host: "), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("packages: apt-get"), std::string::npos) << human.out;
}

}  // namespace
}  // namespace rio::test
