#pragma once
// The last bytes of an output stream in bounded memory, whatever the stream's length.

#include <rio/sdk/remote_shell.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace rio::kernel::openssh {

class output_tail {
 public:
  explicit output_tail(std::size_t limit = sdk::output_tail_limit) : limit_(limit) {}

  /** Counts `chunk` and keeps its end; memory stays below twice the limit. */
  void append(std::string_view chunk) {
    bytes_ += chunk.size();
    if (chunk.size() >= limit_) {
      buf_.assign(chunk.substr(chunk.size() - limit_));
      return;
    }
    buf_.append(chunk);
    // Trimming only past twice the limit keeps the copying amortised O(1) per byte.
    if (buf_.size() > 2 * limit_) buf_.erase(0, buf_.size() - limit_);
  }

  /** At most `limit` bytes: the end of the stream. */
  std::string str() const {
    return buf_.size() > limit_ ? buf_.substr(buf_.size() - limit_) : buf_;
  }

  std::uint64_t bytes() const noexcept { return bytes_; }

 private:
  std::size_t limit_;
  std::string buf_;
  std::uint64_t bytes_ = 0;
};

}  // namespace rio::kernel::openssh
