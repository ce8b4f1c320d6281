#pragma once
// What the contract tests share: rio's REST server in-process (its own io_context thread, port 0,
// a root directory with the feature flag), a blocking HTTP/1.1 client over POSIX sockets (one
// request per connection, read to close, so event streams end when the server ends them), an
// event-stream parser, and a TCP "black hole" that accepts connections and never speaks SSH.

#include "cli_runner.hpp"

#include <rio/http/server.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace rio::test::contract {

namespace fs = std::filesystem;
using header_list = std::vector<std::pair<std::string, std::string>>;

struct reply {
  int status = 0;                              ///< 0: no answer (connection failed or closed early)
  bool cut = false;                            ///< the client stopped reading before the server closed
  std::map<std::string, std::string> headers;  ///< lower-case names
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string{} : it->second;
  }
};

namespace detail {

inline int connect_loopback(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  timeval tv{};
  tv.tv_sec = 300;  // no test request takes this long; a hung server fails the test instead of hanging it
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline bool send_all(int fd, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

inline std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace detail

/** How much of an answer to read: to the end, or (endless event streams) less. */
struct read_limits {
  std::size_t announce_body_size = 0;  ///< send only headers claiming a body this large (413)
  std::size_t events = 0;              ///< stop after this many complete events (0: read to close)
  std::chrono::milliseconds patience{300000};  ///< stop reading after this long
};

/**
 * One request on its own connection (`Connection: close`), read until the server closes it or a
 * limit is reached (then `cut` is set).
 */
inline reply http_request(std::uint16_t port, const std::string& method, const std::string& target, const std::string& body = {},
                          const header_list& headers = {}, read_limits limits = {}) {
  const std::size_t announce_body_size = limits.announce_body_size;
  reply r;
  int fd = detail::connect_loopback(port);
  if (fd < 0) return r;
  // Connection: close, unless the caller names its own (an upgrade).
  const bool own_connection = std::any_of(headers.begin(), headers.end(), [](const auto& h) { return detail::lower(h.first) == "connection"; });
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (own_connection ? "" : "Connection: close\r\n");
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  if (announce_body_size > 0) {
    req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(announce_body_size) + "\r\n\r\n";
  } else {
    if (!body.empty() || method == "POST" || method == "PUT") {
      req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    }
    req += "\r\n" + body;
  }
  std::string raw;
  // Announcing a body and then sending none: say so, so the server need not wait for it.
  if (detail::send_all(fd, req) && (announce_body_size == 0 || ::shutdown(fd, SHUT_WR) == 0)) {
    const auto deadline = std::chrono::steady_clock::now() + limits.patience;
    char buf[16384];
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd p{fd, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
        r.cut = true;
        break;
      }
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      raw.append(buf, static_cast<std::size_t>(n));
      if (limits.events > 0) {
        const auto head = raw.find("\r\n\r\n");
        std::size_t complete = 0;
        for (auto at = head; head != std::string::npos && (at = raw.find("\n\n", at + 1)) != std::string::npos;) ++complete;
        if (complete >= limits.events) {
          r.cut = true;
          break;
        }
      }
    }
  }
  ::close(fd);

  auto head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos || raw.size() < 12 || !raw.starts_with("HTTP/1.")) return r;
  r.status = std::stoi(raw.substr(9, 3));
  std::size_t pos = raw.find("\r\n") + 2;
  while (pos < head_end) {
    auto eol = raw.find("\r\n", pos);
    std::string line = raw.substr(pos, eol - pos);
    pos = eol + 2;
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    r.headers[detail::lower(line.substr(0, colon))] = value;
  }
  r.body = raw.substr(head_end + 4);
  if (auto cl = r.headers.find("content-length"); cl != r.headers.end()) r.body.resize(std::min<std::size_t>(r.body.size(), std::stoul(cl->second)));
  return r;
}

struct sse_event {
  std::string event, id, data;
};

/** A text/event-stream body as events; comment lines (keep-alives) are skipped. */
inline std::vector<sse_event> parse_events(const std::string& body) {
  std::vector<sse_event> out;
  sse_event cur;
  bool any = false;
  std::size_t pos = 0;
  while (pos <= body.size()) {
    auto nl = body.find('\n', pos);
    std::string line = body.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      if (any) out.push_back(cur);
      cur = {};
      any = false;
    } else if (line.front() != ':') {
      // "field: value" (one optional space after the colon); comment lines start with ':'.
      auto colon = line.find(':');
      std::string field = line.substr(0, colon);
      std::string value = colon == std::string::npos ? std::string{} : line.substr(colon + 1);
      if (value.starts_with(' ')) value.erase(0, 1);
      if (field == "event") cur.event = value;
      if (field == "id") cur.id = value;
      if (field == "data") cur.data += (cur.data.empty() ? "" : "\n") + value;
      any = true;
    }
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  if (any) out.push_back(cur);
  return out;
}

/** rio's REST server on a free loopback port, with its own io_context thread. */
class live_server {
 public:
  struct options {
    bool flag_on = true;
    std::optional<std::string> token;
    env_map env;  ///< the server's environment (HOME defaults to <root>/home)
  };

