# The REST API's contract: every route and response against the OpenAPI document it serves, and
# every curl example in docs/api.md run against a live server.
set(RIO_HTTP_CONTRACT_TEST_SOURCES
  http_contract/json_schema.cpp
  http_contract/openapi_contract.cpp
  http_contract/openapi_contract_test.cpp
  http_contract/api_docs_test.cpp)
