#include <rio/kernel/engine/env_source.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace rio::kernel::engine {

result<env_assignment> env_from_argument(std::string_view argument, const env_lookup& env) {
  const auto eq = argument.find('=');
  const std::string name{argument.substr(0, eq)};
  if (!valid_env_name(name)) {
    return fail(errc::bad_usage, "--env wants NAME=VALUE or NAME with NAME of [A-Za-z_][A-Za-z0-9_]*, got '" +
                                     name.substr(0, 60) + "'");
  }
  if (eq != std::string_view::npos) return env_assignment{name, std::string{argument.substr(eq + 1)}};
  auto value = env ? env(name.c_str()) : std::nullopt;
  if (!value) return fail(errc::bad_usage, "--env " + name + ": rio's environment has no " + name);
  return env_assignment{name, std::move(*value)};
}

result<std::vector<env_assignment>> env_from_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(errc::io_error, "--env-file " + file.string() + ": cannot be read (" + std::strerror(errno) + ")");
  const std::string text{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
  std::vector<env_assignment> out;
  std::size_t number = 0;
  for (std::size_t start = 0; start < text.size();) {
    auto end = text.find('\n', start);
    std::string_view line{text.data() + start, (end == std::string::npos ? text.size() : end) - start};
    start = end == std::string::npos ? text.size() : end + 1;
    ++number;
    if (line.ends_with('\r')) line.remove_suffix(1);
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;
    const auto eq = line.find('=');
    const std::string_view name = line.substr(0, eq);
    if (eq == std::string_view::npos || !valid_env_name(name)) {
      return fail(errc::bad_usage, "--env-file " + file.string() + " line " + std::to_string(number) +
                                       ": expected NAME=VALUE with NAME of [A-Za-z_][A-Za-z0-9_]*");
    }
    out.emplace_back(std::string{name}, std::string{line.substr(eq + 1)});
  }
  return out;
}

}  // namespace rio::kernel::engine
