// The lifecycle after install (issue #24) on loopback hosts with the offline fixture upstreams:
// update (dependencies reinstalled only when their manifest changed, local changes refused), a
// failed update rolled back to the exact commit and pip freeze, pins and drift, repair,
// uninstall that keeps the operator's files and --purge that does not, and kill -9 mid-update.
#include "engine_test_support.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <sys/stat.h>
#include <map>

namespace rio::test {
namespace {

std::string str(const boost::json::value& v) { return v.is_string() ? std::string{v.get_string()} : "<" + boost::json::serialize(v) + ">"; }

// Commits `files` to the module's fixture upstream (and tags the commit when `tag` is given).
void upstream_commit(engine_world& w, const std::string& module, const std::map<std::string, std::string>& files,
                     const std::string& tag = "") {
  std::vector<kernel::sandbox::upstream_file> list;
  for (const auto& [path, text] : files) list.push_back({path, text});
  auto ok = kernel::sandbox::commit_to_upstream(w.fixtures(), module, list, tag);
  ASSERT_TRUE(ok) << ok.error().message;
}

// The fixture args pin comfyui.ref=master and sillytavern.ref=release; these tests choose their own.
std::vector<std::string> args(engine_world& w, const std::string& command, const kernel::sandbox::throwaway_host& h,
                              const std::string& modules, const std::vector<std::string>& more = {}) {
  auto a = w.args(command, {engine_world::spec(h)}, modules);
  for (const char* pinned : {"comfyui.ref=master", "sillytavern.ref=release"}) {
    auto it = std::find(a.begin(), a.end(), pinned);
    if (it != a.end()) a.erase(it - 1, it + 1);
  }
  return engine_world::with(a, more);
}

std::string git_head(const fs::path& repo) { return command_output("git -C '" + repo.string() + "' rev-parse HEAD"); }
std::string freeze(const fs::path& comfyui) { return command_output("sh '" + (comfyui / "venv/bin/python").string() + "' -m pip freeze"); }
std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}
std::string calls(const kernel::sandbox::throwaway_host& h) { return read_file(h.home() / ".rio-fixture/calls.log"); }
boost::json::object comfyui_record(engine_world& w, const kernel::sandbox::throwaway_host& h) {
  return parse_object(status_file_text(w, h))["modules"].as_object()["comfyui"].as_object();
}

constexpr const char* requirements_pip = "pip install -r requirements.txt";

TEST(EngineLifecycle, UpdateReinstallsDependenciesOnlyWhenRequirementsChanged) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  ASSERT_EQ(w.run(args(w, "install", h, "comfyui", {"--set", "comfyui.ref=master"})).code, 0);
  const std::string installed = git_head(h.home() / "ComfyUI");
  ASSERT_EQ(count(calls(h), requirements_pip), 1u) << calls(h);

  // A commit that leaves requirements.txt alone: checked out, dependencies untouched.
  upstream_commit(w, "comfyui", {{"main.py", "print('ComfyUI 2')\n"}});
  auto plan = w.run(args(w, "update", h, "comfyui", {"--dry-run"}));
  ASSERT_EQ(plan.code, 0) << plan.err << plan.out;
  EXPECT_NE(plan.out.find("update from"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("update steps first: checkout"), std::string::npos) << plan.out;
  EXPECT_EQ(git_head(h.home() / "ComfyUI"), installed) << "a dry run changes nothing";
  auto same = w.run(args(w, "update", h, "comfyui"));
  ASSERT_EQ(same.code, 0) << same.err << same.out;
  EXPECT_NE(git_head(h.home() / "ComfyUI"), installed);
  EXPECT_EQ(count(calls(h), requirements_pip), 1u) << "unchanged requirements are not reinstalled:\n" << calls(h);
  EXPECT_NE(comfyui_record(w, h)["reason"].as_string().find("updated by run"), std::string::npos);

  // A commit that changes requirements.txt: reinstalled, under the torch guard.
  upstream_commit(w, "comfyui", {{"requirements.txt", "torch\nnumpy\npillow==10.0.0\n"}});
  auto changed = w.run(args(w, "update", h, "comfyui"));
  ASSERT_EQ(changed.code, 0) << changed.err << changed.out;
  EXPECT_EQ(count(calls(h), requirements_pip), 2u) << calls(h);
  EXPECT_NE(calls(h).rfind("-c venv/.rio-torch-constraints.txt"), std::string::npos) << "the torch guard stays";
  EXPECT_NE(freeze(h.home() / "ComfyUI").find("pillow==10.0.0"), std::string::npos);
  auto rec = comfyui_record(w, h);
  EXPECT_EQ(str(rec["version"]), command_output("git -C '" + (h.home() / "ComfyUI").string() + "' describe --tags --always --dirty"));
  ASSERT_TRUE(rec.contains("rollback")) << boost::json::serialize(rec);
}

TEST(EngineLifecycle, AnUpdateOverLocalChangesIsRefusedUnlessForced) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  ASSERT_EQ(w.run(args(w, "install", h, "comfyui")).code, 0);
  upstream_commit(w, "comfyui", {{"main.py", "print('ComfyUI 2')\n"}});
  const fs::path repo = h.home() / "ComfyUI";
  const std::string before = git_head(repo);
  std::ofstream{repo / "main.py", std::ios::app} << "# the operator's edit\n";

