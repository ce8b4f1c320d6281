// Entry points: pick the format from the text itself, or read a file first.

#include "inventory_detail.hpp"

#include <fstream>
#include <sstream>

namespace rio::kernel::inventory {
namespace {

// Far above any real fleet (100000 hosts at ~100 bytes a line is 10 MB); it stops `-i /dev/zero`
// style mistakes before they allocate.
constexpr std::uintmax_t max_file_bytes = 64u << 20;

}  // namespace

result<inventory> parse_inventory(std::string_view text, std::string_view source) {
  auto lines = detail::split_lines(text);
  switch (detail::detect_format(lines)) {
    case detail::format::simple_list: return detail::parse_simple_list(lines, source);
    case detail::format::ansible_ini: return detail::parse_ansible_ini(lines, source);
    case detail::format::ansible_yaml: return detail::parse_ansible_yaml(text, source);
    case detail::format::ansible_json: return detail::parse_ansible_json(text, source);
  }
  return detail::parse_simple_list(lines, source);
}

result<inventory> load_inventory(const std::filesystem::path& file) {
  namespace fs = std::filesystem;
  const std::string name = file.string();
  std::error_code ec;
  auto status = fs::status(file, ec);
  if (!fs::exists(status)) return fail(errc::bad_config, name + ": no such file");
  if (!fs::is_regular_file(status)) return fail(errc::bad_config, name + ": not a regular file");
  if (auto size = fs::file_size(file, ec); !ec && size > max_file_bytes) {
    return fail(errc::bad_config, name + ": larger than 64 MiB; not an inventory");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(errc::bad_config, name + ": cannot be read");
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return fail(errc::bad_config, name + ": read failed");
  return parse_inventory(buffer.str(), name);
}

}  // namespace rio::kernel::inventory
