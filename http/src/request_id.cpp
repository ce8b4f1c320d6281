#include "request_id.hpp"

#include <algorithm>
#include <random>

namespace rio::http::detail {

std::string new_request_id() {
  static std::mt19937_64 rng{std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (auto& c : id) c = hex[rng() & 15];
  return id.substr(0, 8) + "-" + id.substr(8, 4) + "-" + id.substr(12, 4) + "-" + id.substr(16, 4) + "-" + id.substr(20, 12);
}

std::string request_id_for(std::string_view given) {
  const bool usable = !given.empty() && given.size() <= 128 &&
                      std::all_of(given.begin(), given.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; });
  return usable ? std::string{given} : new_request_id();
}

}  // namespace rio::http::detail
