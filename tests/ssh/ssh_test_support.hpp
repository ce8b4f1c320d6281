#pragma once
// Shared set-up for the libssh2 transport tests: a real sshd, connect options that trust it, and
// a way to run a coroutine against it.

#include <rio/kernel/ssh/session.hpp>
#include <rio/sdk/testing/run_co.hpp>

#include "sshd_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <fstream>
#include <memory>

namespace rio::test {

/** Options that connect to `server` as its user with its key, trusting its host key. */
inline kernel::ssh::connect_options trusted_options(const sshd_server& server) {
  auto known = server.scratch() / "trusted_known_hosts";
  if (!std::filesystem::exists(known)) std::ofstream(known) << server.known_hosts_line() << "\n";
  kernel::ssh::connect_options o;
  o.where = {server.address(), server.port(), server.user()};
  o.hosts.read = {known};
  o.hosts.record = server.scratch() / "rio_known_hosts";
  o.hosts.policy = kernel::ssh::host_key_policy::strict;
  o.auth.identity_files = {server.user_key()};
  o.auth.use_agent = false;
  o.auth.default_identities = false;
  o.connect_timeout = std::chrono::seconds{10};
  return o;
}

using session_ptr = std::shared_ptr<kernel::ssh::session>;

/** A command request with a generous default timeout. */
inline sdk::exec_request command(std::string text,
                                 std::chrono::milliseconds timeout = std::chrono::seconds{60}) {
  sdk::exec_request r;
  r.command = std::move(text);
  r.timeout = timeout;
  return r;
}

// Both transports' supports define it; a test may include both.
#ifndef RIO_REQUIRE_SSHD
/** Skips the test where openssh-server is not installed. */
#define RIO_REQUIRE_SSHD() \
  if (!::rio::test::sshd_server::available()) GTEST_SKIP() << "openssh-server is not installed"
#endif

/**
 * A connection made on its own io_context, which it keeps alive: a session's socket belongs to
 * the context it was opened on and must be destroyed before it (members destroy in reverse).
 */
class connection_result {
 public:
  explicit connection_result(kernel::ssh::connect_options options)
      : io_(std::make_unique<boost::asio::io_context>()), result_(connect(*io_, std::move(options))) {}

  explicit operator bool() const noexcept { return static_cast<bool>(result_); }
  sdk::error error() const { return result_.error(); }
  const session_ptr& operator*() const { return *result_; }

 private:
  static sdk::result<session_ptr> connect(boost::asio::io_context& io, kernel::ssh::connect_options options) {
    auto future = boost::asio::co_spawn(io, kernel::ssh::session::connect(std::move(options)), boost::asio::use_future);
    io.run();
    return future.get();
  }
  std::unique_ptr<boost::asio::io_context> io_;
  sdk::result<session_ptr> result_;
};

/** Connects (or returns the error) on a fresh io_context that lives as long as the result. */
inline connection_result connect_now(kernel::ssh::connect_options options) { return connection_result{std::move(options)}; }

}  // namespace rio::test
