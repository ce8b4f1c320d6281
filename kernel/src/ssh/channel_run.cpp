#include "channel_run.hpp"

#include <rio/kernel/ssh/remote_command.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <rio/sdk/coro.hpp>

#include <array>

namespace rio::kernel::ssh {
namespace asio = boost::asio;
using stop = session::impl::stop;

namespace {

// Cleanup after a timeout or cancellation gets a short budget of its own.
constexpr std::chrono::seconds cleanup_budget{2};
// A connection that ends this soon after the exec request, with no output, was dropped because of
// the command (its request), not during it.
constexpr std::chrono::seconds right_after{5};

void keep_tail(std::string& tail, const char* data, std::size_t n) {
  tail.append(data, n);
  if (tail.size() > sdk::output_tail_limit) tail.erase(0, tail.size() - sdk::output_tail_limit);
}

class channel_runner {
 public:
  channel_runner(session::impl& s, std::string_view preamble, sdk::output_sink* sink, upload_source* source)
      : s_(s), preamble_(preamble), sink_(sink), source_(source) {}

  asio::awaitable<result<channel_outcome>> run(const std::string& command, clock::time_point deadline) {
    const auto started = clock::now();
    auto [ch, st] = co_await s_.call_ptr<LIBSSH2_CHANNEL>([&] { return libssh2_channel_open_session(s_.raw); }, deadline);
    if (st != stop::none) {
      if (st == stop::cancelled) co_await asio::this_coro::reset_cancellation_state();
      co_return co_await stopped(st, "opening a channel");
    }
    if (ch == nullptr) co_return lost_or(errc::channel_failed, "cannot open a channel", libssh2_session_last_errno(s_.raw));
    ch_ = ch;
    sent_at_ = clock::now();

    auto [rc, st2] = co_await s_.call([&] {
      return libssh2_channel_process_startup(ch_, "exec", 4, command.data(), static_cast<unsigned>(command.size()));
    }, deadline);
    if (st2 != stop::none) {
      if (st2 == stop::cancelled) co_await asio::this_coro::reset_cancellation_state();
      co_return co_await stopped(st2, "starting the command");
    }
    if (rc != 0) {
      // The error first: closing the channel overwrites libssh2's last message ("Unable to send
      // close-channel request, but closing anyway" hid why the command failed).
      auto why = lost_or(errc::channel_failed, "the server refused to run the command", rc);
      co_await release(clock::now() + cleanup_budget);
      co_return why;
    }

    auto pumped = co_await pump(deadline);
    if (!pumped) {
      co_await release(clock::now() + cleanup_budget);
      co_return pumped.error();
    }
    if (*pumped != stop::none) {
      if (*pumped == stop::cancelled) {
        co_await asio::this_coro::reset_cancellation_state();
        co_return co_await stopped(stop::cancelled, "running the command");
      }
      out_.result.timed_out = true;
      co_await release(clock::now() + cleanup_budget);
    } else {
      co_await finish(deadline);
    }
    out_.result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - started);
    co_return out_;
  }

 private:
  // Reads stdout and stderr as they arrive (both, every round, so neither can stall the other)
  // and, for an upload, writes stdin. Returns the reason it stopped early, or stop::none at EOF.
  asio::awaitable<result<stop>> pump(clock::time_point deadline) {
    std::array<char, 32 * 1024> buf{};
    int stuck_rounds = 0;
    for (;;) {
      bool progressed = false;
      if (auto w = write_some(); !w) {
        co_return w.error();
      } else {
        progressed = progressed || *w;
      }
      for (int stream : {0, 1}) {
        for (;;) {
          ssize_t n = libssh2_channel_read_ex(ch_, stream, buf.data(), buf.size());
          if (n == LIBSSH2_ERROR_EAGAIN || n == 0) break;
          if (n < 0) co_return lost_or(errc::connection_lost, "reading command output failed", static_cast<int>(n));
          deliver(stream, buf.data(), static_cast<std::size_t>(n));
          progressed = true;
        }
      }
      if (libssh2_channel_eof(ch_) == 1) co_return stop::none;
      if (progressed) {
        stuck_rounds = 0;
        continue;
      }
      // Reading one stream can pull the other stream's packets off the socket into libssh2's
      // queue. Waiting for the socket then would deadlock: the server has filled our window and
      // sends nothing until we read what is already queued. So look at the queue first; retry
      // at once, and after a retry that still moved nothing, after a 1 ms pause (never a spin).
      unsigned long queued = 0;
      libssh2_channel_window_read_ex(ch_, &queued, nullptr);
      if (queued > 0) {
        if (stuck_rounds++ == 0) continue;
        asio::steady_timer pause{s_.socket.get_executor(), std::chrono::milliseconds{1}};
        co_await pause.async_wait(sdk::use_nothrow);
        continue;
      }
      auto w = co_await detail::wait_socket(s_.socket, s_.raw, deadline, s_.directionless);
      if (w == detail::wait_result::deadline) co_return stop::deadline;
      if (w == detail::wait_result::cancelled) co_return stop::cancelled;
    }
  }

