// The preflight: its script runs for real under each POSIX shell the hosts may have, its report
// parser takes hostile text, and its checks turn facts into reasons a module is refused.
#include <rio/kernel/engine/plan.hpp>
#include <rio/kernel/engine/preflight.hpp>
#include <rio/sdk/data_installer.hpp>

#include "../sdk/local_sh.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/utsname.h>

namespace rio::kernel::engine {
namespace {

using rio::test::temp_dir;

sdk::module_spec needy_spec() {
  sdk::module_spec s;
  s.id = "needy";
  s.name = "Needy";
  s.options = {{"dir", sdk::option_type::path, "~/needy", "where", false},
               {"drivers", sdk::option_type::boolean, "false", "allow GPU drivers", false}};
  sdk::step_spec packages{"packages", "Install packages.", "rio_pkg_install 'git' 'git'", "command -v git",
                          std::chrono::seconds{60}};
  packages.needs_root = true;
  packages.needs_package_manager = true;
  packages.provides_tools = {"git"};
  sdk::step_spec clone{"clone", "Clone.", "git clone x {{dir}}", "test -d {{dir}}", std::chrono::seconds{60}};
  clone.needs_tools = {"git", "make"};
  s.install_steps = {packages, clone};
  s.requirements.install_path = "{{dir}}";
  s.requirements.architectures = {"x86_64", "aarch64"};
  s.requirements.systems = {"linux"};
  s.requirements.gpu_driver_option = "drivers";
  return s;
}

struct needy {
  sdk::data_installer installer{needy_spec()};
  module_request request(sdk::option_values overrides = {}) {
    return {&installer, *sdk::resolve_options(installer.spec(), overrides)};
  }
  // Both steps would run (no done_check passed) unless told otherwise.
  module_detection found(bool packages_done = false) {
    module_detection d;
    d.detect.state = sdk::detect_state::absent;
    d.steps = {{"packages", "", false, packages_done, {}, {}, {}}, {"clone", "", false, false, {}, {}, {}}, {"sentinel", "", true, std::nullopt, {}, {}, {}}};
    return d;
  }
};

host_facts debian_root() {
  host_facts f;
  f.known = true;
  f.system = "linux";
  f.os_id = "debian";
  f.os_name = "Debian GNU/Linux 12 (bookworm)";
  f.arch = "x86_64";
  f.sudo = "root";
  f.pkg_manager = "apt-get";
  f.tools = {{"git", false}, {"make", true}};
  f.disk = {std::uint64_t{50 * 1024}};
  return f;
}

std::vector<std::string> checks_of(const std::vector<preflight_issue>& issues) {
  std::vector<std::string> out;
  for (const auto& i : issues) out.push_back(i.check);
  return out;
}

TEST(PreflightChecks, AHealthyHostRefusesNothing) {
  needy n;
  EXPECT_TRUE(check_module(n.request(), n.found(), debian_root(), 0, {}).empty());
}

TEST(PreflightChecks, UnknownFactsRefuseNothing) {
  needy n;
  EXPECT_TRUE(check_module(n.request(), n.found(), host_facts{}, 0, {}).empty());
}

TEST(PreflightChecks, TooLittleDiskNamesBothAmountsAndTheOverride) {
  needy n;
  auto f = debian_root();
  f.disk = {std::uint64_t{1024}};
  auto issues = check_module(n.request(), n.found(), f, 0, {});
  ASSERT_EQ(checks_of(issues), std::vector<std::string>{"disk"});
  EXPECT_NE(issues[0].message.find("needs 6.0 GiB"), std::string::npos) << issues[0].message;
  EXPECT_NE(issues[0].message.find("has 1.0 GiB"), std::string::npos) << issues[0].message;
  EXPECT_NE(issues[0].message.find("--min-disk needy=GIB"), std::string::npos) << issues[0].message;

  preflight_overrides lower;
  ASSERT_TRUE(add_disk_override(lower, "needy=0.5", [](const std::string& id) { return id == "needy"; }));
  EXPECT_TRUE(check_module(n.request(), n.found(), f, 0, lower).empty());
  preflight_overrides skip;
  ASSERT_TRUE(add_skipped_check(skip, "disk"));
  EXPECT_TRUE(check_module(n.request(), n.found(), f, 0, skip).empty());
}

TEST(PreflightChecks, NoPasswordlessSudoBlocksOnlyWhileTheRootStepWouldRun) {
  needy n;
  auto f = debian_root();
  f.sudo = "password";
  auto issues = check_module(n.request(), n.found(), f, 0, {});
  ASSERT_EQ(checks_of(issues), std::vector<std::string>{"sudo"});
  EXPECT_NE(issues[0].message.find("step 'packages'"), std::string::npos);
  EXPECT_NE(issues[0].message.find("sudo -n failed"), std::string::npos);
  // Packages already present: nothing needs root, and git counts as there.
  f.tools["git"] = true;
  EXPECT_TRUE(check_module(n.request(), n.found(true), f, 0, {}).empty());
}

TEST(PreflightChecks, AMissingToolNoEarlierStepInstallsIsNamed) {
  needy n;
  auto f = debian_root();
  f.tools["make"] = false;
  auto issues = check_module(n.request(), n.found(), f, 0, {});
  // git comes from the packages step; make comes from nowhere.
  ASSERT_EQ(checks_of(issues), std::vector<std::string>{"tools"});
  EXPECT_NE(issues[0].message.find("needs make"), std::string::npos) << issues[0].message;
}

TEST(PreflightChecks, NoPackageManagerIsAnUnsupportedPlatformForPackageSteps) {
  needy n;
  auto f = debian_root();
  f.pkg_manager = "none";
  f.os_name = "Alpine Linux v3.19";
  auto issues = check_module(n.request(), n.found(), f, 0, {});
  ASSERT_EQ(checks_of(issues), std::vector<std::string>{"package_manager"});
  EXPECT_NE(issues[0].message.find("unsupported platform"), std::string::npos);
  EXPECT_NE(issues[0].message.find("Alpine Linux v3.19"), std::string::npos);
}

TEST(PreflightChecks, UnsupportedArchitectureAndSystemAreRefused) {
  needy n;
  auto f = debian_root();
  f.arch = "armv7l";
  auto issues = check_module(n.request(), n.found(), f, 0, {});
  ASSERT_EQ(checks_of(issues), std::vector<std::string>{"platform"});
  EXPECT_NE(issues[0].message.find("this host is armv7l"), std::string::npos);
  f = debian_root();
  f.system = "windows";
  issues = check_module(n.request(), n.found(), f, 0, {});
  ASSERT_EQ(checks_of(issues), std::vector<std::string>{"platform"});
  EXPECT_NE(issues[0].message.find("runs windows"), std::string::npos);
}

// An NVIDIA GPU on the PCI bus with this driver ("": none answered).
gpu_fact gpu(const std::string& vendor, const std::string& driver) {
  gpu_fact g;
  g.vendor = vendor;
  g.driver = driver;
  g.pci_devices = 1;
  return g;
}

TEST(PreflightChecks, AnNvidiaGpuWithoutDriverNeedsTheOptIn) {
  needy n;
  auto f = debian_root();
  f.gpus = {gpu("nvidia", "")};
  auto issues = check_module(n.request(), n.found(), f, 0, {});
  ASSERT_EQ(checks_of(issues), std::vector<std::string>{"gpu_driver"});
  EXPECT_NE(issues[0].message.find("drivers=true"), std::string::npos);
  EXPECT_TRUE(check_module(n.request({{"drivers", "true"}}), n.found(), f, 0, {}).empty());
  f.gpus = {gpu("nvidia", "535.104.05")};
  EXPECT_TRUE(check_module(n.request(), n.found(), f, 0, {}).empty());
}

TEST(PreflightChecks, ABlockedPlanSaysWhyAndANoopStaysANoop) {
  needy n;
  module_plan p;
  p.action = plan_action::install;
  block_on_preflight(p, {{"disk", "too little disk"}});
  EXPECT_EQ(p.action, plan_action::blocked);
  EXPECT_STREQ(to_string(p.action), "blocked");
  EXPECT_NE(p.reason.find("too little disk"), std::string::npos);
  EXPECT_TRUE(p.steps_to_run().empty());
  module_plan noop;
  noop.action = plan_action::noop;
  block_on_preflight(noop, {{"disk", "too little disk"}});
  EXPECT_EQ(noop.action, plan_action::noop);
}

TEST(PreflightOverrides, BadValuesNameTheFieldAndTheProblem) {
  preflight_overrides o;
  auto known = [](const std::string& id) { return id == "comfyui"; };
  EXPECT_TRUE(add_disk_override(o, "10", known));
  EXPECT_EQ(o.disk_mib, std::uint64_t{10240});
  EXPECT_TRUE(add_disk_override(o, "comfyui=2.5", known));
  EXPECT_EQ(o.module_disk_mib["comfyui"], std::uint64_t{2560});
  auto unknown = add_disk_override(o, "nope=1", known);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("unknown module 'nope'"), std::string::npos);
  for (const char* bad : {"", "-1", "lots", "comfyui=", "1e9", "nan"}) {
    auto r = add_disk_override(o, bad, known);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_NE(r.error().message.find("min-disk"), std::string::npos);
    }
  }
  auto skip = add_skipped_check(o, "firewall");
  ASSERT_FALSE(skip);
  EXPECT_NE(skip.error().message.find("platform, disk, sudo"), std::string::npos);
}

