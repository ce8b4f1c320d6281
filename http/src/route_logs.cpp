// GET /api/remote/logs?host=H[&from=N][&follow=true]: a host's install log as Server-Sent Events
// (the original's open_log, for dashboards). Lines are replayed from line N (0-based), then new
// lines follow as runs write them, whichever process writes them: the file is the source.
#include "api_errors.hpp"
#include "routes.hpp"

#include <rio/kernel/engine/host_key.hpp>
#include <rio/kernel/inventory.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <rio/sdk/coro.hpp>

#include <charconv>
#include <fstream>

namespace rio::http::detail {
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

// Reads whole lines appended since `offset`; a partial last line waits for its newline.
std::vector<std::string> new_lines(const fs::path& file, std::uint64_t& offset) {
  std::vector<std::string> out;
  std::ifstream in{file, std::ios::binary};
  if (!in) return out;
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::uint64_t>(in.tellg());
  if (size < offset) offset = 0;  // truncated or replaced: start again
  in.seekg(static_cast<std::streamoff>(offset));
  std::string chunk(static_cast<std::size_t>(std::min<std::uint64_t>(size - offset, 4u << 20)), '\0');
  in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  chunk.resize(static_cast<std::size_t>(in.gcount()));
  std::size_t start = 0;
  for (std::size_t nl; (nl = chunk.find('\n', start)) != std::string::npos; start = nl + 1) {
    out.push_back(chunk.substr(start, nl - start));
  }
  offset += start;
  return out;
}

}  // namespace

api_response host_log(api_state& state, const api_request& req) {
  if (auto off = require_feature(state, req)) return *off;
  auto it = req.query.find("host");
  if (it == req.query.end() || it->second.empty()) return error_response(400, "host is required", req.request_id, "host");
  auto entry = kernel::inventory::parse_host_spec(it->second);
  if (!entry) return error_response(400, entry.error().message, req.request_id, "host");
  std::uint64_t from = 0;
  if (auto q = req.query.find("from"); q != req.query.end()) {
    auto [p, ec] = std::from_chars(q->second.data(), q->second.data() + q->second.size(), from);
    if (ec != std::errc{} || p != q->second.data() + q->second.size()) {
      return error_response(400, "from must be a line number (0 or more)", req.request_id, "from");
    }
  }
  bool follow = true;
  if (auto q = req.query.find("follow"); q != req.query.end()) follow = !(q->second == "false" || q->second == "0");
  const auto& e = *entry;
  const fs::path file = state.paths.log_file(kernel::engine::host_token(kernel::engine::record_host(e.name, e.where.host, e.where.port), e.where.port));

  api_response r;
  r.stream = [&state, file, from, follow](sse_writer& out) -> asio::awaitable<void> {
    std::uint64_t offset = 0, line = 0;
    auto idle_since = std::chrono::steady_clock::now();
    for (;;) {
      for (auto& text : new_lines(file, offset)) {
        if (line >= from && !co_await out.send("log", std::to_string(line), text)) co_return;
        ++line;
        idle_since = std::chrono::steady_clock::now();
      }
      if (!follow || state.stopping) {
        co_await out.send("end", std::to_string(line), "{\"lines\":" + std::to_string(line) + "}");
        co_return;
      }
      // Woken by this server's runs at once; lines from other rio processes show within a second.
      using namespace asio::experimental::awaitable_operators;
      asio::steady_timer poll{co_await asio::this_coro::executor, std::chrono::seconds{1}};
      co_await (state.log_activity.async_wait(sdk::use_nothrow) || poll.async_wait(sdk::use_nothrow));
      if (std::chrono::steady_clock::now() - idle_since > std::chrono::seconds{15}) {
        if (!co_await out.ping()) co_return;
        idle_since = std::chrono::steady_clock::now();
      }
    }
  };
  return r;
}

}  // namespace rio::http::detail
