#pragma once
// A scripted remote shell for module tests. Module authors get it with the SDK
// (target rio::sdk_testing), so their tests exercise the same code paths as rio's own.
//
//   rio::sdk::testing::fake_remote_shell shell;
//   shell.on("test -d", exits(1));                     // nothing installed yet
//   shell.on("git clone", exits(128, "fatal: repository not found"));
//   auto report = run_co([&] { return module.install(ctx); });
//   EXPECT_EQ(shell.bodies().back(), ...);

#include <rio/sdk/remote_shell.hpp>

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace rio::sdk::testing {

/** What the fake answers to a command. */
struct scripted_reply {
  int exit_code = 0;
  std::string stdout_text;
  std::string stderr_text;
  bool timed_out = false;
  std::optional<error> failure;  ///< return this error instead of a result (transport failure)
  bool hang = false;             ///< never complete; only cancellation ends the call
};

/** A command that exits with `code`, optionally writing `stderr_text`. */
inline scripted_reply exits(int code, std::string stderr_text = {}) {
  scripted_reply r;
  r.exit_code = code;
  r.stderr_text = std::move(stderr_text);
  return r;
}

/** A command that prints `stdout_text` and exits 0. */
inline scripted_reply prints(std::string stdout_text) {
  scripted_reply r;
  r.stdout_text = std::move(stdout_text);
  return r;
}

/** A transport failure (the command could not run or the connection dropped). */
inline scripted_reply fails(error failure) {
  scripted_reply r;
  r.failure = std::move(failure);
  return r;
}

/** A command that never completes; only cancellation ends it. */
inline scripted_reply hangs() {
  scripted_reply r;
  r.hang = true;
  return r;
}

/**
 * Answers each exec with the first rule (in the order added) whose needle occurs in the command
 * body (the text after the SDK prelude), else the default reply (exit 0). A detect script is
 * "run" probe by probe: each probe's command is matched on its own, so tests script probes the
 * same way they script steps.
 */
class fake_remote_shell final : public remote_shell {
 public:
  fake_remote_shell& on(std::string needle, scripted_reply reply);
  fake_remote_shell& otherwise(scripted_reply reply);

  /** Uploads to this remote path find it present (no_clobber then leaves it alone). */
  fake_remote_shell& remote_path_exists(std::string remote_path);
  /** Every upload fails with this error. */
  fake_remote_shell& fail_uploads(error failure);

  boost::asio::awaitable<result<exec_result>> exec(exec_request request) override;
  boost::asio::awaitable<result<upload_result>> upload(upload_request request) override;

  /** Every exec request, in order, exactly as received. */
  const std::vector<exec_request>& requests() const noexcept { return requests_; }
  /** The command bodies (SDK prelude removed), in order. */
  std::vector<std::string> bodies() const;
  /** Every upload request, in order. */
  const std::vector<upload_request>& uploads() const noexcept { return uploads_; }
  /** Exec bodies and uploads interleaved in the order they happened: "exec: ..." / "upload: <remote>". */
  const std::vector<std::string>& journal() const noexcept { return journal_; }

 private:
  struct rule {
    std::string needle;
    scripted_reply reply;
  };
  const scripted_reply& reply_for(const std::string& body) const;
  std::string run_probe_script(const std::string& body) const;

  std::vector<rule> rules_;
  scripted_reply default_reply_;
  std::set<std::string> existing_;
  std::optional<error> upload_failure_;
  std::vector<exec_request> requests_;
  std::vector<upload_request> uploads_;
  std::vector<std::string> journal_;
};

/** The body of a command the SDK sent: the text after shell_prelude(). */
std::string strip_prelude(const std::string& command);

}  // namespace rio::sdk::testing
