// The ollama module, loaded from rio-ollama.so, against the fake remote shell.

#include "module_test_support.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>

namespace rio::test {
namespace {

const std::string install_check = "command -v ollama >/dev/null 2>&1";
const std::string install_cmd =
    "if [ \"$(id -u)\" != 0 ] && ! sudo -n true 2>/dev/null; then\n"
    "  echo 'rio: the Ollama installer needs root or passwordless sudo' >&2; exit 1\n"
    "fi\n"
    "if [ false != true ] && ! nvidia-smi >/dev/null 2>&1 &&\n"
    "   { lspci -n 2>/dev/null | grep -q ' 03[0-9][0-9]: 10de:' ||\n"
    "     grep -qsx 0x10de /sys/bus/pci/devices/*/vendor; }; then\n"
    "  echo 'rio: this host has an NVIDIA GPU without a working driver; the Ollama installer would install drivers. "
    "Install the driver first, or set option gpu_drivers=true' >&2; exit 1\n"
    "fi\n"
    "rio_script=$(mktemp) || exit 1\n"
    + sdk::cleanup_on_exit("rm -f \"$rio_script\"") +
    "rio_download 'https://ollama.com/install.sh' \"$rio_script\" || exit $?\n"
    "OLLAMA_VERSION='' sh \"$rio_script\"";
const std::string service_check =
    "command -v ollama >/dev/null 2>&1 && curl -fsS \"http://\"'127.0.0.1:11434'\"/api/version\" >/dev/null 2>&1";
const std::string service_cmd =
    "case 'auto' in\n"
    "  auto)\n"
    "    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then rio_service=systemd\n"
    "    else rio_service=background; fi ;;\n"
    "  systemd|background) rio_service='auto' ;;\n"
    "  *) echo \"rio: option 'service' must be auto, systemd or background, not \"'auto' >&2; exit 2 ;;\n"
    "esac\n"
    "if [ \"$rio_service\" = systemd ]; then\n"
    "  command -v systemctl >/dev/null 2>&1 ||\n"
    "    { echo \"rio: service is 'systemd' but this host has no systemctl; use 'background'\" >&2; exit 1; }\n"
    "  rio_dropin=/etc/systemd/system/ollama.service.d/rio.conf\n"
    "  rio_unit_addr=$(printf '%s' '127.0.0.1:11434' | sed -e 's/[\\\\\"]/\\\\&/g' -e 's/%/%%/g')\n"
    "  rio_want=$(printf '[Service]\\nEnvironment=\"OLLAMA_HOST=%s\"' \"$rio_unit_addr\")\n"
    "  if [ \"$(cat \"$rio_dropin\" 2>/dev/null)\" != \"$rio_want\" ]; then\n"
    "    rio_sudo mkdir -p /etc/systemd/system/ollama.service.d &&\n"
    "      printf '%s\\n' \"$rio_want\" | rio_sudo tee \"$rio_dropin\" >/dev/null &&\n"
    "      rio_sudo systemctl daemon-reload || exit $?\n"
    "  fi\n"
    "  rio_sudo systemctl enable ollama && rio_sudo systemctl restart ollama || exit $?\n"
    "else\n"
    "  mkdir -p \"$HOME/.ollama\" || exit 1\n"
    "  OLLAMA_HOST='127.0.0.1:11434' nohup ollama serve </dev/null >>\"$HOME/.ollama/serve.log\" 2>&1 &\n"
    "  echo \"$!\" >\"$HOME/.ollama/rio-serve.pid\"  # rio uninstall stops this server, and only this one\n"
    "fi\n"
    "rio_i=0\n"
    "while [ \"$rio_i\" -lt 60 ]; do\n"
    "  curl -fsS \"http://\"'127.0.0.1:11434'\"/api/version\" >/dev/null 2>&1 && exit 0\n"
    "  sleep 1; rio_i=$((rio_i + 1))\n"
    "done\n"
    "echo \"rio: Ollama did not answer on \"'127.0.0.1:11434'\" within 60 s\" >&2\n"
    "exit 1";
const std::string hints_dest = "~/.config/comfyvn/remote/ollama.json";

/** Runs `script` with the local /bin/sh; returns "<exit code>|<stdout and stderr>". */
std::string run_sh_locally(const std::string& script) {
  const std::string command = "/bin/sh -c " + sdk::shell_quote(script) + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return "popen failed";
  std::string out;
  std::array<char, 512> buf{};
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  return std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + "|" + out;
}

class OllamaModule : public module_test {
 protected:
  OllamaModule() : module_test("ollama") {}