  auto refused = w.run(args(w, "update", h, "comfyui", {"--no-rollback"}));
  EXPECT_EQ(refused.code, 1) << refused.out;
  EXPECT_NE(refused.out.find("refusing to change"), std::string::npos) << refused.out;
  EXPECT_EQ(git_head(repo), before);
  EXPECT_NE(read_file(repo / "main.py").find("the operator's edit"), std::string::npos);

  auto forced = w.run(args(w, "update", h, "comfyui", {"--force"}));
  ASSERT_EQ(forced.code, 0) << forced.err << forced.out;
  EXPECT_NE(git_head(repo), before);
  EXPECT_NE(command_output("git -C '" + repo.string() + "' stash list"), "") << "the edit is kept in the stash";
}

TEST(EngineLifecycle, AFailedUpdateRollsBackToTheExactCommitAndFreeze) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  ASSERT_EQ(w.run(args(w, "install", h, "comfyui")).code, 0);
  const fs::path repo = h.home() / "ComfyUI";
  const std::string commit = git_head(repo), packages = freeze(repo);
  // The new requirements change the virtualenv and then fail, as a wheel build half-way would.
  upstream_commit(w, "comfyui", {{"requirements.txt", "torch\nnumpy==2.0.0\nextra-pkg==1.0\n# rio-fixture: fail\n"}});

  auto failed = w.run(args(w, "update", h, "comfyui"));
  EXPECT_EQ(failed.code, 1) << failed.out;
  EXPECT_NE(failed.out.find("rolled back to"), std::string::npos) << failed.out;
  EXPECT_EQ(git_head(repo), commit) << "the exact previous commit";
  EXPECT_EQ(freeze(repo), packages) << "the exact previous freeze";
  EXPECT_EQ(command_output("git -C '" + repo.string() + "' status --porcelain --untracked-files=no"), "");
  EXPECT_EQ(str(comfyui_record(w, h)["state"]), "failed");

  // With --no-rollback the failure stays where it happened, and rio rollback returns by itself.
  auto kept = w.run(args(w, "update", h, "comfyui", {"--no-rollback"}));
  EXPECT_EQ(kept.code, 1);
  EXPECT_NE(git_head(repo), commit);
  EXPECT_NE(freeze(repo).find("extra-pkg==1.0"), std::string::npos);
  auto plan = w.run(args(w, "rollback", h, "comfyui", {"--dry-run"}));
  EXPECT_NE(plan.out.find("roll back from"), std::string::npos) << plan.out;
  auto back = w.run(args(w, "rollback", h, "comfyui"));
  ASSERT_EQ(back.code, 0) << back.err << back.out;
  EXPECT_EQ(git_head(repo), commit);
  EXPECT_EQ(freeze(repo), packages);
  auto rec = comfyui_record(w, h);
  EXPECT_FALSE(rec.contains("rollback")) << "a rollback point is used once";
  EXPECT_NE(str(rec["reason"]).find("rolled back by run"), std::string::npos);
}

