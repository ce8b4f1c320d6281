#pragma once
// A webhook receiver for tests, on 127.0.0.1 and a free port: one request per connection,
// recorded with its headers (lower-case names) and body.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace rio::test {

// A webhook receiver on loopback: answers each request with the next status from `answers`
// (then 200), and records the requests.
class webhook_receiver {
 public:
  struct request {
    std::map<std::string, std::string> headers;
    std::string body;
  };
  explicit webhook_receiver(std::vector<int> answers) : answers_(std::move(answers)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    ::inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    ::listen(fd_, 16);
    socklen_t len = sizeof sa;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
    port_ = ntohs(sa.sin_port);
    thread_ = std::thread{[this] { serve(); }};
  }
  ~webhook_receiver() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::uint16_t port() const { return port_; }
  /** Blocks until `n` requests arrived (or 20 s). */
  std::vector<request> wait_for(std::size_t n) {
    std::unique_lock lock{mutex_};
    cv_.wait_for(lock, std::chrono::seconds{20}, [&] { return requests_.size() >= n; });
    return requests_;
  }

 private:
  void serve() {
    for (;;) {
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      std::string data;
      char buf[4096];
      request r;
      for (;;) {
        ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        data.append(buf, static_cast<std::size_t>(n));
        auto end = data.find("\r\n\r\n");
        if (end == std::string::npos) continue;
        std::size_t length = 0;
        std::size_t pos = 0;
        while ((pos = data.find("\r\n", pos)) != std::string::npos && pos < end) {
          pos += 2;
          auto eol = data.find("\r\n", pos);
          std::string line = data.substr(pos, eol - pos);
          auto colon = line.find(':');
          if (colon == std::string::npos) continue;
          std::string name = line.substr(0, colon);
          for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
          r.headers[name] = line.substr(colon + 2);
        }
        length = std::stoul(r.headers["content-length"]);
        if (data.size() >= end + 4 + length) {
          r.body = data.substr(end + 4, length);
          break;
        }
      }
      int status = 200;
      {
        std::lock_guard lock{mutex_};
        if (requests_.size() < answers_.size()) status = answers_[requests_.size()];
        requests_.push_back(r);
      }
      cv_.notify_all();
      std::string reply = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      ::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
      ::close(c);
    }
  }
  std::vector<int> answers_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<request> requests_;
};

}  // namespace rio::test