  // The service command contains its own health check, so it is matched first.
  void fresh_host() {
    shell.on("systemctl restart ollama", exits(0))
        .on("command -v ollama", exits(1))
        .on("/api/version", exits(1));
  }
};

TEST_F(OllamaModule, FreshInstallRunsScriptFromAFileThenStartsServiceInBackground) {
  fresh_host();
  auto report = install();
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->state, sdk::install_state::installed) << report->error;
  EXPECT_EQ(outcomes(*report), (std::vector<std::string>{"install-script=done", "service=done", "sentinel=done"}));
  EXPECT_EQ(shell.journal(), (std::vector<std::string>{"exec: " + install_check, "exec: " + install_cmd,
                                                       "exec: " + service_check, "exec: " + service_cmd,
                                                       "exec: " + sentinel_body()}));
  EXPECT_EQ(shell.requests()[1].timeout, std::chrono::seconds{1200});
  EXPECT_EQ(shell.requests()[3].timeout, std::chrono::seconds{180}) << "bounded: never a foreground server";
  expect_safe_commands(shell, env);
}

// The install step's own guard, run for real: an NVIDIA GPU (lspci) with no working driver
// (nvidia-smi fails) stops it before the installer is even downloaded, unless gpu_drivers=true.
TEST_F(OllamaModule, AnNvidiaGpuWithoutDriverStopsTheInstallerUnlessAllowed) {
  temp_dir stubs;
  for (const auto& [name, body] : std::vector<std::pair<std::string, std::string>>{
           {"id", "#!/bin/sh\necho 0\n"},
           {"lspci", "#!/bin/sh\necho '01:00.0 0300: 10de:2204 (rev a1)'\n"},
           {"nvidia-smi", "#!/bin/sh\necho 'NVIDIA-SMI has failed' >&2; exit 9\n"}}) {
    auto f = stubs.write(name, body);
    std::filesystem::permissions(f, std::filesystem::perms::owner_all);
  }
  const std::string path = "PATH=" + sdk::shell_quote(stubs.path().string()) + ":/usr/bin:/bin; ";
  fresh_host();
  for (const char* allowed : {"false", "true"}) {
    const std::size_t before = shell.bodies().size();  // the check, then the install body
    ASSERT_TRUE(install({{"gpu_drivers", allowed}}));
    const std::string ran = run_sh_locally(path + shell.bodies().at(before + 1));
    const bool refused = contains(ran, "NVIDIA GPU without a working driver");
    EXPECT_EQ(refused, std::string{allowed} == "false") << ran;
    // Allowed: the guard passes and the step goes on to the download (no prelude here, so it stops there).
    if (!refused) {
      EXPECT_TRUE(contains(ran, "rio_download")) << ran;
    }
  }
}

TEST_F(OllamaModule, HintsAreUploadedAfterTheStepsAndBeforeTheSentinel) {
  fresh_host();
  assets.write("config/settings/config.json", "{}");
  auto report = install();
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->sync.entries.at(0).outcome, sdk::sync_outcome::uploaded);
  const auto& j = shell.journal();
  ASSERT_EQ(j.size(), 6u);
  EXPECT_EQ(j[3], "exec: " + service_cmd);
  EXPECT_EQ(j[4], "upload: " + hints_dest);
  EXPECT_EQ(j[5], "exec: " + sentinel_body());
}

TEST_F(OllamaModule, OverridesAreShellQuoted) {
  fresh_host();
  auto report = install({{"installer_url", "https://mirror.example.com/ollama/install.sh"},
                         {"version", "0.5.7"},
                         {"api_address", "127.0.0.1:11500"},
                         {"health_timeout", "90"},
                         {"service", "background"}});
  ASSERT_TRUE(report) << report.error().describe();
  auto b = shell.bodies();
  ASSERT_EQ(b.size(), 5u);
  EXPECT_TRUE(contains(b[1], "rio_download 'https://mirror.example.com/ollama/install.sh' \"$rio_script\""));
  EXPECT_TRUE(b[1].ends_with("OLLAMA_VERSION='0.5.7' sh \"$rio_script\""));
  EXPECT_EQ(b[2], "command -v ollama >/dev/null 2>&1 && curl -fsS \"http://\"'127.0.0.1:11500'\"/api/version\" >/dev/null 2>&1");
  EXPECT_TRUE(contains(b[3], "OLLAMA_HOST='127.0.0.1:11500' nohup ollama serve"));
  EXPECT_TRUE(contains(b[3], "while [ \"$rio_i\" -lt 90 ]; do\n"));
  EXPECT_TRUE(b[3].starts_with("case 'background' in\n"));
  EXPECT_TRUE(contains(b[3], "  systemd|background) rio_service='background' ;;\n"));
  expect_safe_commands(shell, env);
}

