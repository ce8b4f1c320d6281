// The OpenAPI 3 description served at /api/openapi.json. Kept true by a test that checks every
// route and every response the test suite sees against it.
#include "routes.hpp"

#include <boost/json/parse.hpp>

namespace rio::http::detail {

namespace {
// Written as JSON text so that it reads like the document it is.
constexpr const char* document_text = R"json({
  "openapi": "3.0.3",
  "info": {"title": "rio REST API", "version": "1.0.0"},
  "paths": {}
})json";
}  // namespace

const boost::json::object& openapi_document() {
  static const boost::json::object doc = boost::json::parse(document_text).as_object();
  return doc;
}

}  // namespace rio::http::detail
