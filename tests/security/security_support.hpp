#pragma once
// What the security regressions (issue 26) share: raw loopback sockets with deadlines (an attack
// is often a request a polite client would never send), the process's threads and memory from
// /proc, and `rio serve` as a real child process. Every wait is bounded; nothing leaves loopback.

#include "exec_child.hpp"
#include "sanitized_build.hpp"
#include "../http/api_test_support.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>

namespace rio::test::security {

namespace json = boost::json;
using namespace std::chrono_literals;

inline std::string code_of(const http_reply& r) {
  auto o = r.json();
  return o.contains("code") && o["code"].is_string() ? std::string{o["code"].as_string()} : std::string{};
}

/** Threads of this process (the in-process server's included). */
inline std::size_t thread_count() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator{"/proc/self/task"}) ++n;
  return n;
}

/** Resident memory of `pid` ("self" for this process), in KiB, from /proc/PID/status. */
inline std::size_t rss_kib(const std::string& pid = "self") {
  std::ifstream in{"/proc/" + pid + "/status"};
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("VmRSS:")) return std::stoul(line.substr(6));
  }
  return 0;
}

/** A client socket to 127.0.0.1:`port`, from the loopback address `from`; every read has a deadline. */
class raw_client {
 public:
  explicit raw_client(std::uint16_t port, const char* from = nullptr) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    if (from != nullptr) {
      ::inet_pton(AF_INET, from, &sa.sin_addr);
      if (::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) close();
    }
    sa.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) close();
  }
  ~raw_client() { close(); }
  raw_client(const raw_client&) = delete;
  raw_client& operator=(const raw_client&) = delete;
  raw_client(raw_client&& o) noexcept : fd_(std::exchange(o.fd_, -1)), buffer_(std::move(o.buffer_)) {}

  bool ok() const { return fd_ >= 0; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  /** Sends what fits without blocking; false if the connection is gone. */
  bool send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno == EAGAIN) return true;  // the peer stopped reading: what it has is enough
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  /** Whether bytes (or end of stream) are waiting to be read. */
  bool readable(std::chrono::milliseconds wait = 0ms) const {
    if (!buffer_.empty()) return true;
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(wait.count())) > 0;
  }

  /** The peer closed (or reset) the connection within `within`, having sent nothing more. */
  bool closed_within(std::chrono::milliseconds within) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left <= 0ms || !readable(left)) return false;
      char c[512];
      ssize_t n = ::recv(fd_, c, sizeof c, 0);
      if (n <= 0) return true;
    }
  }

  /** One response (status line, headers, Content-Length body), or nullopt after `within`. */
  std::optional<http_reply> reply(std::chrono::milliseconds within = 10000ms) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    auto fill = [&] {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left <= 0ms || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      char buf[16384];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return false;
      buffer_.append(buf, static_cast<std::size_t>(n));
      return true;
    };
    std::size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return std::nullopt;
    }
    http_reply r;
    std::istringstream head{buffer_.substr(0, end)};
    std::string line;
    std::getline(head, line);
    if (line.size() < 12) return std::nullopt;
    r.status = std::stoi(line.substr(9, 3));
    while (std::getline(head, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      r.headers[name] = line.substr(colon + 2);
    }
    buffer_.erase(0, end + 4);
    const std::size_t length = r.headers.contains("content-length") ? std::stoul(r.headers["content-length"]) : 0;
    while (buffer_.size() < length) {
      if (!fill()) return std::nullopt;
    }
    r.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return r;
  }

 private:
  int fd_ = -1;
  std::string buffer_;
};

/** A request as bytes, with Host and (for a body) Content-Type: application/json. */
inline std::string request_bytes(const std::string& method, const std::string& target, const std::string& body,
                                 const std::vector<std::string>& extra_headers = {}) {
  std::string r = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& h : extra_headers) r += h + "\r\n";
  if (!body.empty() || method == "POST") r += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  return r + "\r\n" + body;
}

/** Notices the in-process server gives the operator (server_options::log), collected. */
class notice_log {
 public:
  std::function<void(const std::string&)> sink() {
    return [this](const std::string& line) {
      std::lock_guard lock{mutex_};
      lines_.push_back(line);
    };
  }
  std::string text() const {
    std::lock_guard lock{mutex_};
    std::string all;
    for (const auto& l : lines_) all += l + "\n";
    return all;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

/**
 * `rio --root ROOT --plugin-dir P serve --port 0 ARGS...` as a child process with exactly `env`.
 * Ready once it prints where it listens (read from a pipe, with a deadline); stderr goes to a file.
 */
class serve_process {
 public:
  serve_process(const fs::path& root, const fs::path& scratch, const std::vector<std::string>& args, const env_map& env)
      : err_(scratch / "serve.err") {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      const int err = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(err, 2);
      const int null = ::open("/dev/null", O_RDONLY);
      ::dup2(null, 0);
      std::vector<std::string> rio_args{"--root", root.string(), "--plugin-dir", RIO_TEST_PLUGIN_DIR, "serve", "--port", "0"};
      rio_args.insert(rio_args.end(), args.begin(), args.end());
      exec_child(RIO_TEST_RIO_EXE, rio_args, env);
    }
    ::close(out[1]);
    out_ = out[0];
    const std::string marker = "serving the REST API on http://127.0.0.1:";
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    std::string text;
    while (text.find('\n', text.find(marker)) == std::string::npos || text.find(marker) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd p{out_, POLLIN, 0};
      if (left <= 0ms || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return;
      char buf[512];
      ssize_t n = ::read(out_, buf, sizeof buf);
      if (n <= 0) return;  // exited before it served
      text.append(buf, static_cast<std::size_t>(n));
    }
    port_ = static_cast<std::uint16_t>(std::atoi(text.c_str() + text.find(marker) + marker.size()));
  }
  ~serve_process() {
    stop();
    if (out_ >= 0) ::close(out_);
  }
  serve_process(const serve_process&) = delete;
  serve_process& operator=(const serve_process&) = delete;

  pid_t pid() const { return pid_; }
  /** 0 until it serves. */
  std::uint16_t port() const { return port_; }
  std::string err() const { return read_file(err_); }

  /** SIGTERM, then its exit status (128 + signal when killed). */
  int stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  /** User plus system CPU time it has used, from /proc/PID/stat. */
  std::chrono::milliseconds cpu_time() const {
    std::ifstream in{"/proc/" + std::to_string(pid_) + "/stat"};
    std::string stat{std::istreambuf_iterator<char>{in}, {}};
    std::istringstream fields{stat.substr(stat.rfind(')') + 2)};
    std::string f;
    unsigned long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> f; ++i) {
      if (i == 14) utime = std::stoul(f);
      if (i == 15) stime = std::stoul(f);
    }
    return std::chrono::milliseconds{(utime + stime) * 1000 / static_cast<unsigned long>(::sysconf(_SC_CLK_TCK))};
  }

 private:
  fs::path err_;
  pid_t pid_ = -1;
  int out_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace rio::test::security
