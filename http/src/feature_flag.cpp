#include "feature_flag.hpp"

#include "api_errors.hpp"

#include <boost/json/parse.hpp>

#include <fstream>
#include <sstream>

namespace rio::http::detail {
namespace fs = std::filesystem;

feature_flag::feature_flag(fs::path config_file, std::string name) : file_(std::move(config_file)), name_(std::move(name)) {}

bool feature_flag::enabled() {
  std::error_code ec;
  const auto mtime = fs::last_write_time(file_, ec);
  const bool exists = !ec;
  if (loaded_ && exists == exists_ && (!exists || mtime == seen_)) return value_;
  loaded_ = true;
  exists_ = exists;
  seen_ = exists ? mtime : fs::file_time_type{};
  value_ = false;
  if (!exists) return value_;
  std::ifstream in{file_};
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code perr;
  auto doc = boost::json::parse(text.str(), perr);
  if (perr || !doc.is_object()) return value_;
  const auto* features = doc.get_object().if_contains("features");
  if (features == nullptr || !features->is_object()) return value_;
  const auto* flag = features->get_object().if_contains(name_);
  if (flag != nullptr && flag->is_bool()) value_ = flag->get_bool();
  return value_;
}

std::optional<api_response> refuse_unless_enabled(feature_flag& flag, std::string_view refusal, const api_request& request) {
  if (flag.enabled()) return std::nullopt;
  return error_response(403, std::string{refusal}, request.request_id);
}

}  // namespace rio::http::detail
