#pragma once
// A minimal blocking HTTP/1.1 client over POSIX sockets for tests (loopback only): one request
// per connection, Content-Length or read-to-close bodies, and a line reader for event streams.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/parse.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rio::test {

struct http_reply {
  int status = 0;
  std::map<std::string, std::string> headers;  ///< lower-case names
  std::string body;
  boost::json::object json() const {
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    return !ec && v.is_object() ? v.get_object() : boost::json::object{};
  }
};

class http_connection {
 public:
  explicit http_connection(std::uint16_t port, const char* address = "127.0.0.1") {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    ::inet_pton(AF_INET, address, &sa.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~http_connection() {
    if (fd_ >= 0) ::close(fd_);
  }
  http_connection(const http_connection&) = delete;
  http_connection& operator=(const http_connection&) = delete;
  bool ok() const { return fd_ >= 0; }

  bool send_raw(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  bool send_request(const std::string& method, const std::string& target, const std::string& body,
                    const std::vector<std::pair<std::string, std::string>>& headers) {
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
    if (!body.empty() || method == "POST") req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    req += "\r\n" + body;
    return send_raw(req);
  }

  /** Reads the status line and headers; the body is left to read_body() or read_line(). */
  std::optional<http_reply> read_head() {
    http_reply r;
    std::string line;
    if (!read_line(line)) return std::nullopt;
    if (line.size() < 12) return std::nullopt;
    r.status = std::stoi(line.substr(9, 3));
    while (read_line(line) && !line.empty()) {
      auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      r.headers[name] = value;
    }
    return r;
  }

  void read_body(http_reply& r) {
    auto cl = r.headers.find("content-length");
    if (cl != r.headers.end()) {
      std::size_t want = std::stoul(cl->second);
      while (buffer_.size() < want && fill()) {
      }
      r.body = buffer_.substr(0, want);
      buffer_.erase(0, std::min(want, buffer_.size()));
    } else {
      while (fill()) {
      }
      r.body = std::move(buffer_);
      buffer_.clear();
    }
  }

  /** One line without its CRLF/LF; false at end of stream. */
  bool read_line(std::string& line) {
    for (;;) {
      auto nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        line = buffer_.substr(0, nl);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        buffer_.erase(0, nl + 1);
        return true;
      }
      if (!fill()) return false;
    }
  }

 private:
  bool fill() {
    char buf[8192];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<std::size_t>(n));
    return true;
  }
  int fd_ = -1;
  std::string buffer_;
};

inline http_reply http_call(std::uint16_t port, const std::string& method, const std::string& target,
                            const std::string& body = {}, const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  http_connection c{port};
  http_reply failed;
  if (!c.ok()) return failed;
  // A server may answer (413) and stop reading before the whole body is sent: read the answer anyway.
  (void)c.send_request(method, target, body, headers);
  auto r = c.read_head();
  if (!r) return failed;
  c.read_body(*r);
  return *r;
}

/** Sends `raw` (a whole request, as bytes) and reads one answer: for requests a helper would tidy up. */
inline http_reply raw_call(std::uint16_t port, const std::string& raw) {
  http_connection c{port};
  http_reply failed;
  if (!c.ok() || !c.send_raw(raw)) return failed;
  auto r = c.read_head();
  if (!r) return failed;
  c.read_body(*r);
  return *r;
}

/** An event stream's events as (event, id, data), until the server closes it. */
struct sse_event {
  std::string event, id, data;
};

inline std::vector<sse_event> read_events(http_connection& c, std::size_t max_events = 1000000) {
  std::vector<sse_event> out;
  sse_event cur;
  std::string line;
  while (out.size() < max_events && c.read_line(line)) {
    if (line.empty()) {
      if (!cur.event.empty() || !cur.data.empty()) out.push_back(cur);
      cur = {};
    } else if (line.starts_with("event: ")) {
      cur.event = line.substr(7);
    } else if (line.starts_with("id: ")) {
      cur.id = line.substr(4);
    } else if (line.starts_with("data: ")) {
      cur.data += line.substr(6);
    }
  }
  return out;
}

}  // namespace rio::test