  live_server(const fs::path& root, options o) {
    set_flag(root, o.flag_on);
    http::server_options so;
    so.port = 0;
    if (o.token) so.token = vault::secret{*o.token};
    // As `rio serve --root R --plugin-dir P` would: config/rio.json's allowed_sources are read.
    auto resolved = kernel::resolve_settings({root, fs::path{RIO_TEST_PLUGIN_DIR}, fake_env({}), root, root});
    if (!resolved) throw std::runtime_error("settings: " + resolved.error().message);
    kernel::settings s = *resolved;
    o.env.emplace("HOME", (root / "home").string());
    auto started = http::server::start(ctx_, so, http::api_config{s, fake_env(o.env)});
    if (!started) throw std::runtime_error("server: " + started.error().message);
    server_ = std::move(*started);
    port_ = server_->local_endpoint().port();
    thread_ = std::thread{[this] { ctx_.run(); }};
  }

  ~live_server() {
    std::promise<void> stopped;
    boost::asio::post(ctx_, [&] {
      server_->stop();
      stopped.set_value();
    });
    stopped.get_future().wait();
    // Runs in flight were cancelled; they record themselves before the loop stops.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{60};
    while (active_runs() > 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds{10});
    work_.reset();
    ctx_.stop();
    thread_.join();
    server_.reset();
  }
  live_server(const live_server&) = delete;
  live_server& operator=(const live_server&) = delete;

  static void set_flag(const fs::path& root, bool on) {
    fs::create_directories(root / "config");
    std::ofstream{root / "config/comfyvn.json"} << "{\"features\": {\"enable_remote_installer\": " << (on ? "true" : "false")
                                                << "}}\n";
  }

  std::size_t active_runs() {
    std::promise<std::size_t> n;
    boost::asio::post(ctx_, [&] { n.set_value(server_->active_runs()); });
    return n.get_future().get();
  }

  std::uint16_t port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  boost::asio::io_context ctx_;
  // Keeps run() going after stop() leaves it idle, so the destructor's posts still get answered.
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{ctx_.get_executor()};
  std::unique_ptr<http::server> server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

/** A loopback port that completes TCP connections (the backlog) but never says a word: SSH hangs in the handshake. */
class black_hole {
 public:
  black_hole() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    ::inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    socklen_t len = sizeof sa;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&sa), len) != 0 || ::listen(fd_, 64) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
      throw std::runtime_error("black_hole: cannot listen on loopback");
    }
    port_ = ntohs(sa.sin_port);
  }
  ~black_hole() { ::close(fd_); }
  black_hole(const black_hole&) = delete;
  black_hole& operator=(const black_hole&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

inline boost::json::value parse_json(const std::string& text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  return ec ? boost::json::value{} : v;
}

}  // namespace rio::test::contract