  void deliver(int stream, const char* data, std::size_t n) {
    if (source_ != nullptr && stream == 0 && !answered_) {
      line_.append(data, n);
      auto eol = line_.find('\n');
      if (eol == std::string::npos) return;
      const std::string first = line_.substr(0, eol);
      answered_ = true;
      out_.upload_exists = first == upload_exists_line;
      ready_ = first == upload_ready_line;
      return;
    }
    auto& tail = stream == 0 ? out_.result.stdout_tail : out_.result.stderr_tail;
    (stream == 0 ? out_.result.stdout_bytes : out_.result.stderr_bytes) += n;
    keep_tail(tail, data, n);
    if (sink_ != nullptr) sink_->on_output(stream == 0 ? sdk::output_stream::out : sdk::output_stream::err, {data, n});
  }

  // One non-blocking round of stdin writing; true when something moved.
  result<bool> write_some() {
    if (!preamble_.empty()) {
      ssize_t n = libssh2_channel_write_ex(ch_, 0, preamble_.data(), preamble_.size());
      if (n == LIBSSH2_ERROR_EAGAIN) return false;
      if (n < 0) return lost_or(errc::channel_failed, "sending the command environment failed", static_cast<int>(n));
      preamble_.remove_prefix(static_cast<std::size_t>(n));
      return true;
    }
    if (source_ == nullptr || !ready_ || eof_sent_) return false;
    if (offset_ == pending_.size()) {
      pending_.resize(64 * 1024);
      auto n = source_->read(pending_);
      if (!n) return n.error();
      pending_.resize(*n);
      offset_ = 0;
      if (*n == 0) {
        int rc = libssh2_channel_send_eof(ch_);
        if (rc == LIBSSH2_ERROR_EAGAIN) return false;
        if (rc < 0) return lost_or(errc::upload_failed, "closing the upload stream failed", rc);
        eof_sent_ = true;
        return true;
      }
    }
    ssize_t n = libssh2_channel_write_ex(ch_, 0, pending_.data() + offset_, pending_.size() - offset_);
    if (n == LIBSSH2_ERROR_EAGAIN) return false;
    if (n < 0) return lost_or(errc::upload_failed, "sending upload data failed", static_cast<int>(n));
    offset_ += static_cast<std::size_t>(n);
    out_.sent += static_cast<std::uint64_t>(n);
    return true;
  }

  // After EOF: close the channel and read the exit status or signal.
  asio::awaitable<void> finish(clock::time_point deadline) {
    co_await s_.call([&] { return libssh2_channel_close(ch_); }, deadline);
    co_await s_.call([&] { return libssh2_channel_wait_closed(ch_); }, deadline);
    out_.result.exit_code = libssh2_channel_get_exit_status(ch_);
    char* signal = nullptr;
    std::size_t signal_len = 0;
    libssh2_channel_get_exit_signal(ch_, &signal, &signal_len, nullptr, nullptr, nullptr, nullptr);
    if (signal != nullptr) {
      out_.result.signal.assign(signal, signal_len);
      out_.result.exit_code = -1;
      libssh2_free(s_.raw, signal);
    }
    co_await release(clock::now() + cleanup_budget);
  }

  // Sends EOF on stdin, which the wrapper's watchdog answers by stopping the command's process
  // group, then drains the output until the channel ends: nothing keeps running on the host.
  asio::awaitable<void> end_remote_command(clock::time_point budget) {
    if (ch_ == nullptr || eof_sent_) co_return;
    co_await s_.call([&] { return libssh2_channel_send_eof(ch_); }, budget);
    eof_sent_ = true;
    std::array<char, 16 * 1024> sink{};
    while (libssh2_channel_eof(ch_) != 1) {
      bool moved = false;
      for (int stream : {0, 1}) {
        while (libssh2_channel_read_ex(ch_, stream, sink.data(), sink.size()) > 0) moved = true;
      }
      if (moved) continue;
      if (co_await detail::wait_socket(s_.socket, s_.raw, budget, s_.directionless) != detail::wait_result::ready) break;
    }
  }

