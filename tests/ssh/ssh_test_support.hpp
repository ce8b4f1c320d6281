#pragma once
// Shared set-up for the libssh2 transport tests: a real sshd, connect options that trust it, and
// a way to run a coroutine against it.

#include <rio/kernel/ssh/session.hpp>
#include <rio/sdk/testing/run_co.hpp>

#include "sshd_server.hpp"

#include <fstream>

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

/** Skips the test where openssh-server is not installed. */
#define RIO_REQUIRE_SSHD() \
  if (!::rio::test::sshd_server::available()) GTEST_SKIP() << "openssh-server is not installed"

/** Connects (or returns the error), on a fresh io_context. */
inline sdk::result<session_ptr> connect_now(kernel::ssh::connect_options options) {
  return sdk::testing::run_co([&] { return kernel::ssh::session::connect(std::move(options)); });
}

}  // namespace rio::test