TEST_F(OllamaModule, ServiceOptionChoosesSystemdOrABackgroundServer) {
  // Only the selection at the top of the service command runs here (locally, with /bin/sh): it
  // ends before anything that would start or configure a service.
  const bool host_has_systemd =
      ::access("/run/systemd/system", F_OK) == 0 && run_sh_locally("command -v systemctl >/dev/null").starts_with("0|");
  const std::string auto_choice = host_has_systemd ? "systemd" : "background";
  for (const auto& [value, expected] : std::vector<std::pair<std::string, std::string>>{
           {"auto", "0|" + auto_choice}, {"systemd", "0|systemd"}, {"background", "0|background"}}) {
    SCOPED_TRACE(value);
    auto body = sdk::render_command(spec().install_steps.at(1).command, spec(), options({{"service", value}}));
    ASSERT_TRUE(body) << body.error().describe();
    const auto selection_end = body->find("if [ \"$rio_service\" = systemd ]");
    ASSERT_NE(selection_end, std::string::npos);
    EXPECT_EQ(run_sh_locally(body->substr(0, selection_end) + "printf '%s' \"$rio_service\""), expected);
  }
}

TEST_F(OllamaModule, UnknownServiceValueFailsTheStepBeforeAnythingRuns) {
  // A well-formed identifier that is not a mode passes option validation; the step refuses it.
  auto body = sdk::render_command(spec().install_steps.at(1).command, spec(), options({{"service", "upstart"}}));
  ASSERT_TRUE(body) << body.error().describe();
  EXPECT_EQ(run_sh_locally(*body),
            "2|rio: option 'service' must be auto, systemd or background, not upstart\n");
}

TEST_F(OllamaModule, SystemdServiceWithoutSystemctlFailsWithAdvice) {
  shell.on("rio_service=", exits(1, "rio: service is 'systemd' but this host has no systemctl; use 'background'"))
      .on("command -v ollama", exits(1))
      .on("/api/version", exits(1));
  auto report = install({{"service", "systemd"}});
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(outcomes(*report),
            (std::vector<std::string>{"install-script=done", "service=failed", "sentinel=not_run"}));
  EXPECT_TRUE(contains(report->steps[1].stderr_tail, "use 'background'"));
  EXPECT_TRUE(contains(shell.bodies().at(3), "  systemd|background) rio_service='systemd' ;;\n"));
}

TEST_F(OllamaModule, RerunSendsOnlyDoneChecksAndSentinel) {
  auto report = install();
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(outcomes(*report),
            (std::vector<std::string>{"install-script=already_done", "service=already_done", "sentinel=done"}));
  EXPECT_EQ(shell.bodies(), (std::vector<std::string>{install_check, service_check, sentinel_body()}));
}

TEST_F(OllamaModule, MissingPasswordlessSudoHaltsBeforeDownloading) {
  fresh_host();
  shell.on("rio_download", exits(1, "rio: the Ollama installer needs root or passwordless sudo"));
  auto report = install();
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(report->state, sdk::install_state::failed);
  EXPECT_EQ(outcomes(*report),
            (std::vector<std::string>{"install-script=failed", "service=not_run", "sentinel=not_run"}));
  EXPECT_EQ(report->error, "step 'install-script' failed: exit code 1");
  EXPECT_EQ(report->steps[0].stderr_tail, "rio: the Ollama installer needs root or passwordless sudo");
  EXPECT_EQ(shell.bodies().size(), 2u);
  EXPECT_FALSE(report->sentinel_written);
}