TEST(PreflightFacts, HostileReportLinesAreBoundedAndFiltered) {
  const std::string out =
      "noise from a login profile\n"
      "rio-fact system linux\n"
      "rio-fact arch x86_64\n"
      "rio-fact os_name " + std::string(5000, 'A') + "\n"
      "rio-fact os_id deb\x1b[31mian\n"
      "rio-fact pkg_manager rm -rf /\n"
      "rio-fact tool git yes\n"
      "rio-fact tool evil yes\n"
      "rio-fact disk 0 1048576\n"
      "rio-fact disk 7 1\n"
      "rio-fact disk 1 lots\n"
      "rio-fact gpu 10de\n"
      "rio-fact gpu 10de\n"
      "rio-fact nvidia_module NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug 19 01:15:15 UTC 2023\n"
      "rio-fact\n"
      "rio-fact sudo";
  auto f = parse_host_facts(out, {"git", "curl"}, 2);
  EXPECT_TRUE(f.known);
  EXPECT_EQ(f.system, "linux");
  EXPECT_EQ(f.os_name.size(), 200u);
  EXPECT_EQ(f.os_id, "deb[31mian");  // the escape character is gone
  EXPECT_EQ(f.pkg_manager, "");       // only apt-get, dnf or none
  EXPECT_EQ(f.tools.size(), 1u);
  EXPECT_TRUE(f.tools["git"]);
  ASSERT_EQ(f.disk.size(), 2u);
  EXPECT_EQ(f.disk[0], std::uint64_t{1024});
  EXPECT_FALSE(f.disk[1]);
  ASSERT_EQ(f.gpus.size(), 1u);
  EXPECT_EQ(f.gpus[0].vendor, "nvidia");
  EXPECT_EQ(f.gpus[0].driver, "535.104.05");
  EXPECT_EQ(f.sudo, "");
  EXPECT_FALSE(parse_host_facts("rio-probe 0 0\n", {}, 0).known);
}

