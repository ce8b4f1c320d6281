#include <rio/sdk/testing/fake_remote_shell.hpp>

#include <rio/sdk/shell.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <rio/sdk/coro.hpp>

namespace rio::sdk::testing {
namespace asio = boost::asio;

std::string strip_prelude(const std::string& command) {
  auto prelude = shell_prelude();
  if (command.compare(0, prelude.size(), prelude) == 0) return command.substr(prelude.size());
  return command;
}

fake_remote_shell& fake_remote_shell::on(std::string needle, scripted_reply reply) {
  rules_.push_back({std::move(needle), std::move(reply)});
  return *this;
}

fake_remote_shell& fake_remote_shell::otherwise(scripted_reply reply) {
  default_reply_ = std::move(reply);
  return *this;
}

fake_remote_shell& fake_remote_shell::remote_path_exists(std::string remote_path) {
  existing_.insert(std::move(remote_path));
  return *this;
}

fake_remote_shell& fake_remote_shell::fail_uploads(error failure) {
  upload_failure_ = std::move(failure);
  return *this;
}

const scripted_reply& fake_remote_shell::reply_for(const std::string& body) const {
  for (const auto& r : rules_) {
    if (body.find(r.needle) != std::string::npos) return r.reply;
  }
  return default_reply_;
}

std::string fake_remote_shell::run_probe_script(const std::string& body) const {
  // The script is a sequence of "( <probe>\n) </dev/null ...; echo \"rio-probe <i> $?\"" blocks.
  std::string out;
  std::size_t pos = 0;
  int index = 0;
  while ((pos = body.find("( ", pos)) != std::string::npos) {
    auto end = body.find("\n) </dev/null", pos);
    if (end == std::string::npos) break;
    std::string probe = body.substr(pos + 2, end - pos - 2);
    out += "rio-probe " + std::to_string(index++) + " " + std::to_string(reply_for(probe).exit_code) + "\n";
    pos = end;
  }
  return out;
}

asio::awaitable<result<exec_result>> fake_remote_shell::exec(exec_request request) {
  std::string body = strip_prelude(request.command);
  requests_.push_back(request);
  journal_.push_back("exec: " + body);

  exec_result out;
  if (body.find("rio-probe") != std::string::npos) {
    // A rule can still fail or time out the whole detect command (a transport problem); otherwise
    // each probe is answered on its own.
    const scripted_reply& whole = reply_for(body);
    if (whole.failure) co_return *whole.failure;
    if (whole.timed_out) {
      out.timed_out = true;
      out.duration = request.timeout;
      co_return out;
    }
    out.exit_code = 0;
    out.stdout_tail = run_probe_script(body);
    out.stdout_bytes = out.stdout_tail.size();
    co_return out;
  }

  const scripted_reply& reply = reply_for(body);
  if (reply.hang) {
    asio::steady_timer forever{co_await asio::this_coro::executor, asio::steady_timer::time_point::max()};
    auto [ec] = co_await forever.async_wait(use_nothrow);
    co_return fail(errc::cancelled, "command cancelled: " + (ec ? ec.message() : std::string{"woken"}));
  }
  if (reply.failure) co_return *reply.failure;
  out.exit_code = reply.timed_out ? -1 : reply.exit_code;
  out.timed_out = reply.timed_out;
  out.stdout_tail = reply.stdout_text;
  out.stderr_tail = reply.stderr_text;
  out.stdout_bytes = reply.stdout_text.size();
  out.stderr_bytes = reply.stderr_text.size();
  out.duration = reply.timed_out ? request.timeout : std::chrono::milliseconds{1};
  if (request.sink != nullptr) {
    if (!reply.stdout_text.empty()) request.sink->on_output(output_stream::out, reply.stdout_text);
    if (!reply.stderr_text.empty()) request.sink->on_output(output_stream::err, reply.stderr_text);
  }
  co_return out;
}

asio::awaitable<result<upload_result>> fake_remote_shell::upload(upload_request request) {
  uploads_.push_back(request);
  journal_.push_back("upload: " + request.remote);
  if (upload_failure_) co_return *upload_failure_;
  upload_result out;
  if (request.no_clobber && existing_.count(request.remote) != 0) {
    out.left_existing = true;
    co_return out;
  }
  std::error_code ec;
  if (std::filesystem::is_regular_file(request.local, ec)) {
    out.bytes = static_cast<std::uint64_t>(std::filesystem::file_size(request.local, ec));
  }
  out.uploaded = true;
  existing_.insert(request.remote);
  co_return out;
}

std::vector<std::string> fake_remote_shell::bodies() const {
  std::vector<std::string> out;
  out.reserve(requests_.size());
  for (const auto& r : requests_) out.push_back(strip_prelude(r.command));
  return out;
}

}  // namespace rio::sdk::testing
