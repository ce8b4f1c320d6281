#pragma once
// One command on one channel: start it, stream its output (and, for uploads, feed its stdin),
// and collect how it ended. Used by session::exec and session::upload.

#include "session_impl.hpp"

#include <rio/kernel/ssh/upload_source.hpp>

namespace rio::kernel::ssh {

struct channel_outcome {
  sdk::exec_result result;
  bool upload_exists = false;  ///< the receiver said the destination exists
  std::uint64_t sent = 0;      ///< bytes written to the command's stdin
};

/**
 * Runs `command` (already wrapped) until it exits, `deadline` passes (result.timed_out) or the
 * caller cancels (sdk::errc::cancelled). `preamble` (wrapped_command::stdin_preamble) goes to
 * stdin first. With `source`, waits for the receiver's first line and streams the source to
 * stdin when it says ready. The caller holds the session mutex.
 */
boost::asio::awaitable<result<channel_outcome>> run_channel(session::impl& s, const std::string& command,
                                                             std::string_view preamble, sdk::output_sink* sink,
                                                             clock::time_point deadline, upload_source* source);

}  // namespace rio::kernel::ssh
