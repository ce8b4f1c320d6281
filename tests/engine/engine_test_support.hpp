#pragma once
// An engine test's world: rio's root directory (config-sync sources, status, logs), throwaway
// loopback hosts with the offline fixture upstreams, and helpers that run `rio` in-process or as
// a real child process. Everything lives in temporary directories; nothing leaves loopback.

#include <rio/kernel/engine/host_key.hpp>
#include <rio/kernel/sandbox/fixture_upstreams.hpp>
#include <rio/kernel/sandbox/throwaway_host.hpp>

#include "cli_runner.hpp"
#include "temp_dir.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

extern char** environ;

namespace rio::test {

namespace fs = std::filesystem;

/** What the engine, sandbox and API tests need on this machine; they skip without it. */
inline bool sshd_available() {
  return fs::exists("/usr/sbin/sshd") && fs::exists("/usr/bin/ssh-keygen") && fs::exists("/usr/bin/git");
}
#define REQUIRE_SSHD() \
  if (!::rio::test::sshd_available()) GTEST_SKIP() << "needs /usr/sbin/sshd, ssh-keygen and git"

/** A process started with posix_spawn; stdout and stderr go to files. */
struct rio_process {
  pid_t pid = -1;
  fs::path out, err;
  int wait() {
    int status = 0;
    if (pid <= 0 || ::waitpid(pid, &status, 0) != pid) return -1;
    pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  ~rio_process() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
};

class engine_world {
 public:
  engine_world() {
    auto up = kernel::sandbox::make_fixture_upstreams(scratch_.path() / "upstreams");
    if (!up) throw std::runtime_error("fixtures: " + up.error().message);
    fixtures_ = std::move(*up);
    // Config-sync sources the modules mirror (relative to rio's root).
    root_.write("config/comfyvn.json", "{\"from\": \"rio root\"}\n");
    root_.write("config/settings/config.json", "{\"models\": []}\n");
    // The operator's say-so for the offline fixtures: API requests may name file:// sources only
    // under this directory (a request alone cannot choose where code comes from).
    root_.write("config/rio.json", "{\"allowed_sources\": [\"file://" + fixtures_.dir.string() + "/\"]}\n");
  }

  /** Starts another throwaway host (at most a few per test). */
  kernel::sandbox::throwaway_host& add_host(const std::string& address = "127.0.0.1", const std::string& login_shell = "") {
    kernel::sandbox::host_options o;
    o.listen_address = address;
    o.login_shell = login_shell;
    o.stub_dir = fixtures_.stub_dir;
    auto h = kernel::sandbox::throwaway_host::start(scratch_.path() / ("host" + std::to_string(hosts_.size())), o);
    if (!h) throw std::runtime_error("host: " + h.error().message);
    hosts_.push_back(std::move(*h));
    return *hosts_.back();
  }

  static std::string spec(const kernel::sandbox::throwaway_host& h) {
    auto t = h.target();
    return t.user + "@" + t.host + ":" + std::to_string(t.port);
  }

  /** `--root R --plugin-dir P <command> <hosts...> -m <modules> --identity K --set ...` */
  std::vector<std::string> args(const std::string& command, const std::vector<std::string>& hosts,
                                const std::string& modules = "all") const {
    std::vector<std::string> a{"--root", root_.path().string(), "--plugin-dir", RIO_TEST_PLUGIN_DIR, command};
    a.insert(a.end(), hosts.begin(), hosts.end());
    a.insert(a.end(), {"-m", modules, "--identity", hosts_.front()->user_key().string(), "--no-progress"});
    for (const auto& [module, values] : fixtures_.options) {
      for (const auto& [k, v] : values) a.insert(a.end(), {"--set", module + "." + k + "=" + v});
    }
    return a;
  }

  static std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& more) {
    a.insert(a.end(), more.begin(), more.end());
    return a;
  }

  cli_run run(const std::vector<std::string>& a, env_map env = {}) const {
    env.emplace("HOME", scratch_.path().string());
    return run_cli(a, env);
  }

