#pragma once
// One of the original's feature flags (features.<name> in <root>/config/comfyvn.json, default
// off): enable_remote_installer, enable_security_api. Re-read whenever the file's modification
// time changes, so the GUI's toggle takes effect without a restart. Only a real JSON boolean
// counts, as in the original. The path comes from rio's root, never the CWD.

#include "api_types.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace rio::http::detail {

class feature_flag {
 public:
  feature_flag(std::filesystem::path config_file, std::string name);
  bool enabled();
  const std::filesystem::path& file() const noexcept { return file_; }

 private:
  std::filesystem::path file_;
  std::string name_;
  std::filesystem::file_time_type seen_{};
  bool exists_ = false;
  bool value_ = false;
  bool loaded_ = false;
};

/** The original's gate: 403 with `refusal` ("security api disabled", ...) unless `flag` is on. */
std::optional<api_response> refuse_unless_enabled(feature_flag& flag, std::string_view refusal, const api_request& request);

}  // namespace rio::http::detail