TEST(EngineLifecycle, APinHoldsUpdatesToItsLineAndThePlanShowsDrift) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  upstream_commit(w, "comfyui", {{"main.py", "print('1.0')\n"}}, "v1.0");
  upstream_commit(w, "comfyui", {{"main.py", "print('1.1')\n"}}, "v1.1");
  upstream_commit(w, "comfyui", {{"main.py", "print('2.0')\n"}}, "v2.0");
  ASSERT_EQ(w.run(args(w, "install", h, "comfyui", {"--set", "comfyui.ref=v1.0"})).code, 0);
  EXPECT_EQ(str(comfyui_record(w, h)["pin"]), "v1.0");

  // Pin the line v1: the update takes its newest tag, never v2.0.
  auto pinned = w.run(args(w, "update", h, "comfyui", {"--set", "comfyui.ref=v1"}));
  ASSERT_EQ(pinned.code, 0) << pinned.err << pinned.out;
  auto rec = comfyui_record(w, h);
  EXPECT_EQ(str(rec["pin"]), "v1");
  EXPECT_EQ(str(rec["version"]), "v1.1");
  auto again = w.run(args(w, "update", h, "comfyui"));
  ASSERT_EQ(again.code, 0) << again.out;
  EXPECT_EQ(str(comfyui_record(w, h)["version"]), "v1.1") << "no --to, no --set: the pin's line";
  auto plan = w.run(args(w, "plan", h, "comfyui"));
  EXPECT_EQ(plan.out.find("DRIFT"), std::string::npos) << plan.out;

  // Someone moves the checkout by hand: the plan says so.
  const std::string repo = (h.home() / "ComfyUI").string();
  ASSERT_EQ(std::system(("git -C '" + repo + "' -c user.name=t -c user.email=t@localhost.invalid commit -q --allow-empty -m hand").c_str()), 0);
  auto drift = w.run(args(w, "plan", h, "comfyui"));
  EXPECT_NE(drift.out.find("DRIFT: installed v1.1-1-g"), std::string::npos) << drift.out;
  EXPECT_NE(drift.out.find("pinned v1"), std::string::npos) << drift.out;
  auto json = parse_object(w.run(args(w, "plan", h, "comfyui", {"--json"})).out);
  EXPECT_NE(str(json["plan"].as_array()[0].as_object()["drift"]).find("pinned v1"), std::string::npos);

  // --to moves this once; the pin stays.
  auto to = w.run(args(w, "update", h, "comfyui", {"--to", "v2.0", "--force"}));
  ASSERT_EQ(to.code, 0) << to.err << to.out;
  rec = comfyui_record(w, h);
  EXPECT_EQ(str(rec["version"]), "v2.0");
  EXPECT_EQ(str(rec["pin"]), "v1");

  // A fresh install under the pin takes the line's newest tag too (git clone --branch cannot).
  ASSERT_EQ(w.run(args(w, "uninstall", h, "comfyui", {"--purge"})).code, 0);
  auto reinstalled = w.run(args(w, "install", h, "comfyui"));
  ASSERT_EQ(reinstalled.code, 0) << reinstalled.err << reinstalled.out;
  EXPECT_EQ(str(comfyui_record(w, h)["version"]), "v1.1");
}

TEST(EngineLifecycle, RepairRunsOnlyTheStepsWhoseChecksFail) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  ASSERT_EQ(w.run(args(w, "install", h, "comfyui")).code, 0);
  fs::remove(h.home() / "ComfyUI/venv/.rio-requirements.sha256");
  auto plan = w.run(args(w, "plan", h, "comfyui"));
  EXPECT_NE(plan.out.find("noop"), std::string::npos) << "the probes still pass:\n" << plan.out;
  auto repair_plan = w.run(args(w, "repair", h, "comfyui", {"--dry-run"}));
  EXPECT_NE(repair_plan.out.find("repair: the checks of steps requirements fail"), std::string::npos) << repair_plan.out;
  const std::string before = calls(h);
  auto repaired = w.run(args(w, "repair", h, "comfyui"));
  ASSERT_EQ(repaired.code, 0) << repaired.err << repaired.out;
  const std::string now = calls(h).substr(before.size());
  EXPECT_NE(now.find(requirements_pip), std::string::npos) << now;
  EXPECT_EQ(now.find("-m venv"), std::string::npos) << "the virtualenv was fine:\n" << now;
  EXPECT_EQ(now.find("install torch"), std::string::npos) << now;
  auto nothing = w.run(args(w, "repair", h, "comfyui", {"--dry-run"}));
  EXPECT_NE(nothing.out.find("nothing to repair"), std::string::npos) << nothing.out;

  // A deleted node_modules: only SillyTavern's npm install runs again.
  ASSERT_EQ(w.run(args(w, "install", h, "sillytavern")).code, 0);
  fs::remove_all(h.home() / "SillyTavern/node_modules");
  const std::string before_npm = calls(h);
  auto npm = w.run(args(w, "repair", h, "comfyui,sillytavern"));
  ASSERT_EQ(npm.code, 0) << npm.err << npm.out;
  const std::string npm_calls = calls(h).substr(before_npm.size());
  EXPECT_NE(npm_calls.find("npm install"), std::string::npos) << npm_calls;
  EXPECT_EQ(npm_calls.find("pip install"), std::string::npos) << "ComfyUI was fine:\n" << npm_calls;
  EXPECT_TRUE(fs::exists(h.home() / "SillyTavern/node_modules"));
}

