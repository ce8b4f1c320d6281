#include "api_errors.hpp"

#include <rio/kernel/engine/redactor.hpp>

#include <boost/json/array.hpp>

namespace rio::http::detail {
namespace json = boost::json;

api_response json_response(int status, json::object body) {
  api_response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

api_response error_response(int status, std::string message, const std::string& request_id, std::string field) {
  // Messages may quote what the request sent (a URL with a password in it): the log's redaction.
  json::object o{{"ok", false}, {"code", "http_" + std::to_string(status)}, {"message", kernel::engine::redactor{}.apply(message)},
                 {"request_id", request_id}};
  if (!field.empty()) o["field"] = std::move(field);
  return json_response(status, std::move(o));
}

api_response validation_error(std::string problem, const std::string& request_id, std::string where, std::string name) {
  json::array loc{json::value(where)};
  if (!name.empty()) loc.emplace_back(name);
  json::array details;
  details.emplace_back(json::object{{"loc", std::move(loc)}, {"msg", kernel::engine::redactor{}.apply(problem)}, {"type", "value_error"}});
  return json_response(422, json::object{{"ok", false},
                                         {"code", "validation_error"},
                                         {"message", "Request validation failed"},
                                         {"details", std::move(details)},
                                         {"request_id", request_id}});
}

}  // namespace rio::http::detail
