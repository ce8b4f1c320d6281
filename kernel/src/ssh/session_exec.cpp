// session::exec and session::upload: serialised on the session, each one channel.

#include "channel_run.hpp"

#include <rio/kernel/ssh/remote_command.hpp>

namespace rio::kernel::ssh {
namespace asio = boost::asio;

namespace {

sdk::error lost(const session::impl& s) {
  return fail(errc::connection_lost, "the connection to " + display_name(s.options.where) + " is no longer usable");
}

}  // namespace

asio::awaitable<result<sdk::exec_result>> session::exec(sdk::exec_request request) {
  impl& s = *impl_;
  if (request.timeout.count() <= 0) co_return fail(errc::bad_option, "command timeout must be positive");
  auto wrapped = wrap_command(request.command, request.env, request.timeout, /*watch_stdin=*/true);
  if (!wrapped) co_return wrapped.error();
  if (!co_await s.mutex.lock()) co_return sdk::fail(sdk::errc::cancelled, "cancelled while waiting for the session");
  detail::unlock_on_exit unlock{s.mutex};
  if (!usable()) co_return lost(s);

  // Keepalive rides along with use: libssh2 sends one only when the interval has passed.
  int next_keepalive = 0;
  libssh2_keepalive_send(s.raw, &next_keepalive);

  // The host's own `timeout` stops the command at request.timeout; the client waits a little
  // longer so the remote exit status (124) arrives, then gives up on the channel itself.
  const auto deadline = clock::now() + request.timeout + client_grace;
  auto outcome = co_await run_channel(s, wrapped->line, wrapped->stdin_preamble, request.sink, deadline, nullptr);
  if (!outcome) co_return outcome.error();
  sdk::exec_result r = std::move(outcome->result);
  if (!r.timed_out && stopped_by_timeout(r.exit_code, r.duration, request.timeout)) {
    r.timed_out = true;
    r.exit_code = -1;
  }
  co_return r;
}

asio::awaitable<int> session::keepalive() {
  impl& s = *impl_;
  if (!usable() || s.options.keepalive.count() <= 0) co_return 0;
  if (!s.mutex.try_lock()) co_return static_cast<int>(s.options.keepalive.count());  // busy: traffic enough
  detail::unlock_on_exit unlock{s.mutex};
  int next = 0;
  const auto deadline = clock::now() + std::chrono::seconds{5};
  auto [rc, stopped] = co_await s.call([&] { return libssh2_keepalive_send(s.raw, &next); }, deadline);
  if (stopped != impl::stop::none || rc != 0) {
    s.broken = true;
    co_return 0;
  }
  ++s.keepalives;
  co_return next > 0 ? next : static_cast<int>(s.options.keepalive.count());
}

std::uint64_t session::keepalives_sent() const noexcept { return impl_->keepalives; }

asio::awaitable<result<sdk::upload_result>> session::upload(sdk::upload_request request) {
  impl& s = *impl_;
  auto source = upload_source::open(request.local);
  if (!source) co_return source.error();
  auto receiver = upload_receiver(request.remote, (*source)->is_directory(), request.no_clobber,
                                       (*source)->payload_bytes());
  if (!receiver) co_return receiver.error();
  auto wrapped = wrap_command(*receiver, {}, request.timeout);
  if (!wrapped) co_return wrapped.error();
  if (!co_await s.mutex.lock()) co_return sdk::fail(sdk::errc::cancelled, "cancelled while waiting for the session");
  detail::unlock_on_exit unlock{s.mutex};
  if (!usable()) co_return lost(s);

  const auto deadline = clock::now() + request.timeout + client_grace;
  // The receiver itself travels on stdin ahead of the payload (wrap_command's bootstrap).
  auto outcome = co_await run_channel(s, wrapped->line, wrapped->stdin_preamble, nullptr, deadline, source->get());
  if (!outcome) co_return outcome.error();
  sdk::upload_result r;
  if (outcome->upload_exists) {
    r.left_existing = true;
    co_return r;
  }
  const auto& ran = outcome->result;
  if (!ran.ok()) {
    std::string why = ran.timed_out ? "timed out" : "exit code " + std::to_string(ran.exit_code);
    co_return fail(errc::upload_failed, "upload to " + request.remote + " on " + display_name(s.options.where) +
                                            " failed (" + why + "): " + ran.stderr_tail);
  }
  r.uploaded = true;
  r.bytes = (*source)->payload_bytes();
  co_return r;
}

}  // namespace rio::kernel::ssh