TEST(EngineLifecycle, UninstallKeepsTheOperatorsFilesAndPurgeRemovesThem) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  ASSERT_EQ(w.run(args(w, "install", h, "comfyui,sillytavern")).code, 0);
  const fs::path comfy = h.home() / "ComfyUI", tavern = h.home() / "SillyTavern";
  fs::create_directories(comfy / "models/checkpoints");
  std::ofstream{comfy / "models/checkpoints/model.safetensors"} << "weights";
  std::ofstream{comfy / "notes.txt"} << "the operator's";
  fs::create_directories(tavern / "data");
  std::ofstream{tavern / "data/chat.jsonl"} << "{}";

  auto plan = w.run(args(w, "uninstall", h, "comfyui", {"--dry-run"}));
  ASSERT_EQ(plan.code, 0) << plan.err << plan.out;
  EXPECT_NE(plan.out.find("not rio's kept"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("notes.txt"), std::string::npos) << plan.out;
  EXPECT_TRUE(fs::exists(comfy / "venv")) << "a plan removes nothing";

  auto removed = w.run(args(w, "uninstall", h, "comfyui"));
  ASSERT_EQ(removed.code, 0) << removed.err << removed.out;
  EXPECT_FALSE(fs::exists(comfy / "venv"));
  EXPECT_FALSE(fs::exists(comfy / ".git"));
  EXPECT_FALSE(fs::exists(comfy / "main.py"));
  EXPECT_FALSE(fs::exists(h.home() / ".config/comfyvn/remote/comfyui.installed"));
  EXPECT_FALSE(fs::exists(h.home() / ".config/comfyvn/remote/comfyui.json")) << "rio's config copy";
  EXPECT_EQ(read_file(comfy / "models/checkpoints/model.safetensors"), "weights");
  EXPECT_EQ(read_file(comfy / "notes.txt"), "the operator's");
  auto rec = comfyui_record(w, h);
  EXPECT_EQ(str(rec["state"]), "uninstalled");
  // Only what stayed is still recorded, as --purge's to remove.
  ASSERT_EQ(rec["created"].as_array().size(), 1u) << boost::json::serialize(rec);
  EXPECT_EQ(str(rec["created"].as_array()[0].as_object()["path"]), "~/ComfyUI");
  EXPECT_EQ(str(rec["created"].as_array()[0].as_object()["kind"]), "purge");
  auto again = w.run(args(w, "uninstall", h, "comfyui"));
  EXPECT_EQ(again.code, 0) << again.out;
  EXPECT_NE(again.out.find("nothing to do"), std::string::npos) << again.out;
  EXPECT_EQ(read_file(comfy / "notes.txt"), "the operator's");

  // Installed again, the checkout goes back in around the operator's files, never over them.
  std::ofstream{comfy / "main.py"} << "the operator's own main.py";
  auto reinstalled = w.run(args(w, "install", h, "comfyui"));
  ASSERT_EQ(reinstalled.code, 0) << reinstalled.err << reinstalled.out;
  EXPECT_TRUE(fs::exists(comfy / ".git"));
  EXPECT_TRUE(fs::exists(comfy / "requirements.txt"));
  EXPECT_EQ(read_file(comfy / "main.py"), "the operator's own main.py");
  EXPECT_EQ(read_file(comfy / "models/checkpoints/model.safetensors"), "weights");
  ASSERT_EQ(w.run(args(w, "uninstall", h, "comfyui")).code, 0);

  // --purge removes what stayed, after the plan named it.
  auto leftover_plan = w.run(args(w, "uninstall", h, "comfyui", {"--purge", "--dry-run"}));
  EXPECT_NE(leftover_plan.out.find("REMOVED (--purge)"), std::string::npos) << leftover_plan.out;
  EXPECT_NE(leftover_plan.out.find("models"), std::string::npos) << leftover_plan.out;
  auto leftover = w.run(args(w, "uninstall", h, "comfyui", {"--purge"}));
  ASSERT_EQ(leftover.code, 0) << leftover.err << leftover.out;
  EXPECT_FALSE(fs::exists(comfy)) << "the model and the operator's file went with --purge";

  auto purge_plan = w.run(args(w, "uninstall", h, "sillytavern", {"--purge", "--dry-run"}));
  EXPECT_NE(purge_plan.out.find("REMOVED (--purge)"), std::string::npos) << purge_plan.out;
  EXPECT_NE(purge_plan.out.find("data/"), std::string::npos) << purge_plan.out;
  auto purged = w.run(args(w, "uninstall", h, "sillytavern", {"--purge"}));
  ASSERT_EQ(purged.code, 0) << purged.err << purged.out;
  EXPECT_FALSE(fs::exists(tavern));
}

