#pragma once
// The remote_shell modules see during an apply: forwards to the host's SSH session, counts
// commands, and streams remote output into the run log line by line, tagged with the module and
// the step that produced it. Internal to the engine.

#include <rio/kernel/engine/run_log.hpp>
#include <rio/kernel/ssh/session.hpp>
#include <rio/sdk/remote_shell.hpp>

#include <memory>
#include <string>

namespace rio::kernel::engine::detail {

class logging_shell final : public sdk::remote_shell {
 public:
  logging_shell(std::shared_ptr<ssh::session> session, run_log* log, unsigned& commands)
      : session_(std::move(session)), log_(log), commands_(commands) {}

  void set_context(std::string module, std::string step) {
    module_ = std::move(module);
    step_ = std::move(step);
  }

  boost::asio::awaitable<result<sdk::exec_result>> exec(sdk::exec_request request) override;
  boost::asio::awaitable<result<sdk::upload_result>> upload(sdk::upload_request request) override;

 private:
  std::shared_ptr<ssh::session> session_;
  run_log* log_;
  unsigned& commands_;
  std::string module_;
  std::string step_;
};

}  // namespace rio::kernel::engine::detail
