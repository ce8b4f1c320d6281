#pragma once
// features.enable_remote_installer in <root>/config/comfyvn.json (default off), re-read whenever
// the file's modification time changes, so the GUI's toggle takes effect without a restart. Only
// a real JSON boolean counts, as in the original. The path comes from rio's root, never the CWD.

#include <filesystem>
#include <string>

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

}  // namespace rio::http::detail