  /** `rio <a>` as a real child process of the built binary. */
  rio_process spawn(const std::vector<std::string>& a, const std::string& tag) const {
    rio_process p;
    p.out = scratch_.path() / (tag + ".out");
    p.err = scratch_.path() / (tag + ".err");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, p.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, p.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> argv_s{RIO_TEST_RIO_EXE};
    argv_s.insert(argv_s.end(), a.begin(), a.end());
    std::vector<char*> argv;
    for (auto& s : argv_s) argv.push_back(s.data());
    argv.push_back(nullptr);
    if (::posix_spawn(&p.pid, RIO_TEST_RIO_EXE, &fa, nullptr, argv.data(), environ) != 0) p.pid = -1;
    posix_spawn_file_actions_destroy(&fa);
    return p;
  }

  /**
   * A python stand-in that, in the home `gated_home`, blocks on `gate` (a FIFO) before creating
   * the virtualenv: the test reads the FIFO when it wants to know that the step is running
   * remotely. A blocking FIFO open is the synchronisation; nothing sleeps.
   */
  fs::path gate_python(const fs::path& gate, const fs::path& gated_home, const fs::path& hold = {}) {
    ::mkfifo(gate.c_str(), 0600);
    if (!hold.empty()) ::mkfifo(hold.c_str(), 0600);
    // With `hold`, the step then blocks until someone writes to it (or it is killed).
    const std::string wait_hold = hold.empty() ? std::string{} : "  cat '" + hold.string() + "' >/dev/null\n";
    const std::string real = fixtures_.options.at("comfyui").at("python");
    auto stub = scratch_.write("gate/python", "#!/bin/sh\nif [ \"$1\" = -m ] && [ \"$2\" = venv ] && [ \"$HOME\" = '" +
                                                  gated_home.string() + "' ] && [ -p '" + gate.string() +
                                                  "' ]; then\n  echo reached > '" + gate.string() + "'\n" + wait_hold + "fi\nexec '" +
                                                  real + "' \"$@\"\n");
    fs::permissions(stub, fs::perms::owner_all);
    return stub;
  }

  /** Blocks until the gated step opens the FIFO, then lets it go on. */
  static std::string pass_gate(const fs::path& gate) {
    std::ifstream in{gate};
    std::string word;
    in >> word;
    return word;
  }

  /** An inventory file (rio's list format) naming hosts [first, last) with their own keys. */
  fs::path inventory(const std::vector<std::size_t>& which, const std::vector<std::string>& extra_lines = {}) {
    std::string text = "# written by the test\n";
    for (std::size_t i : which) text += spec(*hosts_.at(i)) + " identity=" + hosts_.at(i)->user_key().string() + "\n";
    for (const auto& l : extra_lines) text += l + "\n";
    return scratch_.write("inventory" + std::to_string(inventories_++) + ".txt", text);
  }

  const fs::path& root() const { return root_.path(); }
  const fs::path& scratch() const { return scratch_.path(); }
  kernel::sandbox::fixture_upstreams& fixtures() { return fixtures_; }
  kernel::sandbox::throwaway_host& host(std::size_t i = 0) { return *hosts_.at(i); }
  fs::path status_dir() const { return root_.path() / "data/remote/install"; }
  fs::path log_dir() const { return root_.path() / "logs/remote/install"; }

 private:
  temp_dir scratch_;
  temp_dir root_;
  kernel::sandbox::fixture_upstreams fixtures_;
  std::vector<std::unique_ptr<kernel::sandbox::throwaway_host>> hosts_;
  int inventories_ = 0;
};

/** What a local shell command line prints on stdout, without the final newlines. */
inline std::string command_output(const std::string& line) {
  std::string out;
  if (FILE* p = ::popen(line.c_str(), "r")) {
    char buf[512];
    while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
    ::pclose(p);
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

/** The host's status manifest as rio wrote it. */
inline std::string status_file_text(const engine_world& w, const kernel::sandbox::throwaway_host& h) {
  auto t = h.target();
  return read_file(w.status_dir() / (kernel::engine::host_token(t.host, t.port) + ".json"));
}

inline boost::json::object parse_object(const std::string& text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return {};
  return v.get_object();
}

inline std::vector<std::string> strings_of(const boost::json::value& v) {
  std::vector<std::string> out;
  if (v.is_array()) {
    for (const auto& s : v.get_array()) out.emplace_back(s.as_string());
  }
  return out;
}

}  // namespace rio::test
