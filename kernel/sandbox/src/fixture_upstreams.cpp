#include <rio/kernel/sandbox/fixture_upstreams.hpp>

#include <rio/kernel/sandbox/fixture_scripts.hpp>
#include <rio/kernel/sandbox/local_process.hpp>

#include <cstdlib>
#include <utility>
#include <vector>

namespace rio::kernel::sandbox {
namespace fs = std::filesystem;

namespace {

struct repo_file {
  const char* path;
  const char* text;
};

const std::vector<repo_file> comfyui_files{
    {"requirements.txt",
     "# rio sandbox fixture: the pip stub records this install and downloads nothing\n"
     "torch\ntorchvision\ntorchaudio\nnumpy\npillow\n"},
    {"main.py", "print('ComfyUI (rio sandbox fixture)')\n"},
};

const std::vector<repo_file> sillytavern_files{
    {"package.json",
     "{\n  \"name\": \"sillytavern\",\n  \"version\": \"0.0.0-rio-fixture\",\n  \"private\": true\n}\n"},
    {"package-lock.json",
     "{\n  \"name\": \"sillytavern\",\n  \"version\": \"0.0.0-rio-fixture\",\n  \"lockfileVersion\": 3,\n"
     "  \"requires\": true,\n  \"packages\": {\n    \"\": {\n      \"name\": \"sillytavern\",\n"
     "      \"version\": \"0.0.0-rio-fixture\"\n    }\n  }\n}\n"},
    {"server.js", "console.log('SillyTavern (rio sandbox fixture)');\n"},
};

// rio's own git environment: no user or system config (a global commit.gpgsign or hook must not
// break the fixtures), fixed dates so the repositories are the same on every run.
std::vector<std::string> git_env(const fs::path& home) {
  const char* path = std::getenv("PATH");
  return {"PATH=" + std::string{path != nullptr ? path : "/usr/bin:/bin"},
          "HOME=" + home.string(),
          "LC_ALL=C",
          "GIT_CONFIG_NOSYSTEM=1",
          "GIT_CONFIG_GLOBAL=/dev/null",
          "GIT_TERMINAL_PROMPT=0",
          "GIT_AUTHOR_DATE=2024-01-01T00:00:00Z",
          "GIT_COMMITTER_DATE=2024-01-01T00:00:00Z"};
}

std::vector<std::string> with_identity(std::vector<std::string> before, const std::vector<std::string>& after);

// A one-commit repository on `branch`, published as the bare repository upstreams/<name>.git.
result<fs::path> make_repo(const fs::path& git, const fs::path& dir, const std::string& name, const std::string& branch,
                           const std::vector<repo_file>& files) {
  const fs::path work = dir / "work" / name;
  const fs::path bare = dir / "upstreams" / (name + ".git");
  const auto env = git_env(dir / "work");
  std::error_code ec;
  fs::create_directories(work, ec);
  if (ec) return fail(errc::bad_config, "cannot create " + work.string() + ": " + ec.message());
  for (const auto& f : files) {
    if (auto ok = detail::write_file(work / f.path, f.text); !ok) return ok.error();
  }
  const std::string what = "creating the " + name + " fixture repository";
  const std::vector<std::vector<std::string>> commands{
      {"init", "-q", "-b", branch, work.string()},
      {"-C", work.string(), "add", "-A"},
      with_identity({"-C", work.string()}, {"commit", "-q", "-m", "rio sandbox fixture"}),
      {"clone", "-q", "--bare", work.string(), bare.string()},
  };
  for (const auto& args : commands) {
    if (auto ok = detail::run_checked(what, git, args, env); !ok) return ok.error();
  }
  return bare;
}

std::string file_url(const fs::path& path) { return "file://" + path.string(); }

constexpr const char* rio_identity[] = {"-c", "user.name=rio sandbox", "-c", "user.email=rio-sandbox@localhost.invalid", "-c",
                                        "commit.gpgsign=false"};

}  // namespace

namespace {

// `git <before> -c user.name=... <after>`: rio's own identity, whatever the machine's config says.
std::vector<std::string> with_identity(std::vector<std::string> before, const std::vector<std::string>& after) {
  before.insert(before.end(), std::begin(rio_identity), std::end(rio_identity));
  before.insert(before.end(), after.begin(), after.end());
  return before;
}

}  // namespace

result<void> commit_to_upstream(const fixture_upstreams& f, const std::string& module, const std::vector<upstream_file>& files,
                                const std::string& tag) {
  const fs::path git = detail::find_program("git");
  if (git.empty()) return fail(errc::bad_config, "git not found");
  static int commits = 0;
  const fs::path work = f.dir / ("work-" + module + "-" + std::to_string(commits++));
  const auto env = git_env(f.dir);
  const std::string what = "moving the " + module + " fixture upstream on";
  if (auto ok = detail::run_checked(what, git, {"clone", "-q", (f.dir / "upstreams" / (module + ".git")).string(), work.string()}, env); !ok) {
    return ok.error();
  }
  for (const auto& file : files) {
    if (auto ok = detail::write_file(work / file.path, file.text); !ok) return ok.error();
  }
  std::vector<std::vector<std::string>> commands{{"-C", work.string(), "add", "-A"},
                                                 with_identity({"-C", work.string()}, {"commit", "-q", "-m", "rio sandbox: a new upstream commit"})};
  if (!tag.empty()) commands.push_back({"-C", work.string(), "tag", tag});
  commands.push_back({"-C", work.string(), "push", "-q", "--tags", "origin", "HEAD"});
  for (const auto& args : commands) {
    if (auto ok = detail::run_checked(what, git, args, env); !ok) return ok.error();
  }
  std::error_code ec;
  fs::remove_all(work, ec);
  return {};
}

result<fixture_upstreams> make_fixture_upstreams(const fs::path& dir) {
  const fs::path git = detail::find_program("git");
  if (git.empty()) return fail(errc::bad_config, "git not found: install git (the fixture repositories need it)");
  auto prepared = detail::prepare_directory(dir, "fixture directory");
  if (!prepared) return prepared.error();

  fixture_upstreams f;
  f.dir = *prepared;
  f.stub_dir = f.dir / "stubs";
  f.calls_log = f.dir / "calls.log";
  std::error_code ec;
  for (const auto& sub : {f.stub_dir, f.dir / "upstreams"}) {
    if (!fs::create_directories(sub, ec) && ec) {
      return fail(errc::bad_config, "cannot create " + sub.string() + ": " + ec.message());
    }
  }
  if (auto ok = detail::write_file(f.calls_log, "", 0644); !ok) return ok.error();

  // The machine's curl serves file:// downloads; never one of our own stubs (a nested sandbox).
  fs::path real_curl = detail::find_program("curl");
  if (!real_curl.empty() && real_curl.parent_path() == f.stub_dir) real_curl.clear();
  for (const auto& [name, text] : detail::stub_scripts(f.calls_log, real_curl)) {
    if (auto ok = detail::write_file(f.stub_dir / name, text, 0755); !ok) return ok.error();
  }

  const fs::path upstreams = f.dir / "upstreams";
  const fs::path lmstudio_script = upstreams / "lmstudio-install.sh";
  const fs::path ollama_script = upstreams / "ollama-install.sh";
  if (auto ok = detail::write_file(lmstudio_script, detail::lmstudio_installer(f.calls_log)); !ok) return ok.error();
  if (auto ok = detail::write_file(ollama_script, detail::ollama_installer(f.calls_log)); !ok) return ok.error();
  const fs::path uv_script = upstreams / "uv-install.sh";
  if (auto ok = detail::write_file(uv_script, detail::uv_installer(f.calls_log)); !ok) return ok.error();
  f.uv_stub = f.dir / "uv";
  if (auto ok = detail::write_file(f.uv_stub, detail::uv_stub(f.calls_log), 0755); !ok) return ok.error();

  auto comfyui = make_repo(git, f.dir, "comfyui", "master", comfyui_files);
  if (!comfyui) return comfyui.error();
  auto sillytavern = make_repo(git, f.dir, "sillytavern", "release", sillytavern_files);
  if (!sillytavern) return sillytavern.error();
  fs::remove_all(f.dir / "work", ec);

  f.options["comfyui"] = {{"repo_url", file_url(*comfyui)},
                          {"ref", "master"},
                          {"python", (f.stub_dir / detail::python_stub_name).string()},
                          {"uv_installer_url", file_url(uv_script)}};
  f.options["sillytavern"] = {{"repo_url", file_url(*sillytavern)}, {"ref", "release"}};
  f.options["lmstudio"] = {{"installer_url", file_url(lmstudio_script)}};
  f.options["ollama"] = {{"installer_url", file_url(ollama_script)}, {"service", "background"}};
  return f;
}

}  // namespace rio::kernel::sandbox
