#pragma once
// A unique temporary directory for one test, removed with everything in it afterwards.

#include <filesystem>
#include <string>

namespace rio::test {

class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }
  /** Writes `text` to path()/relative, creating parent directories. */
  std::filesystem::path write(const std::string& relative, const std::string& text) const;

 private:
  std::filesystem::path path_;
};

/** Reads a whole file. */
std::string read_file(const std::filesystem::path& file);

}  // namespace rio::test
