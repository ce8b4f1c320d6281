// The OpenAPI 3 description served at /api/openapi.json. The document itself is
// http/openapi.json, embedded at build time (cmake/RioEmbed.cmake), so JSON tools read it as it
// is. Kept true by a test (tests/http_contract/openapi_contract_test.cpp) that sends a request for
// every documented path, method and response status and validates each reply against it;
// docs/api.md is the prose.
//
// Object schemas list every field rio sends. Clients should still ignore unknown fields (the
// document never says "additionalProperties": false), so rio may add fields without breaking them.
// Event streams carry "x-rio-events": event name -> the schema of its `data` line.
#include "routes.hpp"

#include "embedded/openapi_json.hpp"

#include <boost/json/parse.hpp>

namespace rio::http::detail {

const boost::json::object& openapi_document() {
  static const boost::json::object doc =
      boost::json::parse(boost::json::string_view{openapi_json.data(), openapi_json.size()}).as_object();
  return doc;
}

}  // namespace rio::http::detail