TEST_F(OllamaModule, UnhealthyServiceFailsTheModuleAndIsRetriedNextRun) {
  shell.on("systemctl restart ollama",
           exits(1, "rio: Ollama did not answer on 127.0.0.1:11434 within 60 s"))
      .on("/api/version", exits(1));
  assets.write("config/settings/config.json", "{}");
  auto report = install();
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(outcomes(*report),
            (std::vector<std::string>{"install-script=already_done", "service=failed", "sentinel=not_run"}));
  EXPECT_EQ(report->error, "step 'service' failed: exit code 1");
  EXPECT_TRUE(contains(report->steps[1].stderr_tail, "did not answer"));
  EXPECT_TRUE(shell.uploads().empty());
  EXPECT_EQ(count_containing(shell.bodies(), ".installed"), 0u) << "so the next run retries the service step";
}

TEST_F(OllamaModule, HintsGoBesideTheSentinelNeverOverOllamaFiles) {
  assets.write("config/settings/config.json", "{}");
  auto first = sync_config();
  ASSERT_TRUE(first);
  ASSERT_EQ(first->entries.size(), 1u);
  EXPECT_EQ(first->entries[0].outcome, sdk::sync_outcome::uploaded);
  EXPECT_EQ(shell.uploads().at(0).remote, hints_dest);
  // The fake now holds the file: a second sync leaves it alone.
  auto second = sync_config();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->entries.at(0).outcome, sdk::sync_outcome::destination_exists);
  for (const auto& u : shell.uploads()) EXPECT_FALSE(contains(u.remote, ".ollama")) << u.remote;
}

TEST_F(OllamaModule, DetectReportsInstalledAbsentAndUnknown) {
  auto installed = detect();
  ASSERT_TRUE(installed);
  EXPECT_EQ(installed->state, sdk::detect_state::installed);
  ASSERT_EQ(shell.bodies().size(), 1u);
  EXPECT_TRUE(contains(shell.bodies()[0], "( command -v ollama\n)"));

  shell.on("command -v ollama", exits(1));
  auto absent = detect();
  ASSERT_TRUE(absent);
  EXPECT_EQ(absent->state, sdk::detect_state::absent);
  EXPECT_EQ(absent->evidence, "probe 'binary' failed (exit 1): Check Ollama binary on PATH.");
  ASSERT_EQ(absent->probes.size(), 2u);
  EXPECT_TRUE(absent->probes[1].passed) << "every probe runs, so the report shows all the evidence";

  broken_shell slow{true};
  auto unknown = detect(slow);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->state, sdk::detect_state::unknown);
  EXPECT_EQ(unknown->evidence, "probes timed out after 40 s");
}

TEST_F(OllamaModule, RejectsInvalidOverridesNamingTheOption) {
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"version", "-v"}, {"version", "0.5.7; id"}, {"health_timeout", "-5"}, {"health_timeout", "1m"},
           {"api_address", "127.0.0.1:11434\n"}, {"installer_url", "https://ollama.com/install .sh"},
           {"service", "-background"}, {"service", "back ground"}, {"service", ""}}) {
    SCOPED_TRACE(name + "=" + value);
    auto resolved = sdk::resolve_options(spec(), {{name, value}});
    ASSERT_FALSE(resolved);
    EXPECT_EQ(resolved.error().code, sdk::make_error_code(sdk::errc::invalid_option));
    EXPECT_TRUE(contains(resolved.error().message, "'" + name + "'")) << resolved.error().message;
  }
  auto unknown = sdk::resolve_options(spec(), {{"models_dir", "/srv/models"}});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, sdk::make_error_code(sdk::errc::unknown_option));
  EXPECT_TRUE(contains(unknown.error().message, "'models_dir'"));
  EXPECT_TRUE(sdk::resolve_options(spec(), {{"version", ""}})) << "empty means the latest release";
}

TEST_F(OllamaModule, ApiAddressAlsoAppliesToTheSystemdService) {
  // Under systemd the address must reach the service through a drop-in (which survives the
  // Ollama installer rewriting ollama.service), or the health loop waits on the wrong port.
  fresh_host();
  auto report = install({{"api_address", "127.0.0.1:11500"}});
  ASSERT_TRUE(report);
  auto b = shell.bodies();
  auto i = index_of(b, "systemctl");
  ASSERT_LT(i, b.size());
  auto systemd_branch = b[i].substr(0, b[i].find("\nelse\n"));
  EXPECT_TRUE(contains(systemd_branch, "OLLAMA_HOST")) << systemd_branch;
  EXPECT_TRUE(contains(systemd_branch, "ollama.service.d")) << systemd_branch;
}

}  // namespace
}  // namespace rio::test