TEST(EngineLifecycle, OllamaUpdatesThroughItsInstallScriptAndRollsBack) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  ASSERT_EQ(w.run(args(w, "install", h, "ollama")).code, 0);
  auto updated = w.run(args(w, "update", h, "ollama", {"--to", "0.6.2"}));
  ASSERT_EQ(updated.code, 0) << updated.err << updated.out;
  auto manifest = parse_object(status_file_text(w, h));
  EXPECT_EQ(str(manifest["modules"].as_object()["ollama"].as_object()["version"]), "0.6.2");
  auto back = w.run(args(w, "rollback", h, "ollama"));
  ASSERT_EQ(back.code, 0) << back.err << back.out;
  manifest = parse_object(status_file_text(w, h));
  EXPECT_EQ(str(manifest["modules"].as_object()["ollama"].as_object()["version"]), "0.0.0-rio-fixture");

  // Without --purge Ollama (system-wide) stays; --purge runs its documented uninstall.
  auto kept = w.run(args(w, "uninstall", h, "ollama"));
  ASSERT_EQ(kept.code, 0) << kept.err << kept.out;
  EXPECT_TRUE(fs::exists(h.home() / ".local/bin/ollama"));
  auto plan = w.run(args(w, "uninstall", h, "ollama", {"--purge", "--dry-run"}));
  EXPECT_NE(plan.out.find("purge: " + (h.home() / ".local/bin/ollama").string()), std::string::npos) << plan.out;
  ASSERT_EQ(w.run(args(w, "install", h, "ollama")).code, 0);
  auto purged = w.run(args(w, "uninstall", h, "ollama", {"--purge"}));
  ASSERT_EQ(purged.code, 0) << purged.err << purged.out;
  EXPECT_FALSE(fs::exists(h.home() / ".local/bin/ollama"));
}

TEST(EngineLifecycle, AKilledUpdateLeavesAHostThatRollbackRestores) {
  REQUIRE_SSHD();
  engine_world w;
  auto& h = w.add_host();
  ASSERT_EQ(w.run(args(w, "install", h, "comfyui")).code, 0);
  const fs::path repo = h.home() / "ComfyUI";
  const std::string commit = git_head(repo), packages = freeze(repo);
  const fs::path gate = w.scratch() / "gate", hold = w.scratch() / "hold";
  ASSERT_EQ(::mkfifo(gate.c_str(), 0600), 0);
  ASSERT_EQ(::mkfifo(hold.c_str(), 0600), 0);
  upstream_commit(w, "comfyui", {{"requirements.txt", "torch\nnumpy==2.0.0\n# rio-fixture: gate " + gate.string() + " " + hold.string() + "\n"}});

  auto update = w.spawn(args(w, "update", h, "comfyui"), "update");
  ASSERT_GT(update.pid, 0);
  EXPECT_EQ(engine_world::pass_gate(gate), "reached") << "the requirements step is running on the host";
  ::kill(update.pid, SIGKILL);
  EXPECT_EQ(update.wait(), 128 + SIGKILL);
  EXPECT_NE(git_head(repo), commit) << "killed half-way: checked out, dependencies not done";

  auto back = w.run(engine_world::with(args(w, "rollback", h, "comfyui"), {"--wait=60"}));
  ASSERT_EQ(back.code, 0) << back.err << back.out;
  EXPECT_EQ(git_head(repo), commit);
  EXPECT_EQ(freeze(repo), packages);
}

}  // namespace
}  // namespace rio::test
