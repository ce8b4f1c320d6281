// openssh_shell::exec: one ssh process per command, its output streamed and bounded.
#include <rio/kernel/openssh/openssh_shell.hpp>

#include <rio/kernel/openssh/child_process.hpp>
#include <rio/kernel/openssh/output_tail.hpp>
#include <rio/kernel/openssh/ssh_failure.hpp>
#include <rio/kernel/openssh/supervise.hpp>
#include <rio/sdk/coro.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>

#include <sys/wait.h>

#include <exception>

namespace rio::kernel::openssh {
namespace asio = boost::asio;

namespace {

// Where output goes: the caller's sink, live, and the bounded tails.
struct exec_output {
  sdk::output_sink* sink = nullptr;
  output_tail out;
  output_tail err;
  std::exception_ptr sink_threw;

  void on_chunk(sdk::output_stream stream, std::string_view chunk) {
    (stream == sdk::output_stream::out ? out : err).append(chunk);
    if (sink == nullptr) return;
    try {
      sink->on_output(stream, chunk);
    } catch (...) {
      // A throwing sink is the caller's bug: stop calling it but keep draining, or ssh would
      // block on a full pipe; the exception is rethrown once the child is reaped.
      sink_threw = std::current_exception();
      sink = nullptr;
    }
  }
};

// The command's environment goes to ssh's stdin (never into its argv), then stdin ends: the
// command itself reads EOF there, as with /dev/null before.
asio::awaitable<void> feed_stdin(child_process& child, std::string_view preamble) {
  co_await asio::async_write(child.stdin_socket(), asio::buffer(preamble.data(), preamble.size()), sdk::use_nothrow);
  child.close_stdin();
}

// stdout and stderr are read concurrently so that neither can fill its pipe and stall ssh.
asio::awaitable<void> read_outputs(child_process& child, exec_output& output) {
  using namespace asio::experimental::awaitable_operators;
  co_await (read_until_eof(child.stdout_pipe(), [&](std::string_view c) { output.on_chunk(sdk::output_stream::out, c); }) &&
            read_until_eof(child.stderr_pipe(), [&](std::string_view c) { output.on_chunk(sdk::output_stream::err, c); }));
}

asio::awaitable<void> pump(child_process& child, exec_output& output, std::string_view preamble) {
  using namespace asio::experimental::awaitable_operators;
  if (preamble.empty()) {
    co_await (read_outputs(child, output) || exit_then_linger(child, output_linger));
  } else {
    co_await ((feed_stdin(child, preamble) && read_outputs(child, output)) || exit_then_linger(child, output_linger));
  }
  co_await child.wait_exit();
}

}  // namespace

asio::awaitable<sdk::result<sdk::exec_result>> openssh_shell::exec(sdk::exec_request request) {
  if (request.timeout.count() <= 0) co_return ssh::fail(ssh::errc::bad_option, "command timeout must be positive");
  auto command = ssh::wrap_command(request.command, request.env, request.timeout);
  if (!command) co_return command.error();
  auto state = co_await asio::this_coro::cancellation_state;
  if (state.cancelled() != asio::cancellation_type::none) {
    co_return sdk::fail(sdk::errc::cancelled, host_ + ": command cancelled before it started");
  }

  const auto started = std::chrono::steady_clock::now();
  const std::string_view preamble = command->stdin_preamble;
  auto child = start(co_await asio::this_coro::executor, std::move(command->line), !preamble.empty());
  if (!child) co_return child.error();
  exec_output output;
  output.sink = request.sink;
  const run_end end = co_await supervise(**child, pump(**child, output, preamble), client_deadline(request.timeout));
  if (output.sink_threw) std::rethrow_exception(output.sink_threw);

  sdk::exec_result r;
  r.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  r.stdout_tail = output.out.str();
  r.stderr_tail = output.err.str();
  r.stdout_bytes = output.out.bytes();
  r.stderr_bytes = output.err.bytes();
  if (end == run_end::cancelled) {
    co_return sdk::fail(sdk::errc::cancelled, host_ + ": command cancelled; the local ssh was stopped");
  }
  if (end == run_end::deadline) {
    r.timed_out = true;
    co_return r;
  }
  const int status = (*child)->wait_status();
  if (WIFSIGNALED(status)) {
    co_return ssh::fail(ssh::errc::connection_lost, host_ + ": ssh was killed by SIG" + signal_name(WTERMSIG(status)) +
                                                        " (ssh said: " + condense(r.stderr_tail) + ")");
  }
  const int code = WEXITSTATUS(status);
  if (code == 255) {
    if (auto failure = classify_ssh_failure(r.stderr_tail, host_)) co_return *failure;
  }
  // The remote `timeout` reports 124 (137 when TERM was ignored); a command may also exit so by
  // itself, well before the deadline.
  if (ssh::stopped_by_timeout(code, r.duration, request.timeout)) {
    r.timed_out = true;
    co_return r;
  }
  r.exit_code = code;
  co_return r;
}

}  // namespace rio::kernel::openssh
