#include <rio/kernel/engine/remote_text.hpp>

namespace rio::kernel::engine {

std::string printable_text(std::string_view text, std::size_t max) {
  std::string out;
  for (char c : text.substr(0, max)) {
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace rio::kernel::engine
