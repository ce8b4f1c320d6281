#include "logging_shell.hpp"

namespace rio::kernel::engine::detail {
namespace asio = boost::asio;
namespace {

// Splits chunks into lines; a line longer than the cap is cut so one runaway line cannot grow
// memory without bound.
class line_sink final : public sdk::output_sink {
 public:
  line_sink(run_log* log, std::string prefix) : log_(log), prefix_(std::move(prefix)) {}
  line_sink(const line_sink&) = delete;
  line_sink& operator=(const line_sink&) = delete;
  ~line_sink() { flush(); }

  void on_output(sdk::output_stream stream, std::string_view chunk) override {
    auto& s = buffer(stream);
    for (char c : chunk) {
      if (c == '\n') {
        emit(stream, s.text);
        s.text.clear();
      } else {
        s.text += c;
        if (s.text.size() >= max_line) {
          emit(stream, s.text + " [line cut]");
          s.text.clear();
        }
      }
    }
  }

  void flush() {
    if (!out_.text.empty()) emit(sdk::output_stream::out, out_.text);
    if (!err_.text.empty()) emit(sdk::output_stream::err, err_.text);
    out_.text.clear();
    err_.text.clear();
  }

 private:
  static constexpr std::size_t max_line = 8192;
  struct pending {
    std::string text;
  };
  pending& buffer(sdk::output_stream s) { return s == sdk::output_stream::out ? out_ : err_; }
  void emit(sdk::output_stream stream, const std::string& text) {
    if (log_ == nullptr) return;
    log_->line(prefix_ + (stream == sdk::output_stream::out ? "out: " : "err: ") + text);
  }
  run_log* log_;
  std::string prefix_;
  pending out_, err_;
};

}  // namespace

asio::awaitable<result<sdk::exec_result>> logging_shell::exec(sdk::exec_request request) {
  ++commands_;
  std::string prefix = "[" + module_ + "]" + (step_.empty() ? std::string{} : " [" + step_ + "]") + " ";
  line_sink sink{log_, std::move(prefix)};
  if (request.sink == nullptr) request.sink = &sink;
  auto ran = co_await session_->exec(std::move(request));
  sink.flush();
  co_return ran;
}

asio::awaitable<result<sdk::upload_result>> logging_shell::upload(sdk::upload_request request) {
  ++commands_;
  co_return co_await session_->upload(std::move(request));
}

}  // namespace rio::kernel::engine::detail