// The same script under each shell a login may have; the facts must agree with this machine.
class PreflightScript : public ::testing::TestWithParam<const char*> {};

TEST_P(PreflightScript, RunsUnderTheShellAndReportsThisMachine) {
  const std::string shell = GetParam();
  const std::string program = shell.substr(0, shell.find(' '));
  if (::access(program.c_str(), X_OK) != 0) GTEST_SKIP() << program << " is not installed";
  temp_dir home;
  const std::vector<std::string> tools{"sh", "no-such-tool-rio"};
  const std::string script = preflight_script(tools, {"\"$HOME\"/'not/yet/there'", "/"});
  // As written (Linux: /proc), and as on a kernel without /proc/sys/kernel/arch (uname and id).
  std::string without_proc = script;
  for (auto at = without_proc.find("/proc/sys/kernel/arch"); at != std::string::npos;
       at = without_proc.find("/proc/sys/kernel/arch", at)) {
    without_proc.replace(at, 21, "/nonexistent/rio/arch");
  }
  ASSERT_NE(without_proc, script);
  utsname u{};
  ::uname(&u);
  for (const std::string& variant : {script, without_proc}) {
    SCOPED_TRACE(variant == script ? "from /proc" : "from uname and id");
    auto ran = rio::test::run_sh(variant, home.path().string(), std::nullopt, shell);
    ASSERT_EQ(ran.exit_code, 0) << ran.out;
    auto f = parse_host_facts(ran.out, tools, 2);
    EXPECT_EQ(f.system, "linux") << ran.out;
    EXPECT_EQ(f.arch, u.machine);
    if (::geteuid() == 0) {
      EXPECT_EQ(f.sudo, "root");
    } else {
      EXPECT_NE(f.sudo, "root");
    }
    EXPECT_TRUE(f.pkg_manager == "apt-get" || f.pkg_manager == "dnf" || f.pkg_manager == "none") << ran.out;
    EXPECT_TRUE(f.tools["sh"]);
    EXPECT_FALSE(f.tools["no-such-tool-rio"]);
    // A path that does not exist yet is measured on its nearest existing ancestor.
    ASSERT_TRUE(f.disk[0]) << ran.out;
    ASSERT_TRUE(f.disk[1]) << ran.out;
    EXPECT_GT(*f.disk[0], 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Shells, PreflightScript, ::testing::Values("/usr/bin/dash", "/usr/bin/busybox sh", "/bin/bash --posix"),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           return n.find("busybox") != std::string::npos ? std::string{"busybox"}
                                  : n.find("bash") != std::string::npos  ? std::string{"bash_posix"}
                                                                          : std::string{"dash"};
                         });

}  // namespace
}  // namespace rio::kernel::engine
