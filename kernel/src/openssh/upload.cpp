// openssh_shell::upload: the shared upload receiver fed through ssh's stdin.
//
// Why not scp_command: scp (SFTP underneath since OpenSSH 9) writes the destination in place, has
// no no-clobber mode, and expands `~` differently across versions. Streaming into
// ssh::upload_receiver gives exactly the libssh2 transport's behaviour (temporary name, rename,
// "exists" report, remote `~`) over the same ssh command line, host-key policy and allow-list.
#include <rio/kernel/openssh/openssh_shell.hpp>

#include <rio/kernel/openssh/child_process.hpp>
#include <rio/kernel/openssh/output_tail.hpp>
#include <rio/kernel/openssh/ssh_failure.hpp>
#include <rio/kernel/openssh/supervise.hpp>
#include <rio/kernel/ssh/upload_source.hpp>
#include <rio/sdk/coro.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>

#include <signal.h>
#include <sys/wait.h>

#include <optional>
#include <vector>

namespace rio::kernel::openssh {
namespace asio = boost::asio;

namespace {

struct upload_state {
  std::string first_line;  // the receiver's verdict, before anything is sent
  bool ready = false;
  bool exists = false;
  bool sent_all = false;
  std::uint64_t sent = 0;
  std::optional<sdk::error> source_error;
  boost::system::error_code write_error;
  output_tail out;
  output_tail err;
};

asio::awaitable<void> send_source(child_process& child, upload_state& st, ssh::upload_source& source) {
  std::vector<char> buf(64 * 1024);
  for (;;) {
    // A local read of 64 KiB, usually from the page cache; short enough to do on the executor.
    auto n = source.read(buf);
    if (!n) {
      st.source_error = n.error();
      // Do not end the stream cleanly: a file receiver would take the truncated data as whole.
      child.signal_group(SIGKILL);
      break;
    }
    if (*n == 0) {
      st.sent_all = true;
      break;
    }
    auto [ec, written] =
        co_await asio::async_write(child.stdin_socket(), asio::buffer(buf.data(), *n), sdk::use_nothrow);
    st.sent += written;
    if (ec) {
      st.write_error = ec;  // the receiver or ssh ended early; its stderr says why
      break;
    }
  }
  child.close_stdin();
}

// Reads stdout up to the receiver's first line, then sends the payload (on "ready") while
// draining the rest of stdout, or just drains it (on "exists" or anything unexpected).
// The receiver program goes first (wrap_command's bootstrap reads it from stdin): it says
// nothing before it has arrived.
asio::awaitable<void> receive_then_send(child_process& child, upload_state& st, ssh::upload_source& source,
                                        std::string_view program) {
  using namespace asio::experimental::awaitable_operators;
  auto to_tail = [&](std::string_view c) { st.out.append(c); };
  auto [wec, wrote] = co_await asio::async_write(child.stdin_socket(), asio::buffer(program.data(), program.size()),
                                                 sdk::use_nothrow);
  if (wec) st.write_error = wec;  // ssh ended early; its stderr says why, and no "ready" comes
  (void)wrote;
  std::array<char, 4096> buf;
  std::string head;
  std::size_t nl = std::string::npos;
  while (nl == std::string::npos && head.size() < 1024) {
    auto [ec, n] = co_await child.stdout_pipe().async_read_some(asio::buffer(buf), sdk::use_nothrow);
    head.append(buf.data(), n);
    nl = head.find('\n');
    if (ec) break;
  }
  if (nl != std::string::npos) {
    st.first_line = head.substr(0, nl);
    st.out.append(std::string_view{head}.substr(nl + 1));
  } else {
    st.out.append(head);
  }
  st.ready = st.first_line == ssh::upload_ready_line;
  st.exists = st.first_line == ssh::upload_exists_line;
  if (st.ready) {
    co_await (send_source(child, st, source) && read_until_eof(child.stdout_pipe(), to_tail));
  } else {
    child.close_stdin();
    co_await read_until_eof(child.stdout_pipe(), to_tail);
  }
}

asio::awaitable<void> pump(child_process& child, upload_state& st, ssh::upload_source& source,
                           std::string_view program) {
  using namespace asio::experimental::awaitable_operators;
  co_await ((receive_then_send(child, st, source, program) &&
             read_until_eof(child.stderr_pipe(), [&](std::string_view c) { st.err.append(c); })) ||
            exit_then_linger(child, output_linger));
  co_await child.wait_exit();
}

}  // namespace

asio::awaitable<sdk::result<sdk::upload_result>> openssh_shell::upload(sdk::upload_request request) {
  if (request.timeout.count() <= 0) co_return ssh::fail(ssh::errc::bad_option, "upload timeout must be positive");
  auto source = ssh::upload_source::open(request.local);
  if (!source) co_return ssh::fail(ssh::errc::upload_failed, host_ + ": " + source.error().message);
  auto receiver = ssh::upload_receiver(request.remote, (*source)->is_directory(), request.no_clobber,
                                       (*source)->payload_bytes());
  if (!receiver) co_return receiver.error();
  auto command = ssh::wrap_command(*receiver, {}, request.timeout);
  if (!command) co_return command.error();
  auto state = co_await asio::this_coro::cancellation_state;
  if (state.cancelled() != asio::cancellation_type::none) {
    co_return sdk::fail(sdk::errc::cancelled, host_ + ": upload cancelled before it started");
  }

  const auto started = std::chrono::steady_clock::now();
  auto child = start(co_await asio::this_coro::executor, std::string{command->line}, true);
  if (!child) co_return child.error();
  upload_state st;
  const run_end end =
      co_await supervise(**child, pump(**child, st, **source, command->stdin_preamble), client_deadline(request.timeout));
  const auto elapsed = std::chrono::steady_clock::now() - started;

  const std::string what = host_ + ": upload of " + request.local.string() + " to " + request.remote;
  if (end == run_end::cancelled) co_return sdk::fail(sdk::errc::cancelled, what + " cancelled");
  const std::string err = st.err.str();
  const int status = (*child)->wait_status();
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (end == run_end::deadline || (code == ssh::timeout_exit_status && elapsed >= request.timeout)) {
    co_return ssh::fail(ssh::errc::upload_failed,
                        what + " failed (timed out after " + std::to_string(request.timeout.count()) + " ms)");
  }
  // Reading the local file failed and ssh was killed on purpose: that, not the kill, is the news.
  if (st.source_error) co_return ssh::fail(ssh::errc::upload_failed, what + ": " + st.source_error->message);
  if (WIFSIGNALED(status)) {
    co_return ssh::fail(ssh::errc::connection_lost, what + ": ssh was killed by SIG" + signal_name(WTERMSIG(status)) +
                                                        " (ssh said: " + condense(err) + ")");
  }
  if (code == 255) {
    if (auto failure = classify_ssh_failure(err, host_)) co_return *failure;
  }
  if (st.exists && code == 0) co_return sdk::upload_result{false, true, 0};
  if (!st.ready) {
    co_return ssh::fail(ssh::errc::upload_failed, what + ": the receiver did not start (exit " + std::to_string(code) +
                                                      "): " + condense(err.empty() ? st.out.str() : err));
  }
  if (code != 0 || !st.sent_all) {
    const std::string local_side = st.write_error ? "; sending: " + st.write_error.message() : std::string{};
    co_return ssh::fail(ssh::errc::upload_failed, what + " failed (exit " + std::to_string(code) + ", " +
                                                      std::to_string(st.sent) + " bytes sent" + local_side +
                                                      "): " + condense(err));
  }
  co_return sdk::upload_result{true, false, (*source)->payload_bytes()};
}

}  // namespace rio::kernel::openssh
