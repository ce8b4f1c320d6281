#pragma once
// Running a child's stream work under a deadline and the caller's cancellation, and the stream
// pieces that work is made of. Shared by exec and upload.

#include <rio/kernel/openssh/child_process.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <string_view>

namespace rio::kernel::openssh {

enum class run_end {
  finished,   ///< the stream work completed and the child exited by itself
  deadline,   ///< the deadline passed; the child was stopped
  cancelled,  ///< the caller's cancellation slot fired; the child was stopped
};

/** How long a stopped child gets between SIGTERM and SIGKILL. */
inline constexpr std::chrono::milliseconds stop_grace{2000};

/**
 * Awaits `io` (which must end by waiting for the child's exit), bounded by `deadline` and by
 * terminal cancellation of the calling coroutine. Unless `io` finished with the child exited, the
 * child's process group is stopped (SIGTERM, stop_grace, SIGKILL) and reaped before this returns,
 * so no path leaves a process or a zombie behind. Cancellation is reported as run_end::cancelled,
 * never thrown: throw_if_cancelled is switched off while the child is cleaned up and restored to
 * the caller's setting afterwards. An exception `io` throws for another reason (a bug) is
 * rethrown after the cleanup.
 */
boost::asio::awaitable<run_end> supervise(child_process& child, boost::asio::awaitable<void> io,
                                          std::chrono::milliseconds deadline);

/** Reads `pipe` until end of file or an error, handing every chunk to `on_chunk` as it arrives. */
boost::asio::awaitable<void> read_until_eof(boost::asio::posix::stream_descriptor& pipe,
                                            std::function<void(std::string_view)> on_chunk);

/**
 * Waits for the child's exit, then `linger` more, then returns. Raced (`||`) against the readers,
 * it ends them when a descendant of ssh (a ProxyCommand) keeps the pipes open after ssh is gone.
 */
boost::asio::awaitable<void> exit_then_linger(child_process& child, std::chrono::milliseconds linger);

/** How long output may keep arriving after ssh itself exited. */
inline constexpr std::chrono::milliseconds output_linger{2000};

}  // namespace rio::kernel::openssh