  // Closes and frees the channel within the budget. A channel that cannot be closed in time
  // leaves the session in an unknown state, so the session is retired.
  asio::awaitable<void> release(clock::time_point budget) {
    if (ch_ == nullptr) co_return;
    auto [rc, st] = co_await s_.call([&] { return libssh2_channel_close(ch_); }, budget);
    if (st != stop::none || (rc != 0 && rc != LIBSSH2_ERROR_CHANNEL_CLOSED)) s_.broken = true;
    auto [frc, fst] = co_await s_.call([&] { return libssh2_channel_free(ch_); }, budget);
    if (fst != stop::none || frc != 0) s_.broken = true;
    ch_ = nullptr;
  }

  // A deadline or cancellation before the command finished. On cancellation the caller has
  // already reset the cancellation state: once cancelled, every co_await would throw, and the
  // channel must still be closed.
  asio::awaitable<result<channel_outcome>> stopped(stop why, const char* during) {
    if (why == stop::cancelled) {
      co_await end_remote_command(clock::now() + cleanup_budget);
      co_await release(clock::now() + cleanup_budget);
      co_return sdk::fail(sdk::errc::cancelled, std::string{"cancelled while "} + during);
    }
    co_await release(clock::now() + cleanup_budget);
    s_.broken = true;
    co_return fail(errc::connection_lost, std::string{"no answer from "} + display_name(s_.options.where) +
                                              " while " + during);
  }

  sdk::error lost_or(errc otherwise, const std::string& what, int rc) {
    if (session::impl::is_connection_error(rc) || libssh2_session_last_errno(s_.raw) == LIBSSH2_ERROR_SOCKET_DISCONNECT) {
      s_.broken = true;
      if (nothing_came_back()) return closed_after_sending();
      return fail(errc::connection_lost, "connection to " + display_name(s_.options.where) + " lost: " +
                                             detail::last_error(s_.raw));
    }
    return fail(otherwise, what + " on " + display_name(s_.options.where) + ": " + detail::last_error(s_.raw));
  }

  // The channel was opened and the command sent moments ago, and not one byte came back. (A
  // silent command whose connection drops minutes later is an ordinary lost connection.)
  bool nothing_came_back() const {
    return ch_ != nullptr && out_.result.stdout_bytes == 0 && out_.result.stderr_bytes == 0 && !answered_ &&
           line_.empty() && clock::now() - sent_at_ < right_after;
  }

  // A server that drops the whole connection as soon as it sees a command: say that, and what is
  // known to do it, rather than the libssh2 message about whatever came next.
  sdk::error closed_after_sending() const {
    return fail(errc::connection_lost,
                display_name(s_.options.where) +
                    " closed the connection right after the command was sent, before any output. Known causes: the "
                    "server refuses the exec request (Dropbear drops the connection when it exceeds 9,000 bytes; rio "
                    "sends a short bootstrap, so look for a wrapper or forced command in between), the server's "
                    "session process was killed or restarted, or a firewall or intrusion-prevention system cut the "
                    "connection (libssh2: " + detail::last_error(s_.raw) + ")");
  }

  session::impl& s_;
  std::string_view preamble_;  // what is still to be sent of it
  sdk::output_sink* sink_;
  upload_source* source_;
  LIBSSH2_CHANNEL* ch_ = nullptr;
  clock::time_point sent_at_{};  // when the exec request went out
  channel_outcome out_;
  std::string line_;
  bool answered_ = false;
  bool ready_ = false;
  bool eof_sent_ = false;
  std::vector<char> pending_;
  std::size_t offset_ = 0;
};

}  // namespace

asio::awaitable<result<channel_outcome>> run_channel(session::impl& s, const std::string& command,
                                                     std::string_view preamble, sdk::output_sink* sink,
                                                     clock::time_point deadline, upload_source* source) {
  channel_runner runner{s, preamble, sink, source};
  co_return co_await runner.run(command, deadline);
}

}  // namespace rio::kernel::ssh
