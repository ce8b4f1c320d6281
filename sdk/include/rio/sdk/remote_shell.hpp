#pragma once
// The remote shell: the only way a module touches a host. The kernel supplies it at run time
// (libssh2 transport, or the system ssh binary); tests supply rio::sdk::testing::fake_remote_shell.

#include <rio/sdk/error.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/config.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rio::sdk {

enum class output_stream { out, err };

/** Receives remote output as it arrives. Called on the kernel executor; must not block. */
class BOOST_SYMBOL_VISIBLE output_sink {
 public:
  virtual void on_output(output_stream stream, std::string_view chunk) = 0;

 protected:
  ~output_sink() = default;
};

/** One remote command. */
struct exec_request {
  /** POSIX sh text. The transport runs it with `sh -c`; it must not depend on the login shell. */
  std::string command;
  /** Deadline for the whole command; on expiry the transport closes the channel and kills it. */
  std::chrono::milliseconds timeout{std::chrono::seconds{600}};
  /** Exported to the remote command only (quoted into it); never set in rio's own environment. */
  std::vector<std::pair<std::string, std::string>> env;
  /** Optional live output; nullptr when the caller only wants the tails. */
  output_sink* sink = nullptr;
};

/** What a command did. Only failures to run at all are errors; a non-zero exit is a result. */
struct exec_result {
  int exit_code = -1;            ///< -1 when killed by a signal or timed out
  std::string signal;            ///< signal name without "SIG" (e.g. "KILL"); empty when it exited
  bool timed_out = false;        ///< the deadline expired and the command was stopped
  std::string stdout_tail;       ///< last bytes of stdout (bounded; see output_tail_limit)
  std::string stderr_tail;       ///< last bytes of stderr (bounded)
  std::uint64_t stdout_bytes = 0;
  std::uint64_t stderr_bytes = 0;
  std::chrono::milliseconds duration{};

  bool ok() const noexcept { return !timed_out && signal.empty() && exit_code == 0; }
};

/** Bytes of each stream that a transport keeps for error reports. */
inline constexpr std::size_t output_tail_limit = 16 * 1024;

/** One file or directory to copy to the host. */
struct upload_request {
  std::filesystem::path local;  ///< an existing local file or directory
  std::string remote;           ///< destination; a leading `~` expands on the remote side
  bool no_clobber = true;       ///< leave an existing destination untouched and report it
  std::chrono::milliseconds timeout{std::chrono::seconds{300}};
};

struct upload_result {
  bool uploaded = false;       ///< the destination was written (temp name, then rename)
  bool left_existing = false;  ///< no_clobber found the destination present; nothing was written
  std::uint64_t bytes = 0;
};

/**
 * The host a module works on.
 *
 * Both operations run on the kernel's executor and honour the caller's cancellation slot
 * (terminal cancellation stops the remote command). Errors: errc::exec_failed,
 * errc::connection_lost, errc::cancelled, errc::upload_failed, errc::not_supported.
 * A command that runs and fails is not an error: inspect exec_result.
 */
class BOOST_SYMBOL_VISIBLE remote_shell {
 public:
  virtual ~remote_shell() = default;

  /** Runs one command; parameters are owned so the request may outlive the caller's frame. */
  virtual boost::asio::awaitable<result<exec_result>> exec(exec_request request) = 0;

  /** Copies a file or a directory tree; written under a temporary name and renamed into place. */
  virtual boost::asio::awaitable<result<upload_result>> upload(upload_request request) = 0;
};

}  // namespace rio::sdk
