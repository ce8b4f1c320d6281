// `rio demo`: the whole product on one machine. Starts a throwaway SSH host on loopback (rio's
// own sshd, generated keys, an isolated home), points the four modules at offline fixture
// upstreams, and shows plan, install, and the second run's noop with the real engine over real
// SSH; then the lifecycle: an upstream commit, update, rollback, uninstall. With --online the
// modules use their real upstream sources instead (and the lifecycle part is left out).
#include <rio/kernel/cli_command.hpp>

#include "cli_options.hpp"
#include <rio/kernel/engine/durable_file.hpp>
#include <rio/kernel/sandbox/fixture_upstreams.hpp>
#include <rio/kernel/sandbox/throwaway_host.hpp>

#include <cstdlib>
#include <fstream>
#include <ostream>

namespace rio::kernel {
namespace fs = std::filesystem;
namespace {

std::optional<fs::path> make_scratch(const cli_io& io) {
  std::string pattern = (fs::temp_directory_path() / "rio-demo-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    io.err << "rio: demo: cannot create a scratch directory under " << fs::temp_directory_path().string() << "\n";
    return std::nullopt;
  }
  return fs::path{pattern};
}

void banner(const cli_io& io, const std::string& title) { io.out << "\n==> " << title << "\n" << std::flush; }

// A root with the remote installer enabled and the throwaway host's key already known.
void write_root(const fs::path& root, const fs::path& known_hosts_file) {
  auto write = [&](const fs::path& rel, const std::string& text) {
    fs::create_directories((root / rel).parent_path());
    std::ofstream{root / rel} << text;
  };
  write("config/comfyvn.json", "{\"features\": {\"enable_remote_installer\": true}}\n");
  write("config/settings/config.json", "{\"models\": []}\n");
  std::ifstream known{known_hosts_file};
  std::string known_line((std::istreambuf_iterator<char>(known)), std::istreambuf_iterator<char>());
  write("data/ssh/known_hosts", known_line);
}

// One rio command against the host, as the operator would type it, under a banner.
struct demo_runner {
  const cli_io& io;
  const std::string& spec;
  const fs::path& root;
  const settings& cfg;
  const sandbox::throwaway_host& host;
  const sandbox::fixture_upstreams& fixtures;
  bool online;
  const std::string& modules;

  int operator()(const std::string& title, const std::string& command, const std::vector<std::string>& extra = {}) const {
    banner(io, title);
    std::vector<std::string> argv{"--root", root.string(), "--plugin-dir", cfg.plugin_dir.string(), command, spec,
                                  "-m", modules, "--identity", host.user_key().string(), "--strict-host-keys"};
    for (const auto& [module, values] : fixtures.options) {
      for (const auto& [k, v] : values) argv.insert(argv.end(), {"--set", module + "." + k + "=" + v});
    }
    if (online) argv.insert(argv.end(), {"--set", "ollama.service=background"});
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_cli(argv, io);
  }
  int status() const {
    banner(io, "rio status");
    return run_cli({"--root", root.string(), "status"}, io);
  }
};

// rio plan, install, install again and status.
int run_the_story(const demo_runner& run) {
  int code = run("rio plan (changes nothing)", "plan");
  if (code == exit_ok) code = run("rio install", "install");
  if (code == exit_ok) code = run("rio install again: every module is detected, nothing runs", "install");
  if (code == exit_ok) code = run.status();
  return code;
}

// After install (offline fixtures only): the ComfyUI upstream moves on, rio updates (planned
// first), rolls back to the saved point, and uninstalls, keeping what is not rio's.
int run_the_lifecycle(const demo_runner& run) {
  banner(run.io, "the ComfyUI upstream moves on: a new commit that changes requirements.txt");
  auto moved = sandbox::commit_to_upstream(run.fixtures, "comfyui",
                                           {{"requirements.txt", "torch\ntorchvision\ntorchaudio\nnumpy\npillow==10.4.0\n"},
                                            {"main.py", "print('ComfyUI, a newer commit (rio sandbox fixture)')\n"}});
  if (!moved) {
    run.io.err << "rio: demo: " << moved.error().message << "\n";
    return exit_failed;
  }
  int code = run("rio update --dry-run: installed and wanted versions, the steps", "update", {"--dry-run"});
  if (code == exit_ok) code = run("rio update: a rollback point first, then the new commit and its dependencies", "update");
  if (code == exit_ok) code = run("rio rollback: back to the saved commit and pip freeze", "rollback");
  if (code == exit_ok) code = run("rio uninstall --dry-run: what goes, and what stays", "uninstall", {"--dry-run"});
  if (code == exit_ok) code = run("rio uninstall", "uninstall");
  if (code == exit_ok) code = run.status();
  return code;
}

// The log and status paths printed during the demo lived in the scratch directory: say where
// they went, and how to keep them.
void keep_or_remove(const cli_io& io, const fs::path& scratch, bool keep) {
  if (keep) {
    io.out << "\nKept " << scratch.string() << " (--keep).\n";
    return;
  }
  std::error_code ec;
  fs::remove_all(scratch, ec);
  if (ec) io.out << "\nCould not remove " << scratch.string() << ": " << ec.message() << "\n";
  else io.out << "\nRemoved " << scratch.string() << " (host home, status files, logs); --keep keeps it.\n";
}

}  // namespace

int cli_demo(const cli_args& args, const cli_io& io) {
  auto p = cli_detail::parse_options(find_command("demo")->options, args.rest);
  if (!p) return usage_error(io, "demo", p.error().message);
  if (!p->positional.empty()) return usage_error(io, "demo", "takes no operands, got '" + p->positional.front() + "'");
  const bool online = p->has("--online"), keep = p->has("--keep");
  const std::string modules = p->has("--modules") ? p->value("--modules") : "all";
  auto cfg = settings_or_report(args, io);
  if (!cfg) return exit_failed;
  auto scratch = make_scratch(io);
  if (!scratch) return exit_failed;

  sandbox::fixture_upstreams fixtures;
  if (!online) {
    auto made = sandbox::make_fixture_upstreams(*scratch / "upstreams");
    if (!made) {
      io.err << "rio: demo: " << made.error().message << "\n";
      return exit_failed;
    }
    fixtures = std::move(*made);
  }
  sandbox::host_options ho;
  ho.stub_dir = fixtures.stub_dir;
  auto host = sandbox::throwaway_host::start(*scratch / "host", ho);
  if (!host) {
    io.err << "rio: demo: " << host.error().message << "\n";
    return exit_failed;
  }
  const auto t = (*host)->target();
  const std::string spec = t.user + "@" + t.host + ":" + std::to_string(t.port);

  // The demo's own root, so it never touches the operator's status files or vault.
  const fs::path root = *scratch / "root";
  write_root(root, (*host)->known_hosts_file());

  io.out << "rio demo: a throwaway SSH host on " << spec << " (sshd pid " << (*host)->pid() << ")\n"
         << "  remote home: " << (*host)->home().string() << "\n"
         << "  rio root:    " << root.string() << "\n"
         << "  upstreams:   " << (online ? std::string{"the real ones (--online)"} : fixtures.dir.string() + " (offline fixtures)") << "\n";

  const demo_runner run{io, spec, root, *cfg, **host, fixtures, online, modules};
  int code = run_the_story(run);
  if (code == exit_ok && !online) code = run_the_lifecycle(run);
  (*host)->stop();
  keep_or_remove(io, *scratch, keep);
  io.out << (code == exit_ok ? "\nrio demo: OK\n" : "\nrio demo: FAILED\n");
  return code;
}

}  // namespace rio::kernel
