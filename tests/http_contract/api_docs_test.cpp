// docs/api.md's curl examples, run as written against a live server: every ```sh block that
// starts with `curl` is run with /bin/sh, in page order, after these substitutions:
//   http://127.0.0.1:8001           the test server
//   gpu1.lab, gpu2.lab              two throwaway loopback SSH hosts (same login key, in ~/.ssh)
//   https://ollama.com/install.sh   the offline fixture installer
//   20261127T130509Z-69ff7c3e       the run id the latest earlier example printed
// Each must exit 0 and print JSON (an HTTP head from -i is skipped) or an event stream; an endless
// stream ended by --max-time may exit 28. JSON with "ok": false must be expected: its `code` has
// to appear in the block (e.g. "# → 409 http_409").
#include "../engine/engine_test_support.hpp"
#include "contract_support.hpp"

#include <boost/json/serialize.hpp>

#include <cstdlib>
#include <sys/wait.h>

namespace rio::test::contract {
namespace {

namespace json = boost::json;

struct example {
  int line = 0;  ///< of the ```sh fence in docs/api.md
  std::string script;
};

std::vector<example> curl_examples(const fs::path& markdown) {
  std::vector<example> out;
  std::ifstream in{markdown};
  std::string line;
  int number = 0;
  std::optional<example> open;
  bool other_fence = false;
  while (std::getline(in, line)) {
    ++number;
    if (open) {
      if (line.starts_with("```")) {
        if (open->script.starts_with("curl")) out.push_back(*open);
        open.reset();
      } else {
        open->script += line + "\n";
      }
    } else if (line.starts_with("```")) {
      if (other_fence) {
        other_fence = false;
      } else if (line == "```sh") {
        open = example{number, {}};
      } else {
        other_fence = true;
      }
    }
  }
  return out;
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (std::size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) text.replace(at, from.size(), to);
}

struct shell_run {
  int code = -1;
  std::string out, err;
};

/** Runs `script` with /bin/sh: its exit status (or -1), stdout and stderr. */
shell_run run_shell(const fs::path& dir, const std::string& script, const std::string& token) {
  const fs::path file = dir / "example.sh", out = dir / "example.out", err = dir / "example.err";
  std::ofstream{file} << "export RIO_API_TOKEN='" << token << "'\n" << script;
  // A hung example fails after 5 minutes instead of hanging the suite.
  const std::string bound = fs::exists("/usr/bin/timeout") ? "/usr/bin/timeout 300 " : "";
  const std::string command = bound + "/bin/sh '" + file.string() + "' >'" + out.string() + "' 2>'" + err.string() + "' </dev/null";
  int status = std::system(command.c_str());
  return {status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out), read_file(err)};
}

std::string strip_http_head(const std::string& text) {
  if (!text.starts_with("HTTP/")) return text;
  auto end = text.find("\r\n\r\n");
  return end == std::string::npos ? std::string{} : text.substr(end + 4);
}

TEST(ApiDocs, EveryCurlExampleRunsAgainstALiveServer) {
  const fs::path page = fs::path{RIO_TEST_SOURCE_DIR} / "docs/api.md";
  ASSERT_TRUE(fs::exists(page)) << page;
  const auto examples = curl_examples(page);
  ASSERT_GE(examples.size(), 10u) << "docs/api.md should show every route with curl";
  if (!fs::exists("/usr/bin/curl")) GTEST_SKIP() << "needs /usr/bin/curl";
  REQUIRE_SSHD();

  engine_world w;
  auto& gpu1 = w.add_host();
  auto& gpu2 = w.add_host();
  // One login key for both hosts, where ssh looks by default: ~/.ssh/id_ed25519 of the server's HOME.
  const fs::path home = w.scratch() / "home";
  fs::create_directories(home / ".ssh");
  fs::copy_file(gpu1.user_key(), home / ".ssh/id_ed25519");
  fs::permissions(home / ".ssh/id_ed25519", fs::perms::owner_read | fs::perms::owner_write);
  std::ofstream{gpu2.dir() / "sshd/authorized_keys", std::ios::app} << read_file(gpu1.user_key().string() + ".pub");

  // The vault entry the secrets example names, written as the page says (rio vault set).
  const auto user_file = w.scratch() / "vault-user";
  std::ofstream{user_file} << gpu1.target().user << "\n";
  auto stored = w.run({"--root", w.root().string(), "vault", "set", "remote_installer", "defaults", "user", "--value-file", user_file.string()});
  ASSERT_EQ(stored.code, 0) << stored.err;

  live_server api{w.root(), {.flag_on = true, .token = std::nullopt, .env = {{"HOME", home.string()}}}};
  // The security routes' examples need their own flag (off by default), as the page says. Nothing
  // has read it yet, so the file's new mtime need not differ from the old.
  std::ofstream{w.root() / "config/comfyvn.json"} << R"({"features": {"enable_remote_installer": true, "enable_security_api": true}})" << "\n";
  const std::map<std::string, std::string> fixed{
      {"http://127.0.0.1:8001", api.base_url()},
      {"gpu1.lab", "127.0.0.1:" + std::to_string(gpu1.target().port)},
      {"gpu2.lab", "127.0.0.1:" + std::to_string(gpu2.target().port)},
      {"https://ollama.com/install.sh", w.fixtures().options.at("ollama").at("installer_url")},
  };
  std::string last_run_id;
  for (const auto& ex : examples) {
    std::string script = ex.script;
    for (const auto& [from, to] : fixed) replace_all(script, from, to);
    if (!last_run_id.empty()) replace_all(script, "20261127T130509Z-69ff7c3e", last_run_id);
    SCOPED_TRACE("docs/api.md:" + std::to_string(ex.line) + "\n" + script);

    auto [code, printed, errors] = run_shell(w.scratch(), script, "example-token-0123456789");
    // An endless stream is cut by --max-time: curl's exit 28, with whatever events came.
    const bool cut = code == 28 && script.find("--max-time") != std::string::npos;
    EXPECT_TRUE(code == 0 || cut) << "exit " << code << "\n" << printed << "\n" << errors;
    const std::string body = strip_http_head(printed);
    if (body.starts_with("event:") || body.starts_with("id:") || body.starts_with(":") || (cut && body.empty())) {
      auto events = parse_events(body);
      if (!cut) {
        ASSERT_FALSE(events.empty()) << body;
        EXPECT_EQ(events.back().event, "end") << body.substr(0, 2000);
      }
      continue;
    }
    json::value v = parse_json(body);
    ASSERT_TRUE(v.is_object()) << "not a JSON object:\n" << body.substr(0, 2000);
    const auto& o = v.get_object();
    if (const auto* id = o.if_contains("run_id"); id != nullptr && id->is_string()) last_run_id = std::string{id->get_string()};
    if (const auto* ok = o.if_contains("ok"); ok != nullptr && ok->is_bool() && !ok->get_bool()) {
      const std::string error_code = o.contains("code") ? std::string{o.at("code").as_string()} : "?";
      EXPECT_NE(ex.script.find(error_code), std::string::npos)
          << "an unexpected error (the block does not mention " << error_code << "):\n" << body.substr(0, 2000);
    } else if (o.contains("succeeded")) {
      EXPECT_EQ(o.at("succeeded"), true) << body.substr(0, 2000);
    }
  }
}

}  // namespace
}  // namespace rio::test::contract
