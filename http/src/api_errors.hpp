#pragma once
// The error envelope every route uses, with the original's keys:
// {"ok":false,"code":"http_<status>","message":...,"request_id":...} (+ "field" naming the field
// at fault, + "details" where the original had them).

#include "api_types.hpp"

#include <rio/sdk/error.hpp>

#include <string>

namespace rio::http::detail {

api_response error_response(int status, std::string message, const std::string& request_id, std::string field = {});

/**
 * 422 {"code":"validation_error","message":"Request validation failed","details":[{"loc",...}]}:
 * the original's shape for a body that is not a JSON object (loc ["body"]) or a query parameter
 * of the wrong type (loc ["query", "<name>"]).
 */
api_response validation_error(std::string problem, const std::string& request_id, std::string where = "body",
                              std::string name = {});

}  // namespace rio::http::detail
